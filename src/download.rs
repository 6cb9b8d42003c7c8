//! The download job's parts: checking a typed URL and target, and the transfer itself, an
//! HTTP(S) GET streamed to a `.part` file (moved to its name when complete, never over a file
//! that exists by then; removed when not complete), hashed as it arrives. The transfer is a
//! `Send` future: the job runs it on the runtime's tokio threads and shows its progress on the
//! GUI thread. Certificates are checked against the system's trust store (a company's own CA
//! installed there is trusted).
//!
//! The messages are English, like every text the jobs produce in Rust (see `jobs.rs`): their
//! chains end in reqwest's and the OS's English messages.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use reqwest::Url;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt as _;

use super::files::human_size;

/// How long a server may send nothing (while connecting, or mid-body) before the download
/// gives up: `$ASYNC_JOBS_STALL_TIMEOUT_SECS`, else 30 s.
pub fn stall_timeout() -> Duration {
    std::env::var("ASYNC_JOBS_STALL_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_secs(30), Duration::from_secs_f64)
}

/// Checks a typed URL: an absolute `http` or `https` URL with a host.
///
/// # Examples
///
/// ```
/// use async_jobs::download::parse_url;
/// assert!(parse_url("https://example.com/a.zip").is_ok());
/// assert_eq!(parse_url("").unwrap_err(), "Enter a URL");
/// assert_eq!(
///     parse_url("ftp://example.com/a").unwrap_err(),
///     "Only http and https URLs can be downloaded, not ftp:"
/// );
/// ```
pub fn parse_url(text: &str) -> Result<Url, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter a URL".to_owned());
    }
    let url = Url::parse(text).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => {
            format!("“{text}” is not a URL: start it with http:// or https://")
        }
        other => format!("“{text}” is not a URL: {other}"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "Only http and https URLs can be downloaded, not {}:",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("“{text}” names no host"));
    }
    Ok(url)
}

/// The file name a URL suggests: its last path segment (percent-decoded), else `download`.
pub fn file_name_for(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .replace(['/', '\0'], "_")
                .trim()
                .to_owned()
        })
        .filter(|s| !s.is_empty() && s != "." && s != "..")
        .unwrap_or_else(|| "download".to_owned())
}

/// What a row says a download works on: the URL's file name (or its host, when the path names
/// no file) and its host.
///
/// ```
/// use async_jobs::download::{parse_url, subject};
/// let url = parse_url("http://127.0.0.1:8080/files/big%20one.bin?x=1").unwrap();
/// assert_eq!(subject(&url), ("big one.bin".to_owned(), "127.0.0.1".to_owned()));
/// let url = parse_url("https://example.com/").unwrap();
/// assert_eq!(subject(&url), ("example.com".to_owned(), "example.com".to_owned()));
/// ```
pub fn subject(url: &Url) -> (String, String) {
    let host = url.host_str().unwrap_or("?").to_owned();
    let named = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .is_some_and(|s| !s.is_empty());
    let name = if named {
        file_name_for(url)
    } else {
        host.clone()
    };
    (name, host)
}

/// The user's downloads folder: the desktop's (`XDG_DOWNLOAD_DIR` in `user-dirs.dirs`, read
/// by the `dirs` crate), else `~/Downloads`.
pub fn downloads_folder() -> Option<PathBuf> {
    dirs::download_dir().or_else(|| Some(dirs::home_dir()?.join("Downloads")))
}

/// Where a download goes: a typed folder (or, when empty, the downloads folder) gets the URL's
/// file name, made unique so nothing is overwritten; a typed file path is used as it is, if its
/// folder exists and no file has that name yet.
///
/// # Examples
///
/// ```
/// use async_jobs::download::{parse_target, parse_url};
/// let dir = tempfile::tempdir().unwrap(); // removed at the end
/// let url = parse_url("http://127.0.0.1/files/report.pdf").unwrap();
/// let folder = dir.path().to_str().unwrap();
/// assert_eq!(parse_target(folder, &url).unwrap(), dir.path().join("report.pdf"));
/// std::fs::write(dir.path().join("report.pdf"), b"kept").unwrap();
/// assert_eq!(parse_target(folder, &url).unwrap(), dir.path().join("report (1).pdf"));
/// ```
pub fn parse_target(text: &str, url: &Url) -> Result<PathBuf, String> {
    let text = text.trim();
    let folder_or_file = if text.is_empty() {
        let folder = downloads_folder()
            .ok_or("Enter where to save the file (no downloads folder: HOME is not set)")?;
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("Cannot create {}: {e}", folder.display()))?;
        folder
    } else {
        crate::paths::typed_path(text)
    };
    if folder_or_file.is_dir() {
        return Ok(unique_in(&folder_or_file, &file_name_for(url)));
    }
    if folder_or_file.exists() {
        return Err(format!(
            "{} already exists; choose another name or a folder",
            folder_or_file.display()
        ));
    }
    let parent = folder_or_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(format!("No such folder: {}", parent.display()));
    }
    Ok(folder_or_file)
}

/// `name` in `folder`, or `name (1)`, `name (2)`... before the extension, the first that is free.
fn unique_in(folder: &Path, name: &str) -> PathBuf {
    let first = folder.join(name);
    if !first.exists() && !part_path(&first).exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    (1..)
        .map(|n| folder.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists() && !part_path(p).exists())
        .expect("some free name")
}

/// The partial file next to `target`: `target.part`.
pub fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    target.with_file_name(name)
}

/// How far a transfer is: bytes received, and the total when the server said it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transfer {
    /// Bytes written so far.
    pub done: u64,
    /// The body's length (`Content-Length`), if known.
    pub total: Option<u64>,
}

impl Transfer {
    /// The progress text: bytes, speed and time left (when the length is known).
    ///
    /// ```
    /// use async_jobs::download::Transfer;
    /// let t = Transfer { done: 50 << 20, total: Some(100 << 20) };
    /// assert_eq!(t.describe(2.0), "50.0 MiB of 100.0 MiB · 25.0 MiB/s · 2 s left");
    /// let t = Transfer { done: 3 << 20, total: None };
    /// assert_eq!(t.describe(1.0), "3.0 MiB · 3.0 MiB/s");
    /// ```
    pub fn describe(&self, elapsed_secs: f64) -> String {
        let rate = if elapsed_secs > 0.0 {
            self.done as f64 / elapsed_secs
        } else {
            0.0
        };
        let speed = format!("{}/s", human_size(rate as u64));
        match self.total {
            Some(total) => {
                let left = if rate > 0.0 {
                    let secs = (total.saturating_sub(self.done) as f64 / rate).ceil() as u64;
                    format!(" · {} left", human_duration(secs))
                } else {
                    String::new()
                };
                format!(
                    "{} of {} · {speed}{left}",
                    human_size(self.done),
                    human_size(total)
                )
            }
            None => format!("{} · {speed}", human_size(self.done)),
        }
    }

    /// The fraction done, or -1 (indeterminate) without a known length.
    pub fn fraction(&self) -> f64 {
        match self.total {
            Some(0) => 1.0,
            Some(total) => self.done as f64 / total as f64,
            None => -1.0,
        }
    }
}

fn human_duration(secs: u64) -> String {
    match secs {
        0..=99 => format!("{secs} s"),
        100..=5999 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs / 60 % 60),
    }
}

/// What a finished download saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Where.
    pub path: PathBuf,
    /// How many bytes.
    pub bytes: u64,
    /// Their SHA-256, in hex.
    pub sha256: String,
}

/// The partial file: removed when dropped unless the download completed (also when the task is
/// aborted mid-transfer: its future, and this with it, is dropped on a tokio thread).
struct PartFile {
    path: PathBuf,
    file: Option<tokio::fs::File>,
}

impl PartFile {
    /// Creates `path` (it must not exist) together with its guard: no `.await` lies between
    /// the two, so a cancel (which lands at an `.await`) finds either no file or the guard that
    /// removes it. (Opening through `tokio::fs` would await a blocking thread that goes on
    /// opening after a cancel, and leave the file behind.) A local open is quick; it blocks
    /// this tokio thread for that moment.
    fn create(path: PathBuf) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self {
            path,
            file: Some(tokio::fs::File::from_std(file)),
        })
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Downloads `url` into `target` (through `target.part`), reporting each chunk to `report`.
/// A `Send` future for the runtime's tokio threads; the error says what went wrong in words
/// (not resolved, refused, HTTP status, stalled, cannot write), its chain the details.
pub async fn download(
    url: Url,
    target: PathBuf,
    stall: Duration,
    report: impl Fn(Transfer) + Send,
) -> anyhow::Result<Saved> {
    let client = reqwest::Client::builder()
        .connect_timeout(stall)
        .read_timeout(stall)
        // The system's trust store (rustls-native-certs: /etc/ssl/certs, or $SSL_CERT_FILE),
        // not a bundled copy of the web's roots.
        .tls_built_in_native_certs(true)
        .user_agent(concat!("async-jobs/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("setting up the HTTP client")?;
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| explain(e, &url, stall, None))?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!("the server answered {status} for {url}");
    }
    let total = response.content_length();
    let mut progress = Transfer { done: 0, total };
    report(progress);
    let part = part_path(&target);
    let mut part = PartFile::create(part.clone())
        .with_context(|| format!("cannot create {}", part.display()))?;
    let mut hasher = Sha256::new();
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(explain(e, &url, stall, Some(progress))),
        };
        hasher.update(&chunk);
        let file = part.file.as_mut().expect("open until the end");
        file.write_all(&chunk)
            .await
            .with_context(|| format!("cannot write {}", part.path.display()))?;
        progress.done += chunk.len() as u64;
        report(progress);
    }
    let mut file = part.file.take().expect("open until the end");
    let written = async {
        file.flush().await?;
        file.sync_all().await
    }
    .await
    .with_context(|| format!("cannot write {}", part.path.display()));
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part.path);
        return Err(e);
    }
    if let Some(total) = total {
        if progress.done != total {
            let _ = std::fs::remove_file(&part.path);
            anyhow::bail!(
                "the server sent {} of the {} it announced",
                progress.done,
                total
            );
        }
    }
    let target = match publish(&part.path, &target) {
        Ok(saved) => saved,
        Err(e) => {
            let _ = std::fs::remove_file(&part.path);
            return Err(e).with_context(|| format!("cannot write {}", target.display()));
        }
    };
    Ok(Saved {
        path: target,
        bytes: progress.done,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Gives the complete `part` its name: `target`, or, if a file of that name exists by now
/// (made after the download started), the next free `name (1).ext`. Never replaces a file: the
/// kernel checks and renames in one step (`renameat2` with `RENAME_NOREPLACE`); where the file
/// system does not offer that, a hard link (which fails on an existing name) and an unlink of
/// the partial name do. Returns where the file went.
pub fn publish(part: &Path, target: &Path) -> std::io::Result<PathBuf> {
    let folder = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidate = target.to_path_buf();
    for n in 1..=10_000u32 {
        match rename_no_replace(part, &candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                candidate = numbered(folder, &name, n);
            }
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "no free name left for {name} in {}",
        folder.display()
    )))
}

/// `name` in `folder` as `stem (n).ext`.
fn numbered(folder: &Path, name: &str, n: u32) -> PathBuf {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => folder.join(format!("{stem} ({n}).{ext}")),
        _ => folder.join(format!("{name} ({n})")),
    }
}

/// Renames `from` to `to` unless `to` exists (`AlreadyExists` then), atomically.
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use nix::errno::Errno;
        use nix::fcntl::{renameat2, RenameFlags, AT_FDCWD};
        match renameat2(AT_FDCWD, from, AT_FDCWD, to, RenameFlags::RENAME_NOREPLACE) {
            Ok(()) => return Ok(()),
            // The file system cannot do it: link and unlink below.
            Err(Errno::EINVAL | Errno::ENOSYS | Errno::EOPNOTSUPP) => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// Says in words what a failed request means (and, mid-body, how far it got); reqwest's own
/// error stays in the chain.
fn explain(
    error: reqwest::Error,
    url: &Url,
    stall: Duration,
    got: Option<Transfer>,
) -> anyhow::Error {
    let after = match got {
        Some(Transfer {
            done,
            total: Some(total),
        }) => format!(" after {} of {}", human_size(done), human_size(total)),
        Some(Transfer { done, total: None }) => format!(" after {}", human_size(done)),
        None => String::new(),
    };
    let host = url.host_str().unwrap_or("?").to_owned();
    let chain = {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    };
    let refused = io_kind(&error) == Some(std::io::ErrorKind::ConnectionRefused);
    let port = url.port_or_known_default().unwrap_or(0);
    // A stall and a refused connection say all there is in a sentence: reqwest's chain would
    // only repeat it ("operation timed out", "Connection refused" three times); it is logged.
    if error.is_timeout() {
        tracing::debug!(%url, "download stalled: {chain}");
        let secs = stall.as_secs_f64();
        return anyhow::anyhow!("no data for {secs} s from {host}{after}; gave up");
    }
    if error.is_connect() && refused {
        tracing::debug!(%url, "connection refused: {chain}");
        return anyhow::anyhow!(
            "{host}:{port} refused the connection (is a server running there?)"
        );
    }
    let summary = if error.is_connect() && (chain.contains("dns error") || chain.contains("lookup"))
    {
        format!("could not resolve the host name {host}")
    } else if error.is_connect() {
        format!("could not connect to {host}:{port}")
    } else if error.is_redirect() {
        format!("too many redirects from {url}")
    } else {
        format!("the transfer from {host} failed{after}")
    };
    anyhow::Error::new(error).context(summary)
}

fn io_kind(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_a_scheme_says_how_to_write_it() {
        assert_eq!(
            parse_url("example.com/file").unwrap_err(),
            "“example.com/file” is not a URL: start it with http:// or https://"
        );
    }

    #[test]
    fn an_international_domain_name_is_sent_as_punycode_and_a_bad_one_is_refused() {
        // UTS 46 through idna_adapter (Cargo.toml: unicode-rs tables, not ICU4X's): mapped
        // (case folded, normalised), then encoded; a disallowed label is an error in words.
        let host = |u: &str| parse_url(u).unwrap().host_str().unwrap().to_owned();
        assert_eq!(host("http://Bücher.example/x"), "xn--bcher-kva.example");
        assert_eq!(host("https://ÉCOLE.fr/"), "xn--cole-9oa.fr");
        assert_eq!(host("http://日本語.jp/"), "xn--wgv71a119e.jp");
        let refused = parse_url("http://a\u{202e}b.example/").unwrap_err();
        assert!(refused.contains("is not a URL"), "{refused}");
    }

    #[test]
    fn the_file_name_comes_from_the_last_path_segment() {
        let name = |u: &str| file_name_for(&parse_url(u).unwrap());
        assert_eq!(name("http://h/a/b%20c.txt"), "b c.txt");
        assert_eq!(name("http://h/"), "download");
        assert_eq!(name("http://h/a/b%2Fc"), "b_c");
        assert_eq!(name("http://h/a/%E2%82%AC%"), "€%");
    }

    #[test]
    fn a_percent_sign_before_a_plus_is_not_decoded() {
        // `%+1` is not an escape: u8::from_str_radix("+1", 16) took it for 0x01.
        let name = |u: &str| file_name_for(&parse_url(u).unwrap());
        assert_eq!(name("http://h/50%+1.txt"), "50%+1.txt");
        assert_eq!(name("http://h/a%-1"), "a%-1");
    }

    #[test]
    fn publishing_never_replaces_an_existing_file_and_takes_the_next_free_name() {
        let dir = tempfile::Builder::new()
            .prefix("async-jobs-publish-")
            .tempdir()
            .unwrap();
        let target = dir.path().join("report.pdf");
        std::fs::write(&target, "kept").unwrap();
        std::fs::write(dir.path().join("report (1).pdf"), "kept too").unwrap();
        let part = part_path(&target);
        std::fs::write(&part, "new").unwrap();
        let saved = publish(&part, &target).unwrap();
        assert_eq!(saved, dir.path().join("report (2).pdf"));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
        assert_eq!(std::fs::read_to_string(&saved).unwrap(), "new");
        assert!(!part.exists());
    }

    #[test]
    fn a_typed_file_in_a_missing_folder_is_refused() {
        let url = parse_url("http://h/x").unwrap();
        assert_eq!(
            parse_target("/no/such/folder/x.bin", &url).unwrap_err(),
            "No such folder: /no/such/folder"
        );
    }
}
