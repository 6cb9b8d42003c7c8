//! The app's file jobs as plain functions: hashing a file, scanning a folder, compressing.
//! Nothing here knows about Qt or the engine; each takes a callback for progress or items that
//! also says whether to go on (`false`: the job was cancelled).

use std::fs::File;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use sha2::{Digest, Sha256};

/// Why a typed path or pattern was refused; shown under the input field (nothing starts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Nothing typed.
    #[error("Enter a path")]
    Empty,
    /// Nothing at that path.
    #[error("No such file or folder: {0}")]
    Missing(String),
    /// A folder where a file is needed.
    #[error("{0} is a folder; choose a file")]
    NotAFile(String),
    /// A file where a folder is needed.
    #[error("{0} is not a folder")]
    NotAFolder(String),
    /// A name pattern that does not parse.
    #[error("Bad pattern “{pattern}”: {reason}")]
    BadPattern {
        /// What was typed.
        pattern: String,
        /// Why it does not parse.
        reason: String,
    },
}

/// Checks a typed file path: it must name an existing file (a `file://` URL is accepted too).
///
/// # Examples
///
/// ```
/// use async_jobs::files::{parse_file, PathError};
/// assert_eq!(parse_file(""), Err(PathError::Empty));
/// assert!(matches!(parse_file("/no/such/file"), Err(PathError::Missing(_))));
/// ```
pub fn parse_file(text: &str) -> Result<PathBuf, PathError> {
    let path = parse_path(text)?;
    if path.is_dir() {
        return Err(PathError::NotAFile(path.display().to_string()));
    }
    Ok(path)
}

/// Checks a typed folder path: it must name an existing folder.
pub fn parse_folder(text: &str) -> Result<PathBuf, PathError> {
    let path = parse_path(text)?;
    if !path.is_dir() {
        return Err(PathError::NotAFolder(path.display().to_string()));
    }
    Ok(path)
}

fn parse_path(text: &str) -> Result<PathBuf, PathError> {
    if text.trim().is_empty() {
        return Err(PathError::Empty);
    }
    let path = crate::paths::typed_path(text);
    // `exists` follows links; a dangling link or an unreachable path counts as missing.
    if !path.exists() {
        return Err(PathError::Missing(path.display().to_string()));
    }
    Ok(path)
}

/// Parses a file-name pattern (`*`, `?`, `[abc]`); empty means every file.
///
/// # Examples
///
/// ```
/// use async_jobs::files::parse_pattern;
/// assert!(parse_pattern("*.rs").unwrap().matches("main.rs"));
/// assert!(parse_pattern("[unclosed").is_err());
/// ```
pub fn parse_pattern(text: &str) -> Result<glob::Pattern, PathError> {
    let text = text.trim();
    let text = if text.is_empty() { "*" } else { text };
    glob::Pattern::new(text).map_err(|e| PathError::BadPattern {
        pattern: text.to_owned(),
        reason: e.msg.to_owned(),
    })
}

/// How much a job reads at a time (and how often it reports and checks for cancellation).
pub const CHUNK: usize = 1 << 20;

/// The SHA-256 of the file at `path`, as lowercase hex, with the file's size. `progress` gets
/// (bytes read, total) after each chunk; when it returns `false` the hash stops (`Ok(None)`).
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir().unwrap(); // removed at the end
/// let path = dir.path().join("abc.txt");
/// std::fs::write(&path, "abc").unwrap();
/// let (hex, size) = async_jobs::files::sha256_file(&path, |_, _| true).unwrap().unwrap();
/// assert_eq!(size, 3);
/// assert!(hex.starts_with("ba7816bf"));
/// ```
pub fn sha256_file(
    path: &Path,
    mut progress: impl FnMut(u64, u64) -> bool,
) -> anyhow::Result<Option<(String, u64)>> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let total = file
        .metadata()
        .with_context(|| format!("reading the size of {}", path.display()))?
        .len();
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; CHUNK];
    let mut done = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        done += n as u64;
        if !progress(done, total) {
            return Ok(None);
        }
    }
    Ok(Some((hex::encode(hasher.finalize()), done)))
}

/// What a folder scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Matching files.
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Folders (or entries) that could not be read, with why; the scan went on without them.
    pub unreadable: Vec<String>,
}

/// One thing a scan reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A matching file and its size.
    File(PathBuf, u64),
    /// Something that could not be read, and why.
    Unreadable(String),
}

/// Walks `root` (following links; loops are detected), reporting each file whose name matches
/// `pattern` and each unreadable entry (a folder without permission, a dangling link, a link
/// loop) through `found`, which returns `false` to stop (`Ok(None)`).
pub fn scan_folder(
    root: &Path,
    pattern: &glob::Pattern,
    mut found: impl FnMut(Found) -> bool,
) -> anyhow::Result<Option<ScanSummary>> {
    let mut summary = ScanSummary::default();
    for entry in walkdir::WalkDir::new(root).follow_links(true) {
        let item = match entry {
            Ok(entry) if entry.file_type().is_file() => {
                if !pattern.matches(&entry.file_name().to_string_lossy()) {
                    continue;
                }
                let size = entry.metadata().map_or(0, |m| m.len());
                summary.files += 1;
                summary.bytes += size;
                Found::File(entry.into_path(), size)
            }
            Ok(_) => continue,
            Err(err) => {
                let what = match (err.path(), err.io_error()) {
                    (Some(path), Some(io)) => format!("{}: {io}", path.display()),
                    _ => err.to_string(),
                };
                summary.unreadable.push(what.clone());
                Found::Unreadable(what)
            }
        };
        if !found(item) {
            return Ok(None);
        }
    }
    Ok(Some(summary))
}

/// Compresses `data` with DEFLATE (zlib format), reporting (bytes done, total) per chunk;
/// `Ok(None)` when `progress` says stop.
pub fn compress(
    data: &[u8],
    mut progress: impl FnMut(u64, u64) -> bool,
) -> anyhow::Result<Option<Vec<u8>>> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let total = data.len() as u64;
    let mut done = 0u64;
    for chunk in data.chunks(CHUNK) {
        encoder.write_all(chunk).context("compressing")?;
        done += chunk.len() as u64;
        if !progress(done, total) {
            return Ok(None);
        }
    }
    Ok(Some(
        encoder
            .finish()
            .context("finishing the compressed stream")?,
    ))
}

/// The SHA-256 of `data`, as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A size in bytes for people: "1.5 MiB".
///
/// # Examples
///
/// ```
/// use async_jobs::files::human_size;
/// assert_eq!(human_size(512), "512 B");
/// assert_eq!(human_size(3 << 20), "3.0 MiB");
/// ```
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder of its own, removed when the test ends (even when it fails).
    fn temp_dir(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("async-jobs-{name}-"))
            .tempdir()
            .unwrap()
    }

    #[test]
    fn sha256_matches_the_known_digest_across_chunks() {
        let tmp = temp_dir("sha");
        let dir = tmp.path();
        let path = dir.join("million-a.txt");
        std::fs::write(&path, vec![b'a'; 1_000_000]).unwrap();
        let (hex, size) = sha256_file(&path, |_, _| true).unwrap().unwrap();
        // FIPS 180-2 test vector: one million 'a'.
        assert_eq!(
            hex,
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        assert_eq!(size, 1_000_000);
        let big = dir.join("three-chunks.bin");
        std::fs::write(&big, vec![7u8; 3 * CHUNK + 5]).unwrap();
        let mut reports = Vec::new();
        sha256_file(&big, |done, total| {
            reports.push((done, total));
            true
        })
        .unwrap();
        assert_eq!(reports.len(), 4, "one report per chunk: {reports:?}");
        assert_eq!(
            reports.last(),
            Some(&(3 * CHUNK as u64 + 5, 3 * CHUNK as u64 + 5))
        );
        assert_eq!(
            sha256_file(&big, |_, _| false).unwrap(),
            None,
            "stops when told"
        );
    }

    #[test]
    fn hashing_a_missing_file_names_the_file_in_its_error() {
        let err = sha256_file(Path::new("/no/such/file.bin"), |_, _| true).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.starts_with("opening /no/such/file.bin: "), "{text}");
        assert!(text.contains("No such file"), "{text}");
    }

    #[test]
    fn typed_paths_are_checked_before_anything_starts() {
        let tmp = temp_dir("paths");
        let dir = tmp.path();
        let file = dir.join("a.txt");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(parse_file("  "), Err(PathError::Empty));
        assert_eq!(
            parse_file(&dir.display().to_string()),
            Err(PathError::NotAFile(dir.display().to_string()))
        );
        assert_eq!(
            parse_file(&format!("file://{}", file.display())),
            Ok(file.clone())
        );
        let odd = dir.join("a b#1%20.txt");
        std::fs::write(&odd, "x").unwrap();
        let url = crate::paths::file_url(&odd).unwrap();
        assert_eq!(parse_file(url.as_str()), Ok(odd.clone()), "{url}");
        assert_eq!(
            parse_folder(&file.display().to_string()),
            Err(PathError::NotAFolder(file.display().to_string()))
        );
        assert!(matches!(
            parse_folder("/no/such/dir"),
            Err(PathError::Missing(_))
        ));
        assert!(matches!(
            parse_pattern("[unclosed"),
            Err(PathError::BadPattern { .. })
        ));
        assert!(parse_pattern("").unwrap().matches("anything"));
    }

    #[test]
    fn scan_finds_matching_files_and_reports_unreadable_folders_without_stopping() {
        let tmp = temp_dir("scan");
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("sub/deeper")).unwrap();
        std::fs::write(dir.join("a.rs"), "12345").unwrap();
        std::fs::write(dir.join("b.txt"), "1").unwrap();
        std::fs::write(dir.join("sub/deeper/c.rs"), "123").unwrap();
        std::os::unix::fs::symlink("/no/such/target", dir.join("sub/dangling.rs")).unwrap();
        let locked = dir.join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("hidden.rs"), "1").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        // root reads everything: then there is nothing unreadable to report.
        let root_user = std::fs::read_dir(&locked).is_ok();

        let mut seen = Vec::new();
        let summary = scan_folder(dir, &parse_pattern("*.rs").unwrap(), |f| {
            seen.push(f);
            true
        })
        .unwrap()
        .unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();

        let expected_files = if root_user { 3 } else { 2 };
        assert_eq!(summary.files, expected_files, "{seen:?}");
        assert!(seen.contains(&Found::File(dir.join("sub/deeper/c.rs"), 3)));
        assert!(
            summary.unreadable.iter().any(|u| u.contains("dangling.rs")),
            "the dangling link is reported: {summary:?}"
        );
        if !root_user {
            assert_eq!(summary.bytes, 8);
            assert_eq!(summary.unreadable.len(), 2, "{summary:?}");
            assert!(
                summary.unreadable.iter().any(|u| u.contains("locked")),
                "{summary:?}"
            );
        }
    }

    #[test]
    fn compressed_data_inflates_back_to_the_original() {
        use std::io::Read as _;
        let data: Vec<u8> = (0..3 * CHUNK).map(|i| (i % 251) as u8).collect();
        let packed = compress(&data, |_, _| true).unwrap().unwrap();
        assert!(packed.len() < data.len() / 10, "{} bytes", packed.len());
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&packed[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }
}
