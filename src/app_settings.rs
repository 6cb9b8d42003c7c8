//! `AppSettings`: what the window remembers between runs (the last folder used, whether the
//! diagnostics panel is shown).

/// The bridge: the `AppSettings` QObject (QML element of the `AsyncJobs` module).
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// QString from cxx_qt_lib
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, last_folder, cxx_name = "lastFolder")]
        #[qproperty(bool, show_diagnostics, cxx_name = "showDiagnostics")]
        type AppSettings = super::AppSettingsRust;

        /// Remembers the folder of `path` (a file or a folder); saved on a worker.
        #[qinvokable]
        #[cxx_name = "rememberPath"]
        fn remember_path(self: Pin<&mut AppSettings>, path: &QString);

        /// Shows or hides the diagnostics panel, and remembers it (saved on a worker).
        #[qinvokable]
        #[cxx_name = "setDiagnosticsShown"]
        fn set_diagnostics_shown(self: Pin<&mut AppSettings>, show: bool);
    }

    impl cxx_qt::Initialize for AppSettings {}
    // Its coroutines need cxx-qt's thread handle (QObjectSpawn).
    impl cxx_qt::Threading for AppSettings {}
}

use std::pin::Pin;

use cxx_qt_lib::QString;

use crate::settings;
use cxx_qt_async::engine::spawn_blocking_fallible;
use cxx_qt_async::QObjectSpawn;

/// Backing struct of [`qobject::AppSettings`].
#[derive(Debug, Default)]
pub struct AppSettingsRust {
    last_folder: QString,
    show_diagnostics: bool,
}

impl cxx_qt::Initialize for qobject::AppSettings {
    fn initialize(self: Pin<&mut Self>) {
        // A small file: read at once, so the first frame already shows the folder.
        let folder = settings::load_last_folder().unwrap_or_default();
        let mut this = self;
        this.as_mut().set_last_folder(QString::from(&folder));
        this.set_show_diagnostics(settings::load_show_diagnostics());
    }
}

impl qobject::AppSettings {
    fn set_diagnostics_shown(self: Pin<&mut Self>, show: bool) {
        let mut this = self;
        this.as_mut().set_show_diagnostics(show);
        this.spawn_local_labeled("remember the diagnostics panel", move |_| async move {
            let saved =
                spawn_blocking_fallible(move || settings::save_show_diagnostics(show)).await;
            if let Err(err) = saved {
                tracing::warn!("could not remember the panel: {err:#}");
            }
        })
        .detach();
    }

    fn remember_path(self: Pin<&mut Self>, path: &QString) {
        let text = path.to_string();
        if text.trim().is_empty() {
            return;
        }
        let path = crate::paths::typed_path(&text);
        self.spawn_local_labeled("remember the last folder", move |this| async move {
            let folder = spawn_blocking_fallible(move || settings::save_last_folder(&path)).await;
            match folder {
                Ok(folder) => {
                    // A refused lend ends this coroutine (and says why in the log).
                    let _ = this.with(|o| o.set_last_folder(QString::from(&folder)));
                }
                Err(err) => tracing::warn!("could not remember the folder: {err:#}"),
            }
        })
        .detach();
    }
}
