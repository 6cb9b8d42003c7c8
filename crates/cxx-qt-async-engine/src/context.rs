//! The runtime of the current thread, as the rest of the engine reaches it: a thread-local slot
//! that [`Runtime`](crate::Runtime)'s installation fills and its drop empties, and the counters
//! that [`stats`] reports.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::pool::WorkerPool;
use super::ready::ReadyQueue;
use super::rules::GUI_THREAD_RULE;
use super::timer_queue::TimerQueue;
use super::{slow_poll, tasks};

/// One runtime's state on its GUI thread.
pub(crate) struct Local {
    pub(crate) ready: Arc<ReadyQueue>,
    pub(crate) budget: Duration,
    pub(crate) pool: WorkerPool,
    /// A drain is running (timers then leave asking the loop to the drain's end).
    pub(crate) draining: Cell<bool>,
    /// Pending sleeps and intervals, and which deadline the loop was asked to drain at.
    pub(crate) timers: TimerQueue,
    /// How long shutdown waits for running work, pool and tokio together.
    pub(crate) shutdown_wait: Duration,
    #[cfg(feature = "tokio")]
    pub(crate) tokio: super::tokio_slot::TokioSlot,
}

impl Local {
    /// Asks the loop for a drain at the earliest pending deadline, unless it was already asked.
    pub(crate) fn ask_for_timers(&self) {
        if let Some(deadline) = self.timers.unasked_deadline() {
            self.ready.wake_at(deadline);
        }
    }
}

thread_local! {
    static RUNTIME: RefCell<Option<Local>> = const { RefCell::new(None) };
    /// This thread's runtime is being dropped (see [`is_shutting_down`]).
    static SHUTTING_DOWN: Cell<bool> = const { Cell::new(false) };
    /// The counters of this thread's runtime (reset when one is installed).
    static STATS: Cell<Stats> = const { Cell::new(Stats { loop_wakes: 0, drains: 0, budget_yields: 0, polls: 0, live_coroutines: 0, pending_timers: 0, longest_drain_us: 0, slow_polls: 0 }) };
}

/// Runs `f` with this thread's runtime; panics naming the rule when there is none.
#[track_caller]
pub(crate) fn with_local<R>(what: &str, f: impl FnOnce(&Local) -> R) -> R {
    RUNTIME.with(|r| match r.borrow().as_ref() {
        Some(local) => f(local),
        None => panic!(
            "{what} called on thread {:?}, which has no cxx-qt-async runtime. {GUI_THREAD_RULE}",
            thread::current().name().unwrap_or("<unnamed>")
        ),
    })
}

/// Runs `f` with this thread's runtime if there is one (and it is not being installed or torn
/// down); `None` otherwise. Never panics (usable from destructors).
pub(crate) fn try_with_local<R>(f: impl FnOnce(&Local) -> R) -> Option<R> {
    RUNTIME
        .try_with(|r| r.try_borrow().ok().and_then(|slot| slot.as_ref().map(f)))
        .ok()
        .flatten()
}

/// Fills this thread's slot (installation).
pub(crate) fn install(local: Local) {
    STATS.with(|s| s.set(Stats::default()));
    RUNTIME.with(|r| *r.borrow_mut() = Some(local));
}

/// Empties this thread's slot (shutdown). `Err` when the slot is borrowed: the runtime is being
/// dropped from inside one of its own coroutines or timers.
pub(crate) fn take() -> Result<Option<Local>, std::cell::BorrowMutError> {
    RUNTIME
        .try_with(|r| r.try_borrow_mut().map(|mut slot| slot.take()))
        .unwrap_or(Ok(None))
}

/// `true` while this thread runs a drain (a coroutine, or a timer the drain fires, is on the
/// stack): what may not happen then (dropping the runtime) is refused.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{integration::in_drain, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// assert!(!in_drain());
/// assert!(fake.block_on(spawn_local(async { in_drain() })).unwrap());
/// ```
pub fn in_drain() -> bool {
    RUNTIME
        .try_with(|r| match r.try_borrow() {
            Ok(slot) => slot.as_ref().is_some_and(|local| local.draining.get()),
            Err(_) => true,
        })
        .unwrap_or(false)
}

/// `true` while this thread's runtime shuts down (its drop is ending every coroutine, which runs
/// their destructors): what such a destructor asks for then is refused — a spawn resolves at
/// once to [`TaskError::Refused`](crate::TaskError::Refused), an integration installs no new
/// runtime (the one shutting down is still [installed](has_runtime) until its drop returns).
///
/// # Examples
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use cxx_qt_async_engine::{integration::is_shutting_down, spawn_local, testing::FakeLoop};
///
/// struct Probe(Rc<Cell<bool>>);
/// impl Drop for Probe {
///     fn drop(&mut self) {
///         self.0.set(is_shutting_down());
///     }
/// }
///
/// let fake = FakeLoop::new();
/// let seen = Rc::new(Cell::new(false));
/// let probe = Probe(seen.clone());
/// spawn_local(async move {
///     let _probe = probe;
///     std::future::pending::<()>().await
/// })
/// .detach();
/// assert!(!is_shutting_down());
/// drop(fake); // its runtime shuts down, dropping the coroutine
/// assert!(seen.get() && !is_shutting_down());
/// ```
pub fn is_shutting_down() -> bool {
    SHUTTING_DOWN.try_with(Cell::get).unwrap_or(false)
}

/// Marks this thread's runtime as shutting down until dropped.
pub(crate) struct ShuttingDown(());

impl ShuttingDown {
    pub(crate) fn enter() -> Self {
        SHUTTING_DOWN.with(|s| s.set(true));
        Self(())
    }
}

impl Drop for ShuttingDown {
    fn drop(&mut self) {
        let _ = SHUTTING_DOWN.try_with(|s| s.set(false));
    }
}

/// `true` when this thread has an installed runtime.
///
/// ```
/// use cxx_qt_async_engine::{has_runtime, testing::FakeLoop};
///
/// assert!(!has_runtime());
/// let fake = FakeLoop::new(); // installs one
/// assert!(has_runtime());
/// drop(fake);
/// assert!(!has_runtime());
/// ```
pub fn has_runtime() -> bool {
    RUNTIME.with(|r| r.try_borrow().map_or(true, |r| r.is_some()))
}

/// Updates this thread's counters.
pub(crate) fn bump(f: impl FnOnce(&mut Stats)) {
    STATS.with(|stats| {
        let mut s = stats.get();
        f(&mut s);
        stats.set(s);
    });
}

/// Counters of one runtime, for tests and diagnostics.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, stats, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// fake.block_on(spawn_local(async {})).unwrap();
/// assert_eq!(stats().live_coroutines, 0);
/// assert!(stats().drains >= 1 && stats().polls >= 1);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// How often the engine asked the loop to drain ([`LoopWaker::wake`] calls).
    ///
    /// [`LoopWaker::wake`]: crate::integration::LoopWaker::wake
    pub loop_wakes: u64,
    /// How many drains ran.
    pub drains: u64,
    /// How many drains stopped because the time budget was spent, with work left.
    pub budget_yields: u64,
    /// How many times a task was polled.
    pub polls: u64,
    /// Coroutines spawned and not yet finished or dropped.
    pub live_coroutines: u64,
    /// Timers (sleeps, intervals) waiting for their deadline.
    pub pending_timers: u64,
    /// The longest drain so far, in microseconds (a drain overruns its budget by at most one
    /// poll's worth of work plus what the OS takes from the thread).
    pub longest_drain_us: u64,
    /// Polls of a coroutine that held the thread for at least the slow-poll threshold
    /// ([`slow_polls`](crate::slow_polls) names the worst).
    pub slow_polls: u64,
}

/// This thread's runtime counters.
///
/// # Panics
///
/// On a thread without a runtime.
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, stats, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// fake.block_on(spawn_local(async {})).unwrap();
/// let counters = stats();
/// assert!(counters.polls >= 1 && counters.drains >= 1);
/// assert_eq!(counters.live_coroutines, 0);
/// ```
pub fn stats() -> Stats {
    with_local("stats()", |local| Stats {
        loop_wakes: local.ready.wakes(),
        pending_timers: local.timers.len() as u64,
        live_coroutines: tasks::live() as u64,
        slow_polls: slow_poll::count(),
        ..STATS.with(Cell::get)
    })
}

/// The size of this thread's worker pool.
///
/// # Panics
///
/// On a thread without a runtime.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{testing::FakeLoop, worker_threads, Runtime};
///
/// let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(3));
/// assert_eq!(worker_threads(), 3);
/// ```
pub fn worker_threads() -> usize {
    with_local("worker_threads()", |local| local.pool.threads())
}

/// The runtime's tokio handle (the tokio runtime is made on first use).
#[cfg(feature = "tokio")]
pub(crate) fn tokio_handle(what: &str) -> ::tokio::runtime::Handle {
    with_local(what, |local| local.tokio.handle().clone())
}
