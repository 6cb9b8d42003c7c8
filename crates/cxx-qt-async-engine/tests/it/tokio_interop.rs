//! Tokio interop (feature `tokio`), headless, against real sockets on 127.0.0.1 served by the
//! test itself: tokio futures awaited by coroutines resume on the GUI thread, dropping one
//! closes its connection, shutdown stays within its bound.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use cxx_qt_async_engine::{on_tokio as rt, spawn_local, stats, testing::FakeLoop, Runtime};
use tokio::io::AsyncReadExt as _;

/// A server for one connection: sends `greeting`, then reports on `events` when it accepted
/// and what the client's side did next: `Ok(0)` once the client closed the connection.
fn one_connection_server(greeting: &'static [u8]) -> (SocketAddr, mpsc::Receiver<&'static str>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (events, received) = mpsc::channel();
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(greeting).unwrap();
        let _ = events.send("accepted");
        conn.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut buf = [0u8; 16];
        let _ = events.send(match conn.read(&mut buf) {
            Ok(0) => "closed by the client",
            Ok(_) => "data",
            Err(_) => "still open after 20 s",
        });
    });
    (addr, received)
}

/// Connects to `addr` and waits for a byte that never comes.
async fn wait_for_data(addr: SocketAddr) -> anyhow::Result<()> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut buf = [0u8; 1];
    stream.read_exact(&mut buf).await?;
    Ok(())
}

#[test]
fn a_tokio_future_awaited_directly_resumes_on_the_gui_thread() {
    let fake = FakeLoop::new();
    let (addr, _events) = one_connection_server(b"hello");
    let gui = thread::current().id();
    let got = fake.block_on(spawn_local(async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        assert_eq!(thread::current().id(), gui, "resumed after connect");
        let mut buf = vec![0u8; 5];
        stream.read_exact(&mut buf).await?;
        assert_eq!(thread::current().id(), gui, "resumed after read");
        anyhow::Ok(buf)
    }));
    assert_eq!(got.unwrap().unwrap(), b"hello");
}

#[test]
fn a_tokio_job_runs_off_the_gui_thread_and_resumes_on_it() {
    let fake = FakeLoop::new();
    let gui = thread::current().id();
    let (ran_on, resumed_on) = fake
        .block_on(spawn_local(async move {
            let ran_on = rt::spawn(async { thread::current().id() }).await?;
            anyhow::Ok((ran_on, thread::current().id()))
        }))
        .unwrap()
        .unwrap();
    assert_ne!(ran_on, gui);
    assert_eq!(resumed_on, gui);
}

#[test]
fn dropping_a_tokio_job_aborts_its_task_and_closes_its_connection() {
    let _fake = FakeLoop::new();
    let (addr, events) = one_connection_server(b"");
    // Spawned from the GUI thread, outside any coroutine.
    let job = rt::spawn(wait_for_data(addr));
    assert_eq!(events.recv_timeout(Duration::from_secs(10)), Ok("accepted"));
    drop(job);
    assert_eq!(
        events.recv_timeout(Duration::from_secs(30)),
        Ok("closed by the client")
    );
}

#[test]
fn dropping_a_coroutine_that_awaits_tokio_io_closes_its_connection() {
    let fake = FakeLoop::new();
    let (addr, events) = one_connection_server(b"");
    let reader = spawn_local(wait_for_data(addr));
    // The accept is no wake of the loop: turn it while waiting for the server's word.
    let deadline = Instant::now() + Duration::from_secs(10);
    while events.recv_timeout(Duration::from_millis(10)) != Ok("accepted") {
        assert!(Instant::now() < deadline, "the server never accepted");
        fake.turn();
    }
    drop(reader);
    // The cancelled coroutine's future (and its socket) is dropped at the next drain.
    fake.run_until(|| stats().live_coroutines == 0).unwrap();
    assert_eq!(
        events.recv_timeout(Duration::from_secs(30)),
        Ok("closed by the client")
    );
}

#[test]
#[allow(deprecated)] // TokioJob::abort stays one release
fn an_aborted_tokio_job_is_a_cancelled_error_naming_its_site() {
    let fake = FakeLoop::new();
    let err = fake
        .block_on(spawn_local(async {
            let line = line!() + 1;
            let job = rt::spawn(std::future::pending::<()>());
            job.abort();
            (job.await.unwrap_err(), line)
        }))
        .unwrap();
    let (err, line) = err;
    assert!(err.is_cancelled(), "{err}");
    assert_eq!(err.site().line(), line);
}

#[test]
fn shutdown_with_tokio_tasks_in_flight_ends_within_its_bound() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(
        Runtime::builder()
            .shutdown_wait(Duration::from_millis(200))
            .tokio_worker_threads(2),
    );
    let (addr, events) = one_connection_server(b"");
    fake.block_on(spawn_local(async move {
        // A download stalled on a silent server...
        rt::spawn(wait_for_data(addr)).detach();
        // ...and a task that blocks its tokio thread and ignores cancellation.
        rt::spawn(async { thread::sleep(Duration::from_secs(20)) }).detach();
    }))
    .unwrap();
    assert_eq!(events.recv_timeout(Duration::from_secs(10)), Ok("accepted"));
    let started = Instant::now();
    drop(runtime);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "shutdown took {took:?}, its bound is 200 ms"
    );
    assert_eq!(
        events.recv_timeout(Duration::from_secs(30)),
        Ok("closed by the client"),
        "the stalled download's connection was closed by the shutdown"
    );
}

#[test]
fn cancel_await_resolves_after_the_aborted_tokio_task_has_let_go() {
    let fake = FakeLoop::new();
    let (started_tx, started) = mpsc::channel();
    let released = Arc::new(AtomicBool::new(false));
    struct Holds(Arc<AtomicBool>);
    impl Drop for Holds {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let holds = Holds(Arc::clone(&released));
    // The tokio task blocks its thread until the test lets it go (bounded, so that a broken
    // cancel fails instead of hanging), not for a fixed time a slow machine could outlast.
    let (release, held) = mpsc::channel::<()>();
    let task = spawn_local(async move {
        // A tokio task that blocks its thread for a while before reaching an await point, so
        // the abort takes effect only then.
        let _ = rt::spawn(async move {
            let _holds = holds;
            started_tx.send(()).unwrap();
            let _ = held.recv_timeout(Duration::from_secs(60));
            std::future::pending::<()>().await
        })
        .await;
    });
    fake.turn();
    started.recv_timeout(Duration::from_secs(10)).unwrap();
    let released_at_resolve = fake
        .block_on(spawn_local({
            let released = Arc::clone(&released);
            async move {
                let mut cancel = std::pin::pin!(task.cancel());
                // While the tokio task holds its thread, the cancel must not resolve.
                for _ in 0..3 {
                    assert!(
                        futures::poll!(cancel.as_mut()).is_pending(),
                        "cancel().await resolved while the tokio task still held its future"
                    );
                    cxx_qt_async_engine::sleep(Duration::from_millis(5)).await;
                }
                release.send(()).unwrap();
                assert!(cancel.await.is_none());
                released.load(Ordering::SeqCst)
            }
        }))
        .unwrap();
    assert!(
        released_at_resolve,
        "cancel().await resolved before the tokio task's future was dropped"
    );
}

/// Counts its drops, and on which thread they happened.
struct DropProbe {
    drops: Arc<std::sync::atomic::AtomicUsize>,
    on_gui: Arc<std::sync::atomic::AtomicUsize>,
    gui: thread::ThreadId,
}

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        if thread::current().id() == self.gui {
            self.on_gui.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[test]
fn shutdown_drops_coroutines_parked_on_tokio_on_the_gui_thread() {
    // Coroutines parked on tokio I/O and timers are referenced by tokio's wakers only: the
    // runtime's shutdown still drops each (its destructors run), on the GUI thread.
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(Runtime::builder().shutdown_wait(Duration::from_secs(5)));
    let (drops, on_gui) = (Arc::default(), Arc::default());
    let probe = || DropProbe {
        drops: Arc::clone(&drops),
        on_gui: Arc::clone(&on_gui),
        gui: thread::current().id(),
    };
    const N: usize = 20;
    let (addr, _events) = one_connection_server(b"");
    for i in 0..N {
        let probe = probe();
        spawn_local(async move {
            let _probe = probe;
            if i == 0 {
                let _ = wait_for_data(addr).await; // tokio I/O
            } else {
                tokio::time::sleep(Duration::from_secs(3600)).await; // tokio's timer
            }
        })
        .detach();
    }
    fake.run_until(|| stats().polls >= N as u64).unwrap();
    drop(runtime);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        N,
        "every parked coroutine was dropped"
    );
    assert_eq!(on_gui.load(Ordering::SeqCst), N, "on the GUI thread");
}

/// Whether process `pid` still runs (a zombie, dead but not yet reaped, does not).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat[stat.rfind(')').unwrap() + 1..]
            .split_whitespace()
            .next();
        !matches!(state, Some("Z" | "X"))
    })
}

#[test]
#[cfg_attr(miri, ignore = "starts a process")]
fn shutdown_kills_the_child_process_of_a_dropped_coroutine() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(Runtime::builder());
    let (pid_tx, pid_rx) = mpsc::channel();
    spawn_local(async move {
        let mut child = tokio::process::Command::new("sleep")
            .arg("600")
            .kill_on_drop(true) // dropped with the coroutine
            .spawn()
            .expect("sleep(1) starts");
        pid_tx.send(child.id().expect("a running child")).unwrap();
        let _ = child.wait().await;
    })
    .detach();
    fake.run_until(|| stats().polls >= 1).unwrap();
    let pid = pid_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(running(pid), "the child runs while its coroutine waits");
    drop(runtime);
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(pid) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !running(pid),
        "the child of a dropped coroutine was killed at shutdown"
    );
}
