//! [`Runtime`]: the executor and worker pool of one GUI thread, its [`RuntimeBuilder`], and the
//! [`Drainer`] the event loop calls. Installing a runtime fills the thread's context
//! ([`crate::context`]); dropping it shuts everything down, on that thread.

use std::cell::Cell;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::context::{self, has_runtime, with_local, Local};
use super::panic as caught;
use super::pool::WorkerPool;
use super::ready::ReadyQueue;
use super::rules::GUI_THREAD_RULE;
use super::timer_queue::TimerQueue;
use super::waker::LoopWaker;
use super::{clock, drain, slow_poll};

/// Configures and installs a [`Runtime`] on the current thread.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{Runtime, testing::FakeLoop};
///
/// let fake = FakeLoop::new_uninstalled();
/// let runtime = fake.install(
///     Runtime::builder()
///         .worker_threads(2)
///         .drain_budget(Duration::from_millis(2)),
/// );
/// assert_eq!(runtime.worker_threads(), 2);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .install() is called"]
pub struct RuntimeBuilder {
    workers: usize,
    reserve: Option<usize>,
    worker_nice: u8,
    budget: Duration,
    slow_poll: Duration,
    shutdown_wait: Duration,
    #[cfg(feature = "tokio")]
    tokio_workers: usize,
}

/// 1 ms; under Miri, which runs code about a thousand times slower (a single poll can take longer
/// than 1 ms there), 1 s, so that a drain still runs what a real one would.
const DEFAULT_DRAIN_BUDGET: Duration = if cfg!(miri) {
    Duration::from_secs(1)
} else {
    Duration::from_millis(1)
};

impl Default for RuntimeBuilder {
    fn default() -> Self {
        Self {
            workers: thread::available_parallelism().map_or(2, |n| n.get()),
            reserve: None,
            worker_nice: 10,
            budget: DEFAULT_DRAIN_BUDGET,
            slow_poll: slow_poll::DEFAULT_SLOW_POLL,
            shutdown_wait: Duration::from_secs(1),
            #[cfg(feature = "tokio")]
            tokio_workers: 2,
        }
    }
}

impl RuntimeBuilder {
    /// Number of worker threads of the pool (default: the available parallelism). At least 1.
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// How many reserve workers the pool may add while it is starved: every worker inside a
    /// job and no queued job started for 20 ms, one more per 20 ms of starvation (default:
    /// three times [`worker_threads`](Self::worker_threads), so a person may start that many
    /// long jobs and still get a quick one through). They run at the workers' niceness, share
    /// the cores with the long jobs, and end after 2 s without a job. With 0, the pool never
    /// has more threads than its workers, and a quick job submitted while long ones hold every
    /// worker waits for one of them to end.
    pub fn reserve_threads(mut self, n: usize) -> Self {
        self.reserve = Some(n);
        self
    }

    /// The OS niceness of the worker threads, 0 to 19 (default 10; Linux): below the GUI and
    /// render threads (nice 0), so that on a machine whose cores are all busy with jobs the
    /// window still gets the CPU whenever it wants it (a frame, an input event, a timer),
    /// and the workers get the rest. 0 leaves them at the GUI thread's priority.
    pub fn worker_nice(mut self, nice: u8) -> Self {
        self.worker_nice = nice.min(19);
        self
    }

    /// How long one drain may run coroutines before it returns to the event loop (default 1 ms).
    pub fn drain_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// How long one poll of a coroutine may hold the thread before it is named as a slow poll
    /// (default 8 ms, half a frame): see [`slow_polls`](crate::slow_polls).
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Self {
        self.slow_poll = threshold;
        self
    }

    /// How long dropping the runtime waits for running jobs to finish (default 1 s): blocking
    /// jobs and, with the `tokio` feature, tokio tasks, within one bound.
    pub fn shutdown_wait(mut self, wait: Duration) -> Self {
        self.shutdown_wait = wait;
        self
    }

    /// Number of threads of the tokio runtime (feature `tokio`; default 2, at least 1). They
    /// run tokio's I/O and time drivers and the futures given to [`tokio::spawn`](crate::tokio::spawn).
    #[cfg(feature = "tokio")]
    pub fn tokio_worker_threads(mut self, n: usize) -> Self {
        self.tokio_workers = n.max(1);
        self
    }

    /// Installs the runtime on the current thread, which becomes its GUI thread.
    ///
    /// # Panics
    ///
    /// If this thread already has a runtime.
    #[track_caller]
    pub fn install(self, loop_waker: impl LoopWaker) -> Runtime {
        assert!(
            !has_runtime(),
            "a cxx-qt-async runtime is already installed on this thread"
        );
        caught::install_hook();
        let ready = Arc::new(ReadyQueue::new(Arc::new(loop_waker)));
        let local = Local {
            ready: Arc::clone(&ready),
            budget: self.budget,
            pool: WorkerPool::new(
                self.workers,
                self.reserve.unwrap_or(3 * self.workers),
                self.worker_nice,
                self.shutdown_wait,
            ),
            draining: Cell::new(false),
            timers: TimerQueue::default(),
            shutdown_wait: self.shutdown_wait,
            #[cfg(feature = "tokio")]
            tokio: super::tokio_slot::TokioSlot::new(self.tokio_workers),
        };
        slow_poll::reset(self.slow_poll);
        ReadyQueue::set_owner(Some(&ready));
        context::install(local);
        Runtime {
            workers: self.workers,
            _not_send: std::marker::PhantomData,
        }
    }
}

/// The right to run the drains of one [`Runtime`]: what an event-loop integration calls each
/// time its [`LoopWaker`] asked for a drain. Get it from [`Runtime::drainer`].
///
/// It is `!Send` (a drain runs on the runtime's own thread) and only the holder of the runtime
/// can get one: the Qt layer keeps its own private, so no user code can run a drain from inside
/// a QObject's method (where coroutines could borrow the object it holds).
///
/// ```compile_fail,E0277
/// // A drainer stays on the GUI thread.
/// fn assert_send<T: Send>(_: T) {}
/// let fake = cxx_qt_async_engine::testing::FakeLoop::new_uninstalled();
/// let runtime = fake.install(cxx_qt_async_engine::Runtime::builder());
/// assert_send(runtime.drainer());
/// ```
///
/// ```compile_fail,E0425
/// // There is no free-standing drain to call.
/// cxx_qt_async_engine::drain();
/// ```
#[derive(Debug, Clone)]
pub struct Drainer {
    ready: std::sync::Weak<ReadyQueue>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drainer {
    /// Runs ready coroutines for at most the drain budget, then returns (see [`LoopWaker`]).
    /// Does nothing once its runtime was dropped (a late event of the loop).
    ///
    /// # Panics
    ///
    /// When called from inside a coroutine (drains never nest), naming the rule.
    pub fn drain(&self) {
        let Some(ready) = self.ready.upgrade() else {
            return;
        };
        if ready.on_owner() {
            drain::run();
        }
    }
}

/// The installed executor and worker pool of one GUI thread. Dropping it shuts both down:
/// queued jobs are cancelled, running jobs get [`RuntimeBuilder::shutdown_wait`] to finish, and
/// every remaining coroutine is dropped (on this thread).
///
/// Apps built on Qt use `cxx_qt_async::QtRuntime`, which installs this with a Qt loop waker.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop, Runtime};
///
/// // An event loop's integration installs the runtime with its own LoopWaker (the Qt layer's
/// // QtRuntime does); here the fake loop's.
/// let fake = FakeLoop::new_uninstalled();
/// let runtime: Runtime = fake.install(Runtime::builder().worker_threads(2));
/// assert_eq!(runtime.worker_threads(), 2);
/// let sum = fake.block_on(spawn_local(async { spawn_blocking(|| 1 + 1).await }));
/// assert_eq!(sum.unwrap().unwrap(), 2);
/// drop(runtime); // shuts the pool down
/// ```
#[derive(Debug)]
#[must_use = "the runtime shuts down when this guard is dropped"]
pub struct Runtime {
    workers: usize,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Runtime {
    /// A builder with the defaults.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// The worker pool's size.
    pub fn worker_threads(&self) -> usize {
        self.workers
    }

    /// What the event loop calls to drain this runtime (see [`Drainer`]).
    pub fn drainer(&self) -> Drainer {
        let ready = with_local("Runtime::drainer()", |local| Arc::downgrade(&local.ready));
        Drainer {
            ready,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Refused before anything changes: the runtime stays installed and keeps working (it
        // then lives until the thread ends).
        assert!(
            !context::in_drain(),
            "a cxx-qt-async runtime may not be dropped from inside one of its coroutines (it \
             would have to drop the coroutine that drops it): drop it after the event loop \
             has returned. {GUI_THREAD_RULE}"
        );
        let taken = context::take().unwrap_or_else(|_| {
            panic!("the runtime was dropped from inside a coroutine. {GUI_THREAD_RULE}")
        });
        let Some(local) = taken else {
            return;
        };
        let deadline = clock::saturating_add(Instant::now(), local.shutdown_wait);
        // From now on a woken coroutine is dropped at once (on this thread) instead of queued.
        local.ready.close();
        // Drop what is queued first: among it are the coroutines cancelled just before (their
        // owners were destroyed), whose futures are dropped only now. That sets the cancel
        // tokens of the jobs they were awaiting, so the pool's bounded wait below is short.
        local.ready.drop_queued();
        local.pool.shutdown();
        // Coroutines parked on a timer are referenced only by the timer's waker. Dropping the
        // waker of a detached task schedules it one last time so that its future is dropped;
        // that must happen while this thread is still the owner, or the runnable would be
        // forgotten and the coroutine's destructors would never run.
        drop(local.timers.take_all());
        local.ready.drop_queued();
        // Tokio's tasks get what is left of the same bound. Coroutines parked on tokio I/O are
        // referenced by tokio's wakers only: dropped there, they are scheduled one last time.
        #[cfg(feature = "tokio")]
        {
            let Local { tokio, ready, .. } = local;
            tokio.shutdown(deadline.saturating_duration_since(Instant::now()));
            ready.drop_queued();
        }
        #[cfg(not(feature = "tokio"))]
        let _ = deadline;
        // Only now: until here, `schedule` recognises this thread as the owner.
        ReadyQueue::set_owner(None);
    }
}
