//! What the app remembers between runs: the last folder used, in a one-line file
//! `last-folder` under `$ASYNC_JOBS_CONFIG_DIR`, else the platform's config folder (the `dirs`
//! crate: `$XDG_CONFIG_HOME`, else `~/.config`) + `async-jobs`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The folder the settings live in (not created until something is saved).
pub fn config_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("ASYNC_JOBS_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    Some(dirs::config_dir()?.join("async-jobs"))
}

/// Where the "Ask mid-job" job writes its output: `ask-output.txt` in [`config_dir`].
pub fn output_file() -> Option<PathBuf> {
    Some(config_dir()?.join("ask-output.txt"))
}

/// The last folder saved by [`save_last_folder`], if any (and it still exists).
pub fn load_last_folder() -> Option<String> {
    let text = std::fs::read_to_string(config_dir()?.join("last-folder")).ok()?;
    let folder = text.trim_end_matches('\n');
    Path::new(folder).is_dir().then(|| folder.to_owned())
}

/// Remembers `path`'s folder (the path itself if it is a folder); returns that folder.
///
/// # Examples
///
/// ```
/// use async_jobs::settings::{load_last_folder, save_last_folder};
/// let dir = tempfile::tempdir().unwrap(); // removed at the end
/// std::env::set_var("ASYNC_JOBS_CONFIG_DIR", dir.path());
/// let remembered = save_last_folder(std::path::Path::new("/tmp")).unwrap();
/// assert_eq!(remembered, "/tmp");
/// assert_eq!(load_last_folder().as_deref(), Some("/tmp"));
/// ```
pub fn save_last_folder(path: &Path) -> anyhow::Result<String> {
    let folder = if path.is_dir() {
        path
    } else {
        path.parent().context("the path has no folder")?
    };
    let folder = folder.display().to_string();
    let dir = config_dir().context("no config folder: HOME is not set")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join("last-folder");
    std::fs::write(&file, format!("{folder}\n"))
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(folder)
}

/// Whether the diagnostics panel is shown (file `hide-diagnostics` absent; shown by default).
pub fn load_show_diagnostics() -> bool {
    config_dir().is_none_or(|dir| !dir.join("hide-diagnostics").exists())
}

/// Remembers whether the diagnostics panel is shown.
///
/// # Examples
///
/// ```
/// use async_jobs::settings::{load_show_diagnostics, save_show_diagnostics};
/// let dir = tempfile::tempdir().unwrap(); // removed at the end
/// std::env::set_var("ASYNC_JOBS_CONFIG_DIR", dir.path());
/// assert!(load_show_diagnostics());
/// save_show_diagnostics(false).unwrap();
/// assert!(!load_show_diagnostics());
/// save_show_diagnostics(true).unwrap();
/// assert!(load_show_diagnostics());
/// ```
pub fn save_show_diagnostics(show: bool) -> anyhow::Result<()> {
    let dir = config_dir().context("no config folder: HOME is not set")?;
    let file = dir.join("hide-diagnostics");
    if show {
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("removing {}", file.display()))
            }
            _ => Ok(()),
        }
    } else {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(&file, "the diagnostics panel is hidden\n")
            .with_context(|| format!("writing {}", file.display()))
    }
}
