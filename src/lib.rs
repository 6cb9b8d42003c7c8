//! The `async-jobs` app: a job dashboard built on `cxx-qt-async`, like any user of the library.
//!
//! QML (`qml/Main.qml`, module `AsyncJobs`) is a job dashboard: a launcher, the live list of
//! jobs (each a library [`AsyncJob`](cxx_qt_async::AsyncJob) object) and a diagnostics panel.
//! What each kind of job does is registered in [`jobs`]; the work itself is in [`files`] and
//! [`work`], plain functions tested without Qt. The app's own QObjects are [`app_settings`] and
//! [`diagnostics`]; [`memory`] reads the process's memory and gives freed memory back.

#![warn(missing_docs, rust_2018_idioms)]

pub mod app_settings;
pub mod cli;
pub mod command;
#[allow(missing_debug_implementations)] // cxx-qt generates a handler type per signal, without Debug
pub mod diagnostics;
pub mod download;
pub mod files;
pub mod jobs;
pub mod memory;
pub mod paths;
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

/// Picks Qt Quick's software renderer when the machine has no GPU device (`/dev/dri` absent,
/// as under Xvfb or in a container) and nobody chose a backend (`QT_QUICK_BACKEND`). There Qt
/// would rasterise OpenGL in software (Mesa's llvmpipe) on extra threads that compete with the
/// GUI thread for the CPUs; the software renderer draws this window cheaper. Measured with the
/// frames benchmark under Xvfb on 2 CPUs, every worker busy: timer lateness p99 12 -> 3.6 ms,
/// frame interval p99 23 -> 21 ms. Call it first thing in `main`, before Qt or any thread
/// starts (it sets an environment variable). Returns the backend it chose, if any.
pub fn choose_quick_backend() -> Option<&'static str> {
    if std::env::var_os("QT_QUICK_BACKEND").is_some() || std::path::Path::new("/dev/dri").exists() {
        return None;
    }
    std::env::set_var("QT_QUICK_BACKEND", "software");
    Some("software")
}

/// Registers the library's `CxxQtAsync` QML module and this app's `AsyncJobs` module (its
/// QObjects and QML files) with Qt. Call it once, before loading `Main.qml`.
pub fn init_qml() {
    cxx_qt_async::init_qml();
    cxx_qt::init_crate!(async_jobs);
    cxx_qt::init_qml_module!("AsyncJobs");
}
