//! # cxx-qt-async-engine
//!
//! The async engine of [cxx-qt-async](https://crates.io/crates/cxx-qt-async): a GUI-thread
//! executor and a worker pool, with no knowledge of Qt and no C++. Any event loop drives it
//! through one seam, [`LoopWaker`](integration::LoopWaker) (the Qt one lives in `cxx-qt-async`); tests drive it with
//! `testing::FakeLoop` (feature `test-util`, for dev-dependencies).
//!
//! ## Thread model
//!
//! * The thread that installs a [`Runtime`] is its GUI thread. Coroutines ([`spawn_local`]) are
//!   spawned, polled and dropped only there (asserted with messages naming the rule); their
//!   futures need not be `Send`.
//! * Blocking jobs ([`spawn_blocking`], [`spawn_cancellable`], [`spawn_stream`]) run on the runtime's
//!   worker pool; their results resume the awaiting coroutine on the GUI thread.
//! * Wakes from any thread are coalesced into one [`LoopWaker::wake`](integration::LoopWaker::wake) per batch; the loop then
//!   calls [`Drainer::drain`](integration::Drainer::drain), which runs ready coroutines for at most a small time budget.
//! * A poll takes at most 128 ready results ([`coop`]), so no coroutine holds a drain for long.
//! * Handles ([`Task`]) and timers ([`Sleep`], [`Interval`]) are `!Send`: they stay on the GUI
//!   thread with their coroutine.
//! * Dropping the [`Runtime`] drops every live coroutine, on the GUI thread, whoever holds its
//!   handle or its wakers: their destructors run there and then. What those destructors ask
//!   for meanwhile (a spawn, a runtime) is refused.
//! * A misuse is refused, never a panic where a panic would abort (an FFI frame, a destructor,
//!   an unwind): [`integration::refuse`] logs it and ends the coroutine being polled with
//!   [`TaskError::Refused`]. A panic in a coroutine, or in its destructors, is caught: its
//!   handle gives [`TaskError::Panicked`], or the [report hook](set_report_hook) gets it.
//!
//! ```
//! use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop};
//!
//! let fake = FakeLoop::new();
//! let sum = fake.block_on(spawn_local(async {
//!     let a = spawn_blocking(|| 40).await?;
//!     anyhow::Ok(a + 2)
//! }));
//! assert_eq!(sum.unwrap().unwrap(), 42);
//! ```
//!
//! ## Modules
//!
//! | module | what it holds |
//! |---|---|
//! | `waker` | [`LoopWaker`](integration::LoopWaker), the one seam to an event loop (in [`integration`], with the `Drainer`) |
//! | `runtime` | [`Runtime`], [`RuntimeBuilder`] and the [`Drainer`](integration::Drainer): installing and shutting down |
//! | `context` | the current thread's runtime as the other modules reach it; [`stats`], [`worker_threads`] |
//! | `ready` | the ready queues: wakes from any thread, one loop wake per batch |
//! | `drain` | the drain loop and its time budget |
//! | `task` | [`spawn_local`] and the [`Task`] handle |
//! | `coroutine` | a coroutine's future as its task stores it: panics, refusals, owner's end, shutdown |
//! | `pool`, `lanes`, `job` | the worker pool and its fair queue (one lane per submitter, served in turn); [`spawn_blocking`] and [`spawn_blocking_fallible`] return [`Job`]s |
//! | [`coop`] | the cooperative budget: a poll takes at most 128 ready results; [`yield_now`] |
//! | `timer`, `timer_queue` | [`sleep`] and [`interval`], and the runtime's timer queue, driven by the loop (no thread per timer) |
//! | `progress` | [`progress`]: worker progress, coalesced to the frame rate |
//! | `lag` | [`LagMeter`]: timer lateness on the GUI thread (last, p99, max) |
//! | `token`, `cancel` | [`CancelToken`] and [`Cancelled`]; [`spawn_cancellable`]: jobs that stop at a token check |
//! | `compose` | [`race`] and [`timeout`] (the loser is dropped, its jobs cancelled) |
//! | `stream` | [`spawn_stream`]: partial results as a `Stream`, with backpressure |
//! | `latch`, `sync` | the wake-coalescing and worker-parking protocols; loom-checked (with `lanes`) |
//! | `stop` | what a cancelled coroutine left running (blocking jobs, tokio tasks), awaited by [`Task::cancel`] |
//! | `scope` | [`Scope`]: coroutines owned by an object, cancelled with it |
//! | `tasks` | [`tasks`]: the live task list (id, label, owner, state, age) |
//! | `slow_poll` | [`slow_polls`]: the coroutines whose polls held the thread too long |
//! | `error` | [`JobError`] and [`TaskError`] |
//! | `report` | the [report hook](set_report_hook): failures nobody awaits |
//! | `refusal` | [`refuse`](integration::refuse): a misuse refused without a panic, ending the coroutine |
//! | `panic`, `clock`, `rules` | panic payloads as values, the engine's clock, the rule its assertions name |
//! | `testing` | feature `test-util`: `FakeLoop`, a headless event loop for tests |
//! | [`on_tokio`], `tokio_slot` | feature `tokio`: await tokio-based futures directly; `on_tokio::spawn` runs `Send` futures on tokio's threads |
//!
//! The engine has two `unsafe` blocks, each an `async-task` spawn without one of its checks,
//! and each with a SAFETY comment listing the invariants that keep it sound: a coroutine's task
//! without the thread-check wrapper (`task::spawn_raw`: the invariants keep a coroutine on its
//! thread), and a job's task whose future borrows the task's own metadata, its claim
//! (`job::submit`). Everything else is safe code (`#![deny(unsafe_code)]`).
#![deny(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
// A doc example that uses a deprecated item fails: the docs teach only the current API.
#![doc(test(attr(deny(deprecated))))]

mod cancel;
mod clock;
mod compose;
mod context;
pub mod coop;
mod coroutine;
mod drain;
mod error;
mod job;
mod lag;
mod lanes;
mod latch;
#[cfg(feature = "tokio")]
pub mod on_tokio;
mod panic;
mod pool;
mod progress;
mod ready;
mod refusal;
mod report;
mod rules;
mod runtime;
mod scope;
mod slow_poll;
mod stop;
mod stream;
mod sync;
mod task;
mod tasks;
#[cfg(feature = "test-util")]
pub mod testing;
mod timer;
mod timer_queue;
mod token;
#[cfg(feature = "tokio")]
mod tokio_slot;

/// The old name of [`on_tokio`], which shadowed the tokio crate in `use` lines.
#[cfg(feature = "tokio")]
#[deprecated(
    since = "0.2.0",
    note = "renamed `on_tokio` (it shadowed the tokio crate)"
)]
pub mod tokio {
    pub use super::on_tokio::{handle, spawn, TokioJob};
}
mod waker;

pub use cancel::{spawn_cancellable, CancellableJob};
pub use compose::{race, timeout, Race, TimedOut, Timeout};
pub use context::{has_runtime, stats, worker_threads, Stats};
pub use coop::{yield_now, YieldNow};
pub use error::{is_cancelled, worker_backtrace, JobError, PanicPayload, TaskError};
pub use job::{spawn_blocking, spawn_blocking_fallible, Job};
pub use lag::{percentile, LagMeter, LagSnapshot};
pub use panic::panic_message;
pub use progress::{progress, progress_every, ProgressWatch, Reporter, FRAME_INTERVAL};
pub use report::{set_report_hook, CoroutineReport};
pub use rules::GUI_THREAD_RULE;
pub use runtime::{Runtime, RuntimeBuilder};
#[allow(deprecated)]
pub use scope::CoroutineId;
pub use scope::{Scope, ScopeId};
pub use slow_poll::{slow_polls, SlowPoll, DEFAULT_SLOW_POLL};
pub use stream::{spawn_stream, ItemSender, JobStream};
pub use task::{spawn_local, Task};
pub use tasks::{tasks, TaskId, TaskInfo, TaskState};

/// Moved to [`integration::note_wait`] (it is for futures that integrate with the task list).
#[deprecated(since = "0.2.0", note = "moved to integration::note_wait")]
pub fn note_wait(what: integration::Wait) {
    integration::note_wait(what);
}

/// Moved to [`integration::Wait`].
#[deprecated(since = "0.2.0", note = "moved to integration::Wait")]
pub type Wait = integration::Wait;
pub use timer::{interval, sleep, sleep_until, Interval, Sleep};
pub use token::{CancelToken, Cancelled};

/// For integrating the engine with an event loop or an object system (what `cxx-qt-async` does
/// for Qt); an application never needs these.
///
/// * [`LoopWaker`](integration::LoopWaker): the one seam to an event loop, which the runtime
///   asks for a drain;
/// * [`Drainer`](integration::Drainer): what the loop calls when asked;
/// * [`refuse`](integration::refuse): refuses a misuse without a panic (it is logged, and the
///   coroutine being polled ends with [`TaskError::Refused`]); [`refused_task`](integration::refused_task):
///   a refused spawn; [`is_shutting_down`](integration::is_shutting_down): this thread's runtime
///   is being dropped (install nothing then);
/// * [`current_scope`](integration::current_scope): the [`Scope`] whose coroutine is being
///   polled (the Qt layer lends an object only to its own coroutines with it);
///   [`in_drain`](integration::in_drain): whether a drain runs on this thread;
/// * for futures of the integration (the Qt layer's signal waits):
///   [`note_wait`](integration::note_wait) tells the task list what a coroutine waits for,
///   [`poll_proceed`](integration::poll_proceed) and [`consumed`](integration::consumed) count
///   a ready result against the cooperative budget (a future or stream of another library gets
///   the same from [`coop::cooperative`]).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::sync::mpsc;
/// use std::time::{Duration, Instant};
/// use cxx_qt_async_engine::integration::LoopWaker;
/// use cxx_qt_async_engine::{spawn_blocking, spawn_local, Runtime};
///
/// /// An event loop made of a channel: the runtime asks it for drains.
/// struct ChannelWaker(mpsc::Sender<()>);
///
/// impl LoopWaker for ChannelWaker {
///     fn wake(&self) {
///         let _ = self.0.send(());
///     }
///     fn wake_at(&self, _deadline: Instant) {
///         let _ = self.0.send(()); // a real loop would start a timer
///     }
/// }
///
/// let (tx, wakes) = mpsc::channel();
/// let runtime = Runtime::builder().install(ChannelWaker(tx));
/// let drainer = runtime.drainer();
/// let answer = Rc::new(Cell::new(None));
/// let out = answer.clone();
/// spawn_local(async move { out.set(spawn_blocking(|| 6 * 7).await.ok()) }).detach();
/// // The loop: wait for a wake, drain, until the coroutine is done.
/// while answer.get().is_none() {
///     wakes.recv_timeout(Duration::from_secs(10)).expect("a wake");
///     drainer.drain();
/// }
/// assert_eq!(answer.get(), Some(42));
/// ```
pub mod integration {
    pub use super::context::{in_drain, is_shutting_down};
    pub use super::refusal::{refuse, refused_task};
    pub use super::runtime::Drainer;
    pub use super::scope::current_scope;
    pub use super::tasks::{note_wait, Wait};
    pub use super::waker::LoopWaker;

    /// Call first in the `poll` of an integration's future that may hand out a ready result:
    /// `Pending` (and a self-wake, so the task runs again at a later drain) once this poll's
    /// cooperative budget is spent (see [`coop`](crate::coop)), else `Ready(())`. Pair it with
    /// [`consumed`] when the poll does hand out a result.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::pin::Pin;
    /// use std::task::{ready, Context, Poll};
    /// use cxx_qt_async_engine::integration::{consumed, poll_proceed};
    ///
    /// /// A stream of numbers that are always ready.
    /// struct Counter(u64);
    ///
    /// impl futures::Stream for Counter {
    ///     type Item = u64;
    ///     fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
    ///         ready!(poll_proceed(cx)); // the poll ends once its budget is spent
    ///         consumed();
    ///         self.0 += 1;
    ///         Poll::Ready(Some(self.0))
    ///     }
    /// }
    /// ```
    pub fn poll_proceed(cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        super::coop::proceed(cx)
    }

    /// Counts one ready result against this poll's cooperative budget: call it when `poll`
    /// hands out a result after [`poll_proceed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::integration::consumed;
    ///
    /// // After a poll_proceed that gave Ready, when the poll hands out a result (see poll_proceed).
    /// // Outside a drain the budget is unlimited, and counting changes nothing.
    /// consumed();
    /// ```
    pub fn consumed() {
        super::coop::consume();
    }
}
