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
#[allow(missing_debug_implementations)] // cxx-qt's generated types, as above
pub mod launch_helper;
pub mod memory;
pub mod paths;
pub mod settings;
pub mod work;

extern "C" {
    fn async_jobs_set_window_icon();
    fn async_jobs_quit();
    fn async_jobs_ui_languages(
        out: *mut std::ffi::c_char,
        capacity: std::ffi::c_int,
    ) -> std::ffi::c_int;
    fn async_jobs_install_translation(
        data: *const u8,
        length: std::ffi::c_int,
        language: *const std::ffi::c_char,
    ) -> bool;
}

/// Quits the application as Ctrl+Q does when the process gets SIGTERM (a logout, `kill`),
/// SIGINT (Ctrl+C in a terminal) or SIGHUP (its terminal closed): the event loop returns and
/// `main` shuts down in order, so running commands' process groups are killed and partial
/// downloads removed, instead of being left behind. Spawn it on the GUI thread once the runtime
/// is installed; it waits on tokio's signal driver (the runtime's tokio threads).
pub async fn quit_on_termination_signals() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let which = futures::future::select_all([
        Box::pin(term.recv()),
        Box::pin(int.recv()),
        Box::pin(hup.recv()),
    ])
    .await
    .1;
    tracing::info!(
        signal = ["SIGTERM", "SIGINT", "SIGHUP"][which],
        "quitting: cancelling the jobs"
    );
    // SAFETY: a C++ function without arguments that posts a quit to the running application
    // (`QCoreApplication::quit`); called on the GUI thread, inside its event loop.
    unsafe { async_jobs_quit() };
    Ok(())
}

/// The translations shipped: (language, the `.qm` that `build.rs` compiled with `lrelease`).
const TRANSLATIONS: &[(&str, &[u8])] = &[(
    "de",
    include_bytes!(concat!(env!("OUT_DIR"), "/async-jobs_de.qm")),
)];

/// The locale's UI languages, best first (`["de-DE", "de"]`), as Qt reads them from the
/// environment (`LANG`, `LC_ALL`, `LANGUAGE`).
pub fn ui_languages() -> Vec<String> {
    let mut buf = vec![0u8; 256];
    // SAFETY: the C++ side writes at most `capacity` bytes (with a NUL) into `buf`; QLocale()
    // is reentrant and needs no application object.
    let length = unsafe { async_jobs_ui_languages(buf.as_mut_ptr().cast(), 256) };
    let length = usize::try_from(length).unwrap_or(0).min(255);
    String::from_utf8_lossy(&buf[..length])
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Installs the shipped translation that fits the system's locale (and Qt's own for the same
/// language), if any: call it after the `QGuiApplication` exists, before loading QML. Returns
/// the language installed.
///
/// The window's chrome (QML) is translated. The texts the jobs write in Rust (results, steps,
/// errors) stay English: their error chains end in the English messages of the libraries and
/// the OS, and a sentence half translated reads worse than one in English.
pub fn install_translations() -> Option<&'static str> {
    let wanted = ui_languages();
    let (language, qm) = wanted.iter().find_map(|ui| {
        let code = ui.split(['-', '_']).next()?;
        TRANSLATIONS.iter().find(|(lang, _)| *lang == code)
    })?;
    let c_language = std::ffi::CString::new(*language).ok()?;
    let length = std::ffi::c_int::try_from(qm.len()).ok()?;
    // SAFETY: `qm` is a static byte array (it outlives the translator that reads it) of
    // `length` bytes; the C++ side checks that the application exists and that it runs on its
    // thread.
    let installed =
        unsafe { async_jobs_install_translation(qm.as_ptr(), length, c_language.as_ptr()) };
    installed.then_some(*language)
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
