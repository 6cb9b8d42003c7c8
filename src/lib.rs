//! The `async-jobs` app: a job dashboard built on `cxx-qt-async`, like any user of the library.
//!
//! QML (`qml/Main.qml`, module `AsyncJobs`) is a job dashboard: a launcher, the live list of
//! jobs (each a library [`AsyncJob`](cxx_qt_async::AsyncJob) object) and a diagnostics panel.
//! What each kind of job does is registered in [`jobs`]; the work itself is in [`files`] and
//! [`work`], plain functions tested without Qt. The app's own QObjects are [`app_settings`] and
//! [`diagnostics`].

#![warn(missing_docs, rust_2018_idioms)]

pub mod app_settings;
pub mod command;
#[allow(missing_debug_implementations)] // cxx-qt generates a handler type per signal, without Debug
pub mod diagnostics;
pub mod download;
pub mod files;
pub mod jobs;
pub mod settings;
pub mod work;

extern "C" {
    fn async_jobs_set_window_icon();
}

/// Sets the app's window icon (drawn by `src/window_icon.cpp`). Does nothing before the
/// `QGuiApplication` exists or off its thread.
pub fn set_window_icon() {
    // SAFETY: a C++ function without arguments or shared state of ours; it checks itself that
    // the application exists and that it runs on the application's thread before it calls
    // `QGuiApplication::setWindowIcon`.
    unsafe { async_jobs_set_window_icon() }
}

/// Registers the library's `CxxQtAsync` QML module and this app's `AsyncJobs` module (its
/// QObjects and QML files) with Qt. Call it once, before loading `Main.qml`.
pub fn init_qml() {
    cxx_qt_async::init_qml();
    cxx_qt::init_crate!(async_jobs);
    cxx_qt::init_qml_module!("AsyncJobs");
}
