//! The `async-jobs` demo application: its QObjects and the work its jobs do.
//!
//! QML (`qml/Main.qml`, module `AsyncJobs`) is a job dashboard: a launcher, the live list of
//! jobs (each a library [`AsyncJob`](crate::qt::AsyncJob) object) and a diagnostics panel.
//! What each kind of job does is registered in [`jobs`]; the work itself is in [`files`] and
//! [`work`], plain functions tested without Qt.

// cxx-qt wants every bridge of a QML module in one directory (QTBUG-93443): src/qobjects/.
#[path = "qobjects/app_settings.rs"]
pub mod app_settings;
#[path = "qobjects/diagnostics.rs"]
#[allow(missing_debug_implementations)] // cxx-qt generates a handler type per signal, without Debug
pub mod diagnostics;
pub mod files;
pub mod jobs;
pub mod settings;
pub mod work;

extern "C" {
    fn async_jobs_set_window_icon();
}

/// Sets the app's window icon (drawn by `src/app/window_icon.cpp`). Does nothing before the
/// `QGuiApplication` exists or off its thread.
pub fn set_window_icon() {
    // SAFETY: a C++ function without arguments or shared state of ours; it checks itself that
    // the application exists and that it runs on the application's thread before it calls
    // `QGuiApplication::setWindowIcon`.
    unsafe { async_jobs_set_window_icon() }
}
