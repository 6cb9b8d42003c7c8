//! The `async-jobs` demo application: its QObjects and the work its jobs do.
//!
//! QML (`qml/Main.qml`, module `AsyncJobs`) shows one card per job; each card owns a
//! [`job_runner::qobject::JobRunner`] that starts the job as a coroutine and shows its state.

// cxx-qt wants every bridge of a QML module in one directory (QTBUG-93443): src/qobjects/.
#[path = "qobjects/diagnostics.rs"]
pub mod diagnostics;
#[path = "qobjects/job_runner.rs"]
#[allow(missing_debug_implementations)] // cxx-qt generates a handler type per signal, without Debug
pub mod job_runner;
pub mod work;
