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
//!  QML click ─▶ #[qinvokable] ─▶ self.spawn_local(coroutine)
//!                                   │ (first poll at the next drain)
//!  drain ─▶ poll coroutine ─▶ spawn_blocking(job) ───────────▶ job runs, result stored
//!                 │ Pending: back to the event loop          │ wakes the coroutine
//!                 ▼                                          ▼
//!  paint, timers, input …        ◀── one queued invocation per batch of wakes (coalesced)
//!  drain ─▶ poll coroutine: job result on the GUI thread ─▶ this.with(|obj| obj.set_…)
//! ```
//!
//! ## The layers
//!
//! * [`engine`] (the `cxx-qt-async-engine` crate, re-exported): the executor, the worker pool,
//!   jobs, timers, streams, scopes and errors. It knows nothing of Qt: its only contact with an
//!   event loop is [`engine::integration::LoopWaker`], and it is tested headless with
//!   [`engine::testing::FakeLoop`].
//! * This crate, the only one that imports cxx-qt into the engine's world:
//!   * [`QtRuntime`] installs the engine's runtime with a loop waker that posts one queued
//!     invocation (`CxxQtThread::queue`) on a private `LoopDriver` QObject per batch of wakes;
//!   * [`QObjectSpawn::spawn_local`] starts a coroutine from any QObject with cxx-qt's
//!     `Threading`; the coroutine reaches its object through a [`QObjectRef`], whose
//!     [`with`](QObjectRef::with) lends it only when no other `&mut` can exist (else it returns
//!     [`LendRefused`] and the coroutine ends), and is dropped when the object is destroyed; an
//!     object made in Rust is owned by a [`QObjectBox`], never a bare `UniquePtr`;
//!   * [`AsyncJob`] is a job as a QML object (state, progress, result, error, elapsed time,
//!     `cancel()`, partial results in per-frame batches); Rust registers what each kind of job
//!     does with [`register_job`];
//!   * [`next_emission`] awaits a signal of a cxx-qt QObject (a dialog's answer, say) without a
//!     nested event loop; dropping the wait disconnects.
//!
//! ## Real asynchronous I/O (feature `tokio`)
//!
//! With the `tokio` feature, a coroutine can `.await` tokio-based futures directly
//! (`reqwest::get(url)`, `tokio::process::Command`, `tokio::time::sleep`): the runtime enters
//! its tokio context while it polls coroutines, and tokio's drivers run on their own threads.
//! [`engine::tokio::spawn`] runs a `Send` future on tokio's threads instead; its result resumes
//! the coroutine on the GUI thread and dropping the handle aborts the task. See
//! [`engine::tokio`] for when to use which, and what cancellation means for each.
//!
//! Its QML module is `CxxQtAsync` (`import CxxQtAsync` for `AsyncJob`); call [`init_qml`] once
//! at start-up.
//!
//! ## Thread model
//!
//! * Coroutines are spawned, polled and dropped only on the GUI thread (asserted, in release
//!   builds too, with messages naming the rule). Their futures need not be `Send`.
//! * Jobs run on the worker pool; a job's future resolves on the GUI thread to
//!   `Result<T, JobError>` (`?` converts to `anyhow::Error`). A panic in a job becomes an error at the await, carrying the message,
//!   the location, the worker's backtrace and the await site.
//! * Wakes from any thread are coalesced: one queued invocation per batch. Each drain runs ready
//!   coroutines for at most a small budget (1 ms by default), then returns to the event loop;
//!   one poll takes at most 128 ready results (jobs, stream items, timers), so no coroutine can
//!   hold the thread for long.
//! * Only the Qt event loop runs drains (the runtime's [`engine::integration::Drainer`] stays private here),
//!   never user code: a QObject's method can never see its own coroutines run inside it.
//! * No panic crosses into Qt: coroutine and job panics are caught and reported, and the
//!   library's refusals are not panics (they end the offending coroutine with
//!   [`TaskError::Refused`](engine::TaskError::Refused)).
//! * The one rule left to the app is cxx-qt's own: no nested event loop (`process_events`, a
//!   second `exec`) while Rust code holds a QObject's `Pin<&mut T>`.
//! * [`engine::tasks`] lists every live coroutine (label, owner, what it awaits, age);
//!   [`engine::LagMeter`] measures how late the loop serves a timer.
//!
//! ## A first coroutine, headless
//!
//! ```
//! use cxx_qt_async::engine::{spawn_blocking, spawn_local, testing::FakeLoop};
//!
//! let fake = FakeLoop::new(); // in an app: cxx_qt_async::QtRuntime::install()
//! let coroutine = spawn_local(async {
//!     let val1 = spawn_blocking(|| 66 * 2).await?;
//!     let val2 = spawn_blocking(move || val1 + 1).await?;
//!     anyhow::Ok(format!("task2 returned: {val2}"))
//! });
//! assert_eq!(fake.block_on(coroutine).unwrap().unwrap(), "task2 returned: 133");
//! ```
//!
//! [cxx-qt]: https://kdab.github.io/cxx-qt/book/

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub use cxx_qt_async_engine as engine;
/// Tokio interop (feature `tokio`): the engine's [`engine::on_tokio`] module.
#[cfg(feature = "tokio")]
pub use cxx_qt_async_engine::on_tokio;
/// The old name of [`on_tokio`], which shadowed the tokio crate.
#[cfg(feature = "tokio")]
#[deprecated(
    since = "0.2.0",
    note = "renamed `on_tokio` (it shadowed the tokio crate)"
)]
pub mod tokio {
    #[allow(deprecated)]
    pub use cxx_qt_async_engine::tokio::*;
}

#[allow(missing_debug_implementations)] // cxx-qt generates a handler type per signal, without Debug
mod async_job;
mod job_context;
mod job_kinds;
#[allow(missing_debug_implementations)] // cxx-qt generates a handler type per signal, without Debug
mod loop_driver;
mod object;
mod runtime;
mod signal;

/// One job as a QML object (QML module `CxxQtAsync`): QML binds to its properties, and a job
/// kind registered from Rust ([`register_job`]) says what `start(args)` runs.
///
/// ```qml
/// import CxxQtAsync
///
/// AsyncJob { id: job; kind: "square" }
/// Button { text: "Square"; onClicked: job.start([field.text]) }
/// ProgressBar { value: job.progress; indeterminate: job.running && job.progress < 0 }
/// Label { text: job.state + ": " + (job.error || job.result) }
/// ```
pub use async_job::qobject::AsyncJob;
pub use async_job::{AsyncJobRust, DEFAULT_ITEMS_PER_BATCH, DEFAULT_KEPT_ITEMS};
pub use job_context::{JobContext, WorkerContext};
pub use job_kinds::{job_kinds, register_job, JobFuture};
#[allow(deprecated)]
pub use object::OwnsCoroutines;
pub use object::{LendRefused, QObjectBox, QObjectRef, QObjectSpawn};
#[allow(deprecated)]
pub use runtime::ensure_runtime;
pub use runtime::{shutdown_implicit_runtime, QtRuntime, QtRuntimeBuilder};
pub use signal::{next_emission, Emitter, NextEmission, SignalGone};

/// Registers this crate's QObjects and its `CxxQtAsync` QML module with Qt. Call it once at the
/// start of a binary that uses `AsyncJob` from QML (before loading QML).
///
/// # Examples
///
/// ```
/// // In main, before the QML engine loads QML that says `import CxxQtAsync`:
/// cxx_qt_async::init_qml();
/// ```
pub fn init_qml() {
    cxx_qt::init_crate!(cxx_qt_async);
    cxx_qt::init_qml_module!("CxxQtAsync");
}
