//! # cxx-qt-async
//!
//! Async/await for Qt Quick front ends written in Rust with [cxx-qt]: a click handler starts a
//! coroutine on the GUI thread, the coroutine awaits blocking jobs that run on a worker pool, and
//! it resumes on the GUI thread, where it may touch its QObject, through Qt queued invocations.
//! It reads as straight-line code, and nothing ever blocks the event loop.
//!
//! ```text
//!  GUI thread (Qt event loop)                         worker pool (N threads)
//!  ──────────────────────────                         ───────────────────────
//!  QML click ─▶ #[qinvokable] ─▶ self.spawn(coroutine)
//!                                   │ (first poll at the next drain)
//!  drain() ─▶ poll coroutine ─▶ run_blocking(job) ─────────▶ job runs, result stored
//!                 │ Pending: back to the event loop          │ wakes the coroutine
//!                 ▼                                          ▼
//!  paint, timers, input …        ◀── one queued invocation per batch of wakes (coalesced)
//!  drain() ─▶ poll coroutine: job result on the GUI thread ─▶ this.with(|obj| obj.set_…)
//! ```
//!
//! ## Modules
//!
//! * [`engine`]: the executor, the worker pool, jobs, scopes and errors. It knows nothing of Qt:
//!   its only contact with an event loop is [`engine::LoopWaker`], and it is tested headless
//!   with [`engine::testing::FakeLoop`]. No `unsafe`.
//! * [`qt`]: the only module that imports cxx-qt into the engine's world: [`qt::QtRuntime`]
//!   (the loop waker is `CxxQtThread::queue`), [`qt::QObjectSpawn`] (coroutines owned by a
//!   QObject, dropped when it is destroyed), [`qt::next_emission`] (await a signal) and the
//!   [`qt::AsyncJob`] QML element (a job's state for QML; kinds registered with
//!   [`qt::register_job`]).
//! * [`app`]: the `async-jobs` job dashboard: its job kinds, its QObjects and the work itself.
//!
//! ## Thread model
//!
//! * Coroutines are spawned, polled and dropped only on the GUI thread (asserted, in release
//!   builds too, with messages naming the rule). Their futures need not be `Send`.
//! * Jobs run on the worker pool; a job's future resolves on the GUI thread to
//!   `anyhow::Result<T>`. A panic in a job becomes an error at the await, carrying the message,
//!   the location, the worker's backtrace and the await site.
//! * Wakes from any thread are coalesced: one queued invocation per batch. Each drain runs ready
//!   coroutines for at most a small budget (1 ms by default), then returns to the event loop.
//! * No panic crosses into Qt: coroutine and job panics are caught and reported.
//! * [`engine::tasks`] lists every live coroutine (label, owner, what it awaits, age);
//!   [`engine::LagMeter`] measures how late the loop serves a timer.
//!
//! ## A first coroutine, headless
//!
//! ```
//! use cxx_qt_async::engine::{run_blocking, spawn, testing::FakeLoop};
//!
//! let fake = FakeLoop::new(); // in an app: cxx_qt_async::qt::QtRuntime::install()
//! let coroutine = spawn(async {
//!     let val1 = run_blocking(|| 66 * 2).await?;
//!     let val2 = run_blocking(move || val1 + 1).await?;
//!     anyhow::Ok(format!("task2 returned: {val2}"))
//! });
//! assert_eq!(fake.block_on(coroutine).unwrap().unwrap(), "task2 returned: 133");
//! ```
//!
//! [cxx-qt]: https://kdab.github.io/cxx-qt/book/

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod app;
pub mod engine;
pub mod qt;

/// Registers this crate's QObjects and its `AsyncJobs` QML module with Qt. Call it once at the
/// start of a binary that links this library and loads its QML (the app, the GUI tests).
pub fn init_qml() {
    cxx_qt::init_crate!(cxx_qt_async);
    cxx_qt::init_qml_module!("AsyncJobs");
}
