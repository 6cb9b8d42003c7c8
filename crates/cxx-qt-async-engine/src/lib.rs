//! # cxx-qt-async-engine
//!
//! The async engine of [cxx-qt-async](https://crates.io/crates/cxx-qt-async): a GUI-thread
//! executor and a worker pool, with no knowledge of Qt and no C++. Any event loop drives it
//! through one seam, [`LoopWaker`] (the Qt one lives in `cxx-qt-async`); tests drive it with
//! [`testing::FakeLoop`].
//!
//! ## Thread model
//!
//! * The thread that installs a [`Runtime`] is its GUI thread. Coroutines ([`spawn`]) are
//!   spawned, polled and dropped only there (asserted with messages naming the rule); their
//!   futures need not be `Send`.
//! * Blocking jobs ([`run_blocking`], [`run_cancellable`], [`run_stream`]) run on the runtime's
//!   worker pool; their results resume the awaiting coroutine on the GUI thread.
//! * Wakes from any thread are coalesced into one [`LoopWaker::wake`] per batch; the loop then
//!   calls [`Drainer::drain`], which runs ready coroutines for at most a small time budget.
//! * A poll takes at most 128 ready results ([`coop`]), so no coroutine holds a drain for long.
//!
//! ```
//! use cxx_qt_async_engine::{run_blocking, spawn, testing::FakeLoop};
//!
//! let fake = FakeLoop::new();
//! let sum = fake.block_on(spawn(async {
//!     let a = run_blocking(|| 40).await?;
//!     anyhow::Ok(a + 2)
//! }));
//! assert_eq!(sum.unwrap().unwrap(), 42);
//! ```
//!
//! ## Modules
//!
//! | module | what it holds |
//! |---|---|
//! | `waker` | [`LoopWaker`], the one seam to an event loop |
//! | `executor` | [`Runtime`] and its [`Drainer`], [`spawn`], [`Coroutine`] handles, [`stats`] |
//! | `pool`, `job` | the worker pool; [`run_blocking`] and [`try_run_blocking`] return [`Job`]s |
//! | [`coop`] | the cooperative budget: a poll takes at most 128 ready results; [`yield_now`] |
//! | `timer` | [`sleep`] and [`interval`], and the runtime's timer queue, driven by the loop (no thread per timer) |
//! | `progress` | [`progress`]: worker progress, coalesced to the frame rate |
//! | `lag` | [`LagMeter`]: timer lateness on the GUI thread (last, p99, max) |
//! | `token`, `cancel` | [`CancelToken`] and [`Cancelled`]; [`run_cancellable`]: jobs that stop at a token check |
//! | `compose` | [`race`] and [`timeout`] (the loser is dropped, its jobs cancelled) |
//! | `stream` | [`run_stream`]: partial results as a `Stream`, with backpressure |
//! | `latch`, `sync` | the wake-coalescing and worker-parking protocols; loom-checked |
//! | `scope` | [`Scope`]: coroutines owned by an object, cancelled with it |
//! | `tasks` | [`tasks`]: the live task list (id, label, owner, state, age); [`slow_polls`]: the coroutines whose polls held the thread too long |
//! | `error` | [`JobError`], [`CoroutineError`] and the coroutine [report hook](set_report_hook) |
//! | [`testing`] | [`testing::FakeLoop`], a headless event loop for tests |
//! | `tokio` | feature `tokio`: await tokio-based futures directly; `tokio::spawn` runs `Send` futures on tokio's threads |
//!
//! The engine has one `unsafe` block: spawning a coroutine's task without async-task's own
//! thread-check wrapper (`executor::spawn_raw`, its SAFETY comment lists the invariants that
//! keep a coroutine on its thread). Everything else is safe code (`#![deny(unsafe_code)]`).
#![deny(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

mod cancel;
mod clock;
mod compose;
pub mod coop;
mod error;
mod executor;
mod job;
mod lag;
mod latch;
mod panic;
mod pool;
mod progress;
mod scope;
mod stream;
mod sync;
mod tasks;
pub mod testing;
mod timer;
mod token;
#[cfg(feature = "tokio")]
pub mod tokio;
mod waker;

pub use cancel::{run_cancellable, CancellableJob};
pub use compose::{race, timeout, Race, TimedOut, Timeout};
pub use coop::{yield_now, YieldNow};
pub use error::{
    is_cancelled, set_report_hook, worker_backtrace, CoroutineError, CoroutineReport, JobError,
};
pub use executor::{
    has_runtime, spawn, stats, worker_threads, Coroutine, Drainer, Runtime, RuntimeBuilder, Stats,
    GUI_THREAD_RULE,
};
pub use job::{run_blocking, try_run_blocking, Job};
pub use lag::{LagMeter, LagSnapshot};
pub use progress::{progress, progress_every, ProgressWatch, Reporter, FRAME_INTERVAL};
pub use scope::{CoroutineId, Entered, Liveness, Scope};
pub use stream::{run_stream, ItemSender, JobStream};
pub use tasks::{
    note_wait, slow_polls, tasks, SlowPoll, TaskId, TaskInfo, TaskState, Wait, DEFAULT_SLOW_POLL,
};
pub use timer::{interval, sleep, sleep_until, Interval, Sleep};
pub use token::{CancelToken, Cancelled};
pub use waker::LoopWaker;
