//! Typed paths and `file:` URLs, converted by the `url` crate (percent-decoding, `#`, `?` and
//! spaces in names), never by cutting a prefix.

use std::path::{Path, PathBuf};

use url::Url;

/// What a person typed, or a dialog handed over, as a path: a `file:` URL is converted
/// (`file:///tmp/a%20b%23c` is `/tmp/a b#c`); anything else is taken as a path as it is.
///
/// # Examples
///
/// ```
/// use async_jobs::paths::typed_path;
/// use std::path::Path;
/// assert_eq!(typed_path("file:///tmp/a%20b%23c"), Path::new("/tmp/a b#c"));
/// assert_eq!(typed_path("/tmp/50%25 off"), Path::new("/tmp/50%25 off"));
/// ```
pub fn typed_path(text: &str) -> PathBuf {
    let text = text.trim();
    if text
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
    {
        if let Some(path) = Url::parse(text).ok().and_then(|u| u.to_file_path().ok()) {
            return path;
        }
    }
    PathBuf::from(text)
}

/// The `file:` URL of `path` (made absolute against the current folder), for a file dialog.
///
/// # Examples
///
/// ```
/// use async_jobs::paths::file_url;
/// let url = file_url(std::path::Path::new("/tmp/a b#c?d%e")).unwrap();
/// assert_eq!(url.as_str(), "file:///tmp/a%20b%23c%3Fd%25e");
/// ```
pub fn file_url(path: &Path) -> Option<Url> {
    let absolute = std::path::absolute(path).ok()?;
    Url::from_file_path(absolute).ok()
}

/// The nearest existing folder at or above `path` (a file's folder; for a path that does not
/// exist yet, the first folder above it that does).
pub fn nearest_folder(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .filter(|p| !p.as_os_str().is_empty())
        .find(|p| p.is_dir())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_url_with_percent_20_a_hash_and_a_space_becomes_its_path_and_back() {
        let dir = tempfile::Builder::new()
            .prefix("async-jobs-url-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("50%20 off #1 draft?.txt");
        std::fs::write(&path, "x").unwrap();
        let url = file_url(&path).unwrap();
        assert!(
            url.as_str()
                .ends_with("/50%2520%20off%20%231%20draft%3F.txt"),
            "{url}"
        );
        assert_eq!(typed_path(url.as_str()), path);
        assert!(typed_path(url.as_str()).is_file());
        // A typed path is never decoded: %20 in a name stays.
        assert_eq!(typed_path(&path.display().to_string()), path);
    }

    #[test]
    fn the_nearest_folder_of_a_file_or_a_missing_path_is_an_existing_folder() {
        assert_eq!(
            nearest_folder(Path::new("/etc/passwd")),
            Some(PathBuf::from("/etc"))
        );
        assert_eq!(
            nearest_folder(Path::new("/tmp/no/such/thing")),
            Some(PathBuf::from("/tmp"))
        );
        assert_eq!(nearest_folder(Path::new("")), None);
    }
}
