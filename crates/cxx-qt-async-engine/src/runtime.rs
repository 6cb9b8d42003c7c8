//! [`Runtime`]: the executor and worker pool of one GUI thread, its [`RuntimeBuilder`], and the
//! [`Drainer`] the event loop calls. Installing a runtime fills the thread's context
//! ([`crate::context`]); dropping it shuts everything down, on that thread.

use std::cell::Cell;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::context::{self, has_runtime, with_local, Local, ShuttingDown};
use super::panic as caught;
use super::pool::WorkerPool;
use super::ready::ReadyQueue;
use super::refusal;
use super::rules::GUI_THREAD_RULE;
use super::timer_queue::TimerQueue;
use super::waker::LoopWaker;
use super::{clock, drain, slow_poll, tasks};

/// Configures and installs a [`Runtime`] on the current thread.
///
/// Every setting saturates: `worker_threads(usize::MAX)` gives a default reserve of
/// `usize::MAX` threads (three times would overflow), not a panic.
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
    /// run tokio's I/O and time drivers and the futures given to [`on_tokio::spawn`](crate::on_tokio::spawn).
    #[cfg(feature = "tokio")]
    pub fn tokio_worker_threads(mut self, n: usize) -> Self {
        self.tokio_workers = n.max(1);
        self
    }

    /// The reserve: as set, else three times the workers (saturating).
    fn reserve(&self) -> usize {
        self.reserve
            .unwrap_or_else(|| self.workers.saturating_mul(3))
    }

    /// Installs the runtime on the current thread, which becomes its GUI thread.
    ///
    /// While this thread's runtime shuts down (from a destructor its drop runs), the
    /// installation is refused ([`integration::refuse`](crate::integration::refuse): logged,
    /// and the coroutine being polled, if any, ends): the returned guard is inert, and the
    /// runtime that shuts down stays the thread's until its drop returns.
    ///
    /// # Panics
    ///
    /// If this thread already has a runtime (that is not shutting down).
    #[track_caller]
    pub fn install(self, loop_waker: impl LoopWaker) -> Runtime {
        if context::is_shutting_down() {
            refusal::refuse(&format!(
                "a cxx-qt-async runtime may not be installed while this thread's runtime shuts \
                 down. {GUI_THREAD_RULE}"
            ));
            return Runtime {
                workers: 0,
                installed: false,
                _not_send: std::marker::PhantomData,
            };
        }
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
                self.reserve(),
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
            installed: true,
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
        if context::is_shutting_down() {
            return; // the shutdown ends every coroutine itself
        }
        let Some(ready) = self.ready.upgrade() else {
            return;
        };
        if ready.on_owner() {
            drain::run();
        }
    }
}

/// The installed executor and worker pool of one GUI thread. Dropping it shuts both down:
/// every live coroutine is dropped, on this thread, whoever holds its handle (held [`Task`]s,
/// [`Scope`]s that outlive the runtime, coroutines parked on a timer or on a waker held
/// elsewhere), so their destructors run there and then (a handle awaited later gives
/// [`TaskError::Cancelled`]); queued jobs are cancelled, running jobs get
/// [`RuntimeBuilder::shutdown_wait`] to finish. Spawns from the destructors that run meanwhile
/// are refused ([`integration::is_shutting_down`]).
///
/// Dropping it from inside one of its own coroutines (or while one is dropped in a drain) is
/// refused ([`integration::refuse`]): logged, the runtime stays installed (until the thread
/// ends), the coroutine ends with [`TaskError::Refused`]. Never a panic: it may happen during
/// an unwind or in a destructor called from C++.
///
/// [`Task`]: crate::Task
/// [`Scope`]: crate::Scope
/// [`TaskError::Cancelled`]: crate::TaskError::Cancelled
/// [`TaskError::Refused`]: crate::TaskError::Refused
/// [`integration::is_shutting_down`]: crate::integration::is_shutting_down
/// [`integration::refuse`]: crate::integration::refuse
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
    /// `false` for the guard of a refused installation (its drop does nothing).
    installed: bool,
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
        let ready = match self.installed {
            true => with_local("Runtime::drainer()", |local| Arc::downgrade(&local.ready)),
            false => std::sync::Weak::new(),
        };
        Drainer {
            ready,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if !self.installed {
            return; // a refused installation's guard
        }
        if context::in_drain() || context::is_shutting_down() {
            // Refused before anything changes: the runtime stays installed and keeps working
            // (it then lives until the thread ends); the coroutine that dropped it ends.
            refusal::refuse(&format!(
                "a cxx-qt-async runtime may not be dropped from inside one of its coroutines (it \
                 would have to drop the coroutine that drops it): drop it after the event loop \
                 has returned. {GUI_THREAD_RULE}"
            ));
            return;
        }
        let Some((ready, shutdown_wait)) =
            context::try_with_local(|local| (Arc::clone(&local.ready), local.shutdown_wait))
        else {
            return;
        };
        // Until the end of this drop: spawns are refused, drains do nothing, and a woken
        // coroutine is queued (for the loop below) without asking the loop for a drain.
        let _shutting_down = ShuttingDown::enter();
        ready.close();
        let started = Instant::now();
        let deadline = clock::saturating_add(started, shutdown_wait);
        // Every live coroutine is dropped now, on this thread, whoever holds its handle or its
        // wakers (a timer, a scope, a signal, tokio): their destructors run here. That also
        // cancels the jobs they awaited (a queued job never runs), so the pool's bounded wait
        // below is short.
        end_every_coroutine(&ready, clock::saturating_add(started, SHUTDOWN_REACH));
        with_local("Runtime::drop()", |local| local.pool.shutdown());
        end_every_coroutine(
            &ready,
            clock::saturating_add(Instant::now(), SHUTDOWN_REACH),
        );
        // Only now: until here, `schedule` recognises this thread as the owner.
        ReadyQueue::set_owner(None);
        let Ok(Some(local)) = context::take() else {
            return;
        };
        // Tokio's tasks get what is left of the same bound.
        #[cfg(feature = "tokio")]
        {
            let Local { tokio, .. } = local;
            tokio.shutdown(deadline.saturating_duration_since(Instant::now()));
        }
        #[cfg(not(feature = "tokio"))]
        {
            let _ = deadline;
            drop(local);
        }
    }
}

/// How long a shutdown waits for coroutines woken elsewhere (a worker, a tokio thread) to reach
/// its queue, before it gives up on them (and says so).
const SHUTDOWN_REACH: Duration = Duration::from_secs(1);

/// Drops every live coroutine of this thread: wakes each one (the task list keeps a waker of
/// every live coroutine) and runs the queues until none is left (a woken coroutine, polled
/// while the runtime shuts down, drops its future instead). Coroutines woken elsewhere that
/// have not reached the queue yet are waited for until `deadline`.
fn end_every_coroutine(ready: &ReadyQueue, deadline: Instant) {
    loop {
        for waker in tasks::take_live_wakers() {
            waker.wake();
        }
        let ran = drain::run_for_shutdown(ready);
        let left = tasks::live();
        if left == 0 {
            return;
        }
        if ran == 0 {
            if Instant::now() >= deadline {
                tracing::error!(
                    target: "cxx_qt_async_engine",
                    "{left} coroutine(s) could not be reached at shutdown: they are leaked"
                );
                return;
            }
            thread::yield_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RuntimeBuilder;

    #[test]
    fn the_default_reserve_of_a_huge_pool_saturates_instead_of_overflowing() {
        let builder = RuntimeBuilder::default().worker_threads(usize::MAX);
        assert_eq!(builder.reserve(), usize::MAX);
        assert_eq!(RuntimeBuilder::default().worker_threads(4).reserve(), 12);
    }
}
