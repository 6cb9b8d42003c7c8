//! `LaunchHelper`: what the launcher (qml/Launcher.qml) asks Rust: what a job works on, for
//! its row's title (a URL's file name and host by the `url` crate, a program's name by the
//! command-line splitter), and file URLs for the file dialogs (by the `url` crate, never by
//! cutting a prefix).

/// The bridge: the `LaunchHelper` QObject (QML element of the `AsyncJobs` module).
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// QString from cxx_qt_lib
        type QString = cxx_qt_lib::QString;
        include!("cxx-qt-lib/qstringlist.h");
        /// QStringList from cxx_qt_lib
        type QStringList = cxx_qt_lib::QStringList;
        include!("cxx-qt-lib/qurl.h");
        /// QUrl from cxx_qt_lib
        type QUrl = cxx_qt_lib::QUrl;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, ask_output, cxx_name = "askOutput")]
        type LaunchHelper = super::LaunchHelperRust;

        /// What a job of `kind` started with `args` works on (see [`super::subject`]).
        #[qinvokable]
        fn subject(self: &LaunchHelper, kind: &QString, args: &QStringList) -> QStringList;

        /// The path of a `file:` URL (a dialog's choice); any other text as it is.
        #[qinvokable]
        #[cxx_name = "pathFromUrl"]
        fn path_from_url(self: &LaunchHelper, url: &QUrl) -> QString;

        /// The `file:` URL of the nearest existing folder at or above `path` (empty: none).
        #[qinvokable]
        #[cxx_name = "folderUrl"]
        fn folder_url(self: &LaunchHelper, path: &QString) -> QUrl;
    }

    impl cxx_qt::Initialize for LaunchHelper {}
}

use std::path::Path;
use std::pin::Pin;

use cxx_qt_lib::{QString, QStringList, QUrl};

use crate::{command, download, paths, settings};

/// Backing struct of [`qobject::LaunchHelper`].
#[derive(Debug, Default)]
pub struct LaunchHelperRust {
    ask_output: QString,
}

impl cxx_qt::Initialize for qobject::LaunchHelper {
    fn initialize(self: Pin<&mut Self>) {
        let output = settings::output_file().map_or_else(String::new, |p| p.display().to_string());
        self.set_ask_output(QString::from(&output));
    }
}

impl qobject::LaunchHelper {
    fn subject(&self, kind: &QString, args: &QStringList) -> QStringList {
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        subject(&kind.to_string(), &args)
            .iter()
            .map(QString::from)
            .collect()
    }

    fn path_from_url(&self, url: &QUrl) -> QString {
        QString::from(&paths::typed_path(&url.to_string()).display().to_string())
    }

    fn folder_url(&self, path: &QString) -> QUrl {
        let path = paths::typed_path(&path.to_string());
        paths::nearest_folder(&path)
            .and_then(|folder| paths::file_url(&folder))
            .map_or_else(QUrl::default, |url| QUrl::from(url.as_str()))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// What a job of `kind` started with `args` works on, for its row's title and the line below
/// it: `hash` [file name, folder], `scan` [folder name, folder, pattern], `download` [the URL's
/// file name (or host), host], `command` [program, command line]; nothing for the others (or
/// for input that will be refused).
///
/// # Examples
///
/// ```
/// use async_jobs::launch_helper::subject;
/// let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
/// assert_eq!(subject("hash", &args(&["/tmp/abc.txt"])), ["abc.txt", "/tmp"]);
/// assert_eq!(subject("scan", &args(&["/usr/share", ""])), ["share", "/usr/share", "*"]);
/// assert_eq!(
///     subject("download", &args(&["http://127.0.0.1:9/big.bin", ""])),
///     ["big.bin", "127.0.0.1"]
/// );
/// assert_eq!(
///     subject("command", &args(&["/usr/bin/ls -la '/a b'"])),
///     ["ls", "/usr/bin/ls -la '/a b'"]
/// );
/// assert!(subject("primes", &args(&["100"])).is_empty());
/// ```
pub fn subject(kind: &str, args: &[String]) -> Vec<String> {
    let arg = |i: usize| args.get(i).map_or("", |s| s.trim());
    match kind {
        "hash" => {
            let path = paths::typed_path(arg(0));
            let folder = path
                .parent()
                .map_or_else(String::new, |p| p.display().to_string());
            vec![file_name(&path), folder]
        }
        "scan" => {
            let path = paths::typed_path(arg(0));
            let pattern = if arg(1).is_empty() { "*" } else { arg(1) };
            vec![
                file_name(&path),
                path.display().to_string(),
                pattern.to_owned(),
            ]
        }
        "download" => match download::parse_url(arg(0)) {
            Ok(url) => {
                let (name, host) = download::subject(&url);
                vec![name, host]
            }
            Err(_) => Vec::new(),
        },
        "command" => match command::split_command_line(arg(0)) {
            Ok(words) => vec![file_name(Path::new(&words[0])), arg(0).to_owned()],
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    }
}
