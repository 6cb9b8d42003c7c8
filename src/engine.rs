//! The async engine: a GUI-thread executor and a worker pool, with no knowledge of Qt.
//!
//! | module | what it holds |
//! |---|---|
//! | `waker` | [`LoopWaker`], the one seam to an event loop |
//! | `executor` | [`Runtime`] and its [`Drainer`], [`spawn`], [`Coroutine`] handles, [`stats`] |
//! | `pool`, `job` | the worker pool; [`run_blocking`] and [`try_run_blocking`] return [`Job`]s |
//! | [`coop`] | the cooperative budget: a poll takes at most 128 ready results; [`yield_now`] |
//! | `timer` | [`sleep`] and [`interval`], driven by the loop (no thread per timer) |
//! | `progress` | [`progress`]: worker progress, coalesced to the frame rate |
//! | `lag` | [`LagMeter`]: timer lateness on the GUI thread (last, p99, max) |
//! | `cancel` | [`run_cancellable`]: jobs that stop at a [`CancelToken`] check |
//! | `compose` | [`race`] and [`timeout`] (the loser is dropped, its jobs cancelled) |
//! | `stream` | [`run_stream`]: partial results as a `Stream`, with backpressure |
//! | `latch`, `sync` | the wake-coalescing and worker-parking protocols; loom-checked |
//! | `scope` | [`Scope`]: coroutines owned by an object, cancelled with it |
//! | `tasks` | [`tasks`]: the live task list (id, label, owner, state, age) |
//! | `error` | [`JobError`], [`CoroutineError`] and the coroutine [report hook](set_report_hook) |
//! | [`testing`] | [`testing::FakeLoop`], a headless event loop for tests |
//!
//! The engine has no `unsafe` code (`#![forbid(unsafe_code)]` below).
#![forbid(unsafe_code)]

mod cancel;
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
mod waker;

pub use cancel::{run_cancellable, CancelToken, CancellableJob, Cancelled};
pub use compose::{race, timeout, Race, TimedOut, Timeout};
pub use coop::{yield_now, YieldNow};
pub use error::{is_cancelled, worker_backtrace, CoroutineError, CoroutineReport, JobError};
pub use executor::{
    has_runtime, set_report_hook, spawn, stats, worker_threads, Coroutine, Drainer, Runtime,
    RuntimeBuilder, Stats, GUI_THREAD_RULE,
};
pub use job::{run_blocking, try_run_blocking, Job};
pub use lag::{LagMeter, LagSnapshot};
pub use progress::{progress, progress_every, ProgressWatch, Reporter, FRAME_INTERVAL};
pub use scope::{CoroutineId, Entered, Liveness, Scope};
pub use stream::{run_stream, ItemSender, JobStream};
pub(crate) use tasks::{note_wait, Wait};
pub use tasks::{tasks, TaskId, TaskInfo, TaskState};
pub use timer::{interval, sleep, sleep_until, Interval, Sleep};
pub use waker::LoopWaker;
