//! The download job's parts: checking a typed URL and target, and the transfer itself, an
//! HTTP(S) GET streamed to a `.part` file (renamed when complete, removed when not), hashed as
//! it arrives. The transfer is a `Send` future: the job runs it on the runtime's tokio threads
//! and shows its progress on the GUI thread.

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

/// The file name a URL suggests: its last path segment, else `download`.
pub fn file_name_for(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .map(|s| {
            percent_decode(s)
                .replace(['/', '\0'], "_")
                .trim()
                .to_owned()
        })
        .filter(|s| !s.is_empty() && s != "." && s != "..")
        .unwrap_or_else(|| "download".to_owned())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The user's downloads folder: `$XDG_DOWNLOAD_DIR`, else `~/Downloads`.
pub fn downloads_folder() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    var("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join("Downloads")))
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
    let text = text.strip_prefix("file://").unwrap_or(text);
    let folder_or_file = if text.is_empty() {
        let folder = downloads_folder()
            .ok_or("Enter where to save the file (no downloads folder: HOME is not set)")?;
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("Cannot create {}: {e}", folder.display()))?;
        folder
    } else {
        PathBuf::from(text)
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
        .user_agent(concat!("async-jobs/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("setting up the HTTP client")?;
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| explain(e, &url, stall))?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!("the server answered {status} for {url}");
    }
    let total = response.content_length();
    let part = part_path(&target);
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&part)
        .await
        .with_context(|| format!("cannot create {}", part.display()))?;
    let mut part = PartFile {
        path: part,
        file: Some(file),
    };
    let mut hasher = Sha256::new();
    let mut progress = Transfer { done: 0, total };
    report(progress);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| explain(e, &url, stall))?
    {
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
    if let Err(e) = std::fs::rename(&part.path, &target) {
        let _ = std::fs::remove_file(&part.path);
        return Err(e).with_context(|| format!("cannot write {}", target.display()));
    }
    Ok(Saved {
        path: target,
        bytes: progress.done,
        sha256: hex(&hasher.finalize()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Says in words what a failed request means; reqwest's own error stays in the chain.
fn explain(error: reqwest::Error, url: &Url, stall: Duration) -> anyhow::Error {
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
    let summary = if error.is_timeout() {
        format!("{host} sent nothing for {} s; gave up", stall.as_secs_f64())
    } else if error.is_connect() && refused {
        let port = url.port_or_known_default().unwrap_or(0);
        format!("{host}:{port} refused the connection (is the server running?)")
    } else if error.is_connect() && (chain.contains("dns error") || chain.contains("lookup")) {
        format!("could not resolve the host name {host}")
    } else if error.is_connect() {
        format!("could not connect to {host}")
    } else if error.is_redirect() {
        format!("too many redirects from {url}")
    } else {
        format!("the transfer from {host} failed")
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
    fn the_file_name_comes_from_the_last_path_segment() {
        let name = |u: &str| file_name_for(&parse_url(u).unwrap());
        assert_eq!(name("http://h/a/b%20c.txt"), "b c.txt");
        assert_eq!(name("http://h/"), "download");
        assert_eq!(name("http://h/a/b%2Fc"), "b_c");
        assert_eq!(name("http://h/a/%E2%82%AC%"), "€%");
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
