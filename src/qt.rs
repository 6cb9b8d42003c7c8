//! The one place where the engine meets cxx-qt.
//!
//! * [`QtRuntime`] installs the engine's runtime with a loop waker that posts one queued
//!   invocation (`CxxQtThread::queue`) on a private `LoopDriver` QObject per batch of wakes.
//! * [`QObjectSpawn::spawn`] starts a coroutine from any QObject whose backing struct owns a
//!   [`Scope`](crate::engine::Scope) ([`OwnsCoroutines`]); the coroutine reaches its object
//!   through a [`QObjectRef`] and is dropped when the object is destroyed.
//! * [`AsyncJob`] is a job as a QML object (state, progress, result, error, elapsed time,
//!   `cancel()`); Rust registers what each kind of job does with [`register_job`].
//! * [`next_emission`] awaits a signal of a cxx-qt QObject (a dialog's answer, say) without a
//!   nested event loop; dropping the wait disconnects.

// cxx-qt wants every bridge of a QML module in one directory (QTBUG-93443): src/qobjects/.
#[path = "qobjects/async_job.rs"]
#[allow(missing_debug_implementations)] // cxx-qt generates a handler type per signal, without Debug
mod async_job;
mod jobs;
#[path = "qobjects/loop_driver.rs"]
mod loop_driver;
mod object;
mod runtime;
mod signal;

pub use async_job::qobject::AsyncJob;
pub use async_job::AsyncJobRust;
pub use jobs::{job_kinds, register_job, JobContext, JobFuture, WorkerContext};
pub use loop_driver::qobject::LoopDriver;
pub use object::{OwnsCoroutines, QObjectRef, QObjectSpawn};
pub use runtime::{ensure_runtime, shutdown_implicit_runtime, QtRuntime, QtRuntimeBuilder};
pub use signal::{next_emission, Emitter, NextEmission, SignalGone};
