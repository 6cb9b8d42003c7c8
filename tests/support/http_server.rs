//! The GUI tests' own HTTP server on 127.0.0.1 (tiny_http, one thread per request): a large
//! body with a length, a chunked one without, a slow one, one that crawls, one that stalls,
//! 404, 500 and a redirect. Nothing here reaches beyond this machine.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Size of `/big.bin` and `/chunked.bin`.
pub const BIG_LEN: usize = 8 << 20;

/// A running server; stops (and ends every slow or stalled body) when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// SHA-256 (hex) of `/big.bin` and `/chunked.bin`.
    pub big_sha256: String,
    stop: Arc<AtomicBool>,
    server: Arc<tiny_http::Server>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
    }
}

/// Deterministic, incompressible-looking bytes.
fn body(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// `len` bytes of the same deterministic pattern as [`body`], made as they are read (no copy
/// of a large body in memory).
struct Generated {
    left: u64,
    x: u64,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for b in &mut buf[..n] {
            self.x ^= self.x << 13;
            self.x ^= self.x >> 7;
            self.x ^= self.x << 17;
            *b = self.x as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A body that sends `first` bytes, then `per_tick` bytes every 100 ms (or nothing, when 0)
/// until `len` or until the server stops.
struct Trickle {
    data: Arc<Vec<u8>>,
    pos: usize,
    first: usize,
    per_tick: usize,
    /// What may still be sent before the next tick.
    allowance: usize,
    stop: Arc<AtomicBool>,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.data.len() {
            return Ok(0);
        }
        if self.pos < self.first {
            self.allowance = self.first - self.pos;
        }
        while self.allowance == 0 {
            if self.stop.load(Ordering::SeqCst) {
                return Err(std::io::Error::other("the test server stopped"));
            }
            thread::sleep(Duration::from_millis(100));
            self.allowance = self.per_tick;
        }
        let n = self
            .allowance
            .min(buf.len())
            .min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.allowance -= n;
        Ok(n)
    }
}

/// Starts the server on a free port.
pub fn start() -> TestServer {
    bind().serve()
}

/// A server bound to a free port, not yet serving: no thread started yet, so its address can
/// be put in the environment before any thread exists (`std::env::set_var` is unsound once
/// other threads run).
pub struct Bound {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// SHA-256 (hex) of `/big.bin` and `/chunked.bin`.
    pub big_sha256: String,
    big: Arc<Vec<u8>>,
    listener: std::net::TcpListener,
}

/// Binds the server to a free port on 127.0.0.1 (no thread started: tiny_http starts its own
/// threads as soon as it has a server, so it gets the listener only in [`Bound::serve`]).
pub fn bind() -> Bound {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
    let port = listener.local_addr().expect("an address").port();
    let big = Arc::new(body(BIG_LEN));
    let big_sha256 = async_jobs::files::sha256_hex(big.as_slice());
    Bound {
        url: format!("http://127.0.0.1:{port}"),
        big_sha256,
        big,
        listener,
    }
}

impl Bound {
    /// Starts serving (a thread, and one more per request).
    pub fn serve(self) -> TestServer {
        let Bound {
            url,
            big_sha256,
            big,
            listener,
        } = self;
        let server =
            Arc::new(tiny_http::Server::from_listener(listener, None).expect("a local server"));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (server, stop) = (Arc::clone(&server), Arc::clone(&stop));
            thread::spawn(move || {
                for request in server.incoming_requests() {
                    let (big, stop) = (Arc::clone(&big), Arc::clone(&stop));
                    thread::spawn(move || respond(request, &big, stop));
                }
            });
        }
        TestServer {
            url,
            big_sha256,
            stop,
            server,
        }
    }
}

fn respond(request: tiny_http::Request, big: &Arc<Vec<u8>>, stop: Arc<AtomicBool>) {
    use tiny_http::{Header, Response, StatusCode};
    let header = |k: &str, v: &str| Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap();
    let trickle = |first, per_tick| Trickle {
        data: Arc::clone(big),
        pos: 0,
        first,
        per_tick,
        allowance: 0,
        stop,
    };
    let path = request.url().split('?').next().unwrap_or("").to_owned();
    let _ = match path.as_str() {
        // A length is sent as Content-Length (tiny_http would switch to chunked above 32 KiB).
        "/big.bin" => {
            request.respond(Response::from_data(big.as_slice()).with_chunked_threshold(usize::MAX))
        }
        // No length: tiny_http sends it chunked.
        "/chunked.bin" => request.respond(Response::new(
            StatusCode(200),
            vec![],
            std::io::Cursor::new(big.as_slice()),
            None,
            None,
        )),
        // 256 KiB at once, then 64 KiB every 100 ms: about 13 s for the whole body.
        "/slow.bin" => request.respond(
            Response::new(
                StatusCode(200),
                vec![],
                trickle(256 << 10, 64 << 10),
                Some(big.len()),
                None,
            )
            .with_chunked_threshold(usize::MAX),
        ),
        // 256 KiB at once, then 1 KiB every 100 ms: about 14 minutes for the whole body. For
        // tests that look at a download while it runs (and then cancel it or quit): whatever
        // the machine's load, it is still running when they look, which /slow.bin (about 13 s)
        // need not be.
        "/crawl.bin" => request.respond(
            Response::new(
                StatusCode(200),
                vec![],
                trickle(256 << 10, 1 << 10),
                Some(big.len()),
                None,
            )
            .with_chunked_threshold(usize::MAX),
        ),
        // 64 KiB, then nothing, with the whole length announced.
        "/stall.bin" => request.respond(
            Response::new(
                StatusCode(200),
                vec![],
                trickle(64 << 10, 0),
                Some(big.len()),
                None,
            )
            .with_chunked_threshold(usize::MAX),
        ),
        // /bytes/N: N generated bytes with their length (the download benchmark).
        p if p.starts_with("/bytes/") => {
            let len: u64 = p["/bytes/".len()..].parse().unwrap_or(0);
            request.respond(
                Response::new(
                    StatusCode(200),
                    vec![],
                    Generated {
                        left: len,
                        x: 0x9e37_79b9_7f4a_7c15,
                    },
                    usize::try_from(len).ok(),
                    None,
                )
                .with_chunked_threshold(usize::MAX),
            )
        }
        "/redirect" => request
            .respond(Response::empty(StatusCode(302)).with_header(header("Location", "/big.bin"))),
        "/error" => request.respond(Response::from_string("boom").with_status_code(500)),
        _ => request.respond(Response::from_string("no such file").with_status_code(404)),
    };
}

/// A URL on 127.0.0.1 where nothing listens (the port was free a moment ago).
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/file.bin")
}
