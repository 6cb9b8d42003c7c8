//! The GUI-thread executor: one per event-loop thread, installed as a thread-local.
//!
//! Tasks are `async-task` tasks spawned with `spawn_local` (so their futures need not be `Send`).
//! Waking a task, from any thread, pushes its `Runnable` onto a lock-free queue; the first push
//! after a drain also calls [`LoopWaker::wake`], every later push sees the `armed` flag and posts
//! nothing. A drain runs queued tasks until the queue is empty or the time budget is spent, then
//! disarms; if work remains (or arrived meanwhile) it re-arms, which posts exactly one new wake.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use async_task::{Runnable, Task as RawTask};
use crossbeam_queue::SegQueue;

use super::error::TaskError;
use super::latch::WakeLatch;
use super::panic::{self as caught, CaptureScope};
use super::pool::WorkerPool;
use super::tasks::{self, Label, Registered};
use super::timer::{TimerKey, TimerQueue};
use super::waker::LoopWaker;
use super::{clock, coop, stop};

/// The rule every affinity assertion names.
pub const GUI_THREAD_RULE: &str =
    "cxx-qt-async rule: coroutines are spawned, polled and dropped only on the GUI thread \
     (the event-loop thread that installed the runtime)";

/// The part of the executor that other threads touch: the remote ready queue and the armed flag.
/// Runnables scheduled on the owner (GUI) thread itself go to its `LOCAL_QUEUE` instead.
pub(crate) struct Shared {
    queue: SegQueue<Runnable>,
    latch: WakeLatch,
    closed: AtomicBool,
    loop_waker: Box<dyn LoopWaker>,
    wakes: AtomicU64,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // This may run on any thread (the last waker can be dropped anywhere): a runnable still
        // queued here may own a `!Send` future, so it is leaked, never dropped off its thread.
        while let Some(runnable) = self.queue.pop() {
            std::mem::forget(runnable);
        }
    }
}

impl Shared {
    /// Queues a runnable; posts one loop wake per batch.
    fn schedule(&self, runnable: Runnable) {
        let on_owner = OWNER
            .try_with(|o| o.get() == self as *const Self as usize)
            .unwrap_or(false);
        if self.closed.load(Ordering::Acquire) {
            // The runtime is shutting down. Dropping a local task's runnable drops its future,
            // which is only allowed on the owner thread; elsewhere, leak it (the process is
            // shutting down).
            if on_owner {
                drop(runnable);
            } else {
                std::mem::forget(runnable);
            }
            return;
        }
        if on_owner {
            LOCAL_QUEUE.with(|q| q.borrow_mut().push_back(runnable));
        } else {
            self.queue.push(runnable);
        }
        self.arm();
    }

    /// `true` when either queue holds a runnable (on the owner thread).
    fn has_ready(&self) -> bool {
        !self.queue.is_empty() || LOCAL_QUEUE.with(|q| !q.borrow().is_empty())
    }

    /// Posts a loop wake unless one is already pending.
    fn arm(&self) {
        if self.latch.arm() {
            self.wakes.fetch_add(1, Ordering::Relaxed);
            self.loop_waker.wake();
        }
    }
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

struct Local {
    shared: Arc<Shared>,
    budget: Duration,
    pool: WorkerPool,
    draining: Cell<bool>,
    /// Pending sleeps and intervals, and which deadline the loop was asked to drain at.
    timers: TimerQueue,
    /// How long shutdown waits for running work, pool and tokio together.
    shutdown_wait: Duration,
    #[cfg(feature = "tokio")]
    tokio: super::tokio::TokioSlot,
}

/// Registers (or moves) a timer for the current poll's task; returns its key.
pub(crate) fn register_timer(old: Option<TimerKey>, deadline: Instant, waker: &Waker) -> TimerKey {
    with_local("sleep()", |local| {
        let key = local.timers.insert(old, deadline, waker);
        if !local.draining.get() {
            // Outside a drain nobody else will tell the loop about this deadline.
            ask_for_timers(local);
        }
        key
    })
}

/// Forgets a timer (it fired, or its future was dropped).
pub(crate) fn remove_timer(key: TimerKey) {
    let _ = RUNTIME.try_with(|r| {
        if let Ok(slot) = r.try_borrow() {
            if let Some(local) = slot.as_ref() {
                local.timers.remove(key);
            }
        }
    });
}

/// Asks the loop for a drain at the earliest pending deadline, unless it was already asked.
fn ask_for_timers(local: &Local) {
    if let Some(deadline) = local.timers.unasked_deadline() {
        local.shared.loop_waker.wake_at(deadline);
    }
}

thread_local! {
    static RUNTIME: RefCell<Option<Local>> = const { RefCell::new(None) };
    /// Runnables scheduled on this (GUI) thread: spawns and local wakes; no atomics needed.
    static LOCAL_QUEUE: RefCell<VecDeque<Runnable>> = const { RefCell::new(VecDeque::new()) };
    /// The address of the `Shared` of this thread's runtime (0: none).
    static OWNER: Cell<usize> = const { Cell::new(0) };
    /// The counters of this thread's runtime (reset when one is installed).
    static STATS: Cell<Stats> = const { Cell::new(Stats { loop_wakes: 0, drains: 0, budget_yields: 0, polls: 0, live_coroutines: 0, pending_timers: 0, longest_drain_us: 0, slow_polls: 0 }) };
}

/// Runs `f` with this thread's runtime; panics naming the rule when there is none.
#[track_caller]
fn with_local<R>(what: &str, f: impl FnOnce(&Local) -> R) -> R {
    RUNTIME.with(|r| match r.borrow().as_ref() {
        Some(local) => f(local),
        None => panic!(
            "{what} called on thread {:?}, which has no cxx-qt-async runtime. {GUI_THREAD_RULE}",
            thread::current().name().unwrap_or("<unnamed>")
        ),
    })
}

/// `true` when this thread has an installed runtime.
pub fn has_runtime() -> bool {
    RUNTIME.with(|r| r.borrow().is_some())
}

fn bump(f: impl FnOnce(&mut Stats)) {
    STATS.with(|stats| {
        let mut s = stats.get();
        f(&mut s);
        stats.set(s);
    });
}

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

impl Default for RuntimeBuilder {
    fn default() -> Self {
        Self {
            workers: thread::available_parallelism().map_or(2, |n| n.get()),
            reserve: None,
            worker_nice: 10,
            budget: Duration::from_millis(1),
            slow_poll: super::tasks::DEFAULT_SLOW_POLL,
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
        let shared = Arc::new(Shared {
            queue: SegQueue::new(),
            latch: WakeLatch::default(),
            closed: AtomicBool::new(false),
            loop_waker: Box::new(loop_waker),
            wakes: AtomicU64::new(0),
        });
        let local = Local {
            shared,
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
            tokio: super::tokio::TokioSlot::new(self.tokio_workers),
        };
        STATS.with(|s| s.set(Stats::default()));
        tasks::reset_slow_polls(self.slow_poll);
        OWNER.with(|o| o.set(Arc::as_ptr(&local.shared) as usize));
        RUNTIME.with(|r| *r.borrow_mut() = Some(local));
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
    shared: std::sync::Weak<Shared>,
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
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        let current = OWNER.try_with(Cell::get).unwrap_or(0);
        if current == Arc::as_ptr(&shared) as usize {
            drain();
        }
    }
}

/// The installed executor and worker pool of one GUI thread. Dropping it shuts both down:
/// queued jobs are cancelled, running jobs get [`RuntimeBuilder::shutdown_wait`] to finish, and
/// every remaining coroutine is dropped (on this thread).
///
/// Apps built on Qt use `cxx_qt_async::QtRuntime`, which installs this with a Qt loop waker.
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
        let shared = with_local("Runtime::drainer()", |local| Arc::downgrade(&local.shared));
        Drainer {
            shared,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let taken = RUNTIME.try_with(|r| {
            r.try_borrow_mut()
                .map(|mut slot| slot.take())
                .unwrap_or_else(|_| {
                    panic!("the runtime was dropped from inside a coroutine. {GUI_THREAD_RULE}")
                })
        });
        let Some(local) = taken.ok().flatten() else {
            return;
        };
        let deadline = Instant::now() + local.shutdown_wait;
        // From now on a woken coroutine is dropped at once (on this thread) instead of queued.
        local.shared.closed.store(true, Ordering::Release);
        // Drop what is queued first: among it are the coroutines cancelled just before (their
        // owners were destroyed), whose futures are dropped only now. That sets the cancel
        // tokens of the jobs they were awaiting, so the pool's bounded wait below is short.
        drop_queued(&local.shared);
        local.pool.shutdown();
        // Coroutines parked on a timer are referenced only by the timer's waker. Dropping the
        // waker of a detached task schedules it one last time so that its future is dropped;
        // that must happen while this thread is still the owner, or the runnable would be
        // forgotten and the coroutine's destructors would never run.
        drop(local.timers.take_all());
        drop_queued(&local.shared);
        // Tokio's tasks get what is left of the same bound. Coroutines parked on tokio I/O are
        // referenced by tokio's wakers only: dropped there, they are scheduled one last time.
        #[cfg(feature = "tokio")]
        {
            let Local { tokio, shared, .. } = local;
            tokio.shutdown(deadline.saturating_duration_since(Instant::now()));
            drop_queued(&shared);
        }
        #[cfg(not(feature = "tokio"))]
        let _ = deadline;
        // Only now: until here, `schedule` recognises this thread as the owner.
        let _ = OWNER.try_with(|o| o.set(0));
    }
}

/// Drops every queued runnable (and with it its coroutine), on the owner thread.
fn drop_queued(shared: &Shared) {
    while let Some(runnable) = shared.queue.pop() {
        drop(runnable);
    }
    while let Some(runnable) = LOCAL_QUEUE
        .try_with(|q| q.borrow_mut().pop_front())
        .ok()
        .flatten()
    {
        drop(runnable);
    }
}

/// Runs ready coroutines of this thread's runtime for at most the drain budget.
///
/// Reached only through a [`Drainer`], which only the code that installed the runtime holds:
/// user code (a QObject's method, a coroutine) cannot run a drain while it holds an object that
/// coroutines may borrow.
///
/// # Panics
///
/// On a thread without a runtime (the message names the rule), or when called re-entrantly
/// from inside a coroutine.
pub(crate) fn drain() {
    with_local("drain()", |local| {
        assert!(
            !local.draining.replace(true),
            "drain() called from inside a coroutine. {GUI_THREAD_RULE}; drains never nest"
        );
        // Reset even if the drain unwinds (a foreign waker that panics when a timer fires):
        // a flag left set would stop timers from asking the loop for a drain, for good.
        let _draining = DrainingGuard(local);
        let _capture = CaptureScope::enter();
        let started = Instant::now();
        let deadline = started + local.budget;
        let mut polls = 0u64;
        let mut out_of_budget = false;
        let mut remote_first = false;
        // Coroutines may await tokio-based futures directly: they find the runtime's context.
        #[cfg(feature = "tokio")]
        let _tokio = local.tokio.handle().enter();
        local.timers.fire_due(clock::now());
        loop {
            // Alternate between the queues, so neither a flood of completions (remote) nor a
            // burst of spawns (local) keeps the other waiting.
            remote_first = !remote_first;
            let local_pop = || LOCAL_QUEUE.with(|q| q.borrow_mut().pop_front());
            let next = if remote_first {
                local.shared.queue.pop().or_else(local_pop)
            } else {
                local_pop().or_else(|| local.shared.queue.pop())
            };
            let Some(runnable) = next else { break };
            coop::reset();
            // Coroutines catch their own panics; this only guards the executor's invariants.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
            polls += 1;
            // The clock is read every 8 polls, and after a poll that spent its budget (a yield).
            if (polls % 8 == 0 || coop::spent()) && Instant::now() >= deadline {
                out_of_budget = true;
                break;
            }
        }
        if out_of_budget {
            // Still armed: wakes keep coalescing until the loop comes back after its other work.
            local.shared.wakes.fetch_add(1, Ordering::Relaxed);
            local.timers.forget_request(); // the Qt layer reuses one timer for both requests
            local.shared.loop_waker.wake_after_budget();
        } else {
            // Disarm, then look again: a wake that raced with the end of the drain is not lost.
            local.shared.latch.disarm();
            if local.shared.has_ready() {
                local.shared.arm();
            }
            ask_for_timers(local);
        }
        let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        bump(|s| {
            s.longest_drain_us = s.longest_drain_us.max(took);
            s.drains += 1;
            s.polls += polls;
            s.budget_yields += u64::from(out_of_budget);
        });
    })
}

/// Ends a drain: lifts the cooperative budget and clears the `draining` flag, also on unwind.
struct DrainingGuard<'a>(&'a Local);

impl Drop for DrainingGuard<'_> {
    fn drop(&mut self) {
        coop::unlimited();
        self.0.draining.set(false);
        if thread::panicking() {
            // The drain did not reach its end: the latch may still be armed with work queued,
            // which would coalesce every later wake into nothing. Start over with a fresh wake.
            self.0.shared.latch.disarm();
            self.0.shared.arm();
            self.0.timers.forget_request();
        }
    }
}

/// This thread's runtime counters.
///
/// # Panics
///
/// On a thread without a runtime.
pub fn stats() -> Stats {
    with_local("stats()", |local| Stats {
        loop_wakes: local.shared.wakes.load(Ordering::Relaxed),
        pending_timers: local.timers.len() as u64,
        live_coroutines: tasks::live() as u64,
        slow_polls: tasks::slow_poll_count(),
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

pub(crate) fn with_pool<R>(f: impl FnOnce(&WorkerPool) -> R) -> R {
    with_local("spawn_blocking()", |local| f(&local.pool))
}

/// Spawns a coroutine on this thread's executor. It first runs at the next drain (never inline),
/// and then every time it is woken.
///
/// The future need not be `Send`: it never leaves the GUI thread. A panic inside it ends it (and
/// only it); the handle then resolves to [`TaskError::Panicked`].
///
/// # Panics
///
/// Off the GUI thread (a thread without a runtime), with a message that names the rule.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let handle = spawn_local(async {
///     let answer = spawn_blocking(|| 6 * 7).await?;
///     anyhow::Ok(answer)
/// });
/// assert_eq!(fake.block_on(handle).unwrap().unwrap(), 42);
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let label = Label::Site(std::panic::Location::caller());
    with_local("spawn_local()", |local| {
        let (task, seq) = spawn_raw(local, future, label, None);
        Task {
            task: Some(task),
            seq,
        }
    })
}

/// [`spawn_local`] for a [`Scope`](crate::Scope): the task list shows `label` and `owner`.
pub(crate) fn spawn_owned<F>(
    future: F,
    label: Label,
    owner: Option<std::rc::Rc<str>>,
) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    with_local("spawn_local()", |local| {
        let (task, seq) = spawn_raw(local, future, label, owner);
        Task {
            task: Some(task),
            seq,
        }
    })
}

/// A coroutine's output, or its (rare, so boxed: it keeps every task allocation small) error.
type Caught<T> = Result<T, Box<TaskError>>;

fn spawn_raw<F>(
    local: &Local,
    future: F,
    label: Label,
    owner: Option<std::rc::Rc<str>>,
) -> (RawTask<Caught<F::Output>>, u64)
where
    F: Future + 'static,
    F::Output: 'static,
{
    let shared = Arc::clone(&local.shared);
    let (registered, seq) = tasks::register(label, owner);
    let wrapped = CatchPanics {
        future: Some(future),
        registered,
    };
    let schedule = move |r| shared.schedule(r);
    // SAFETY: `spawn_unchecked` asks, for a future that may be `!Send` (ours), that its
    // `Runnable` be run and dropped only on the thread that spawned it; everything else it asks
    // holds by type (the future and `schedule` are `'static`, and `schedule` is `Send + Sync`).
    // This thread is the runtime's owner (`with_local` found the runtime in this thread's
    // `RUNTIME`), and every place a `Runnable` of this executor goes keeps it there:
    // * it is run only by `drain`, which runs only inside `with_local` on the owner thread (a
    //   drain elsewhere finds no runtime and panics before touching a queue; `Drainer` is
    //   `!Send`);
    // * `Shared::schedule` queues it, or, once the runtime is closed, drops it on the owner
    //   thread and forgets (leaks) it on any other;
    // * `drop_queued` drops queued ones in `Runtime::drop`, and `Runtime` is `!Send`;
    // * `Shared`'s own drop (wherever the last `Arc` goes) forgets what its queue still holds.
    // No safe caller can break these: `Runnable`s never leave this module.
    // `async_task::spawn_local` would add a thread check around the future; we do without it
    // because Miri's aliasing model rejects that wrapper for coroutines that keep references
    // into themselves (smol-rs/async-task#102), and the invariants above make it redundant.
    #[allow(unsafe_code)]
    let (runnable, task) = unsafe { async_task::spawn_unchecked(wrapped, schedule) };
    runnable.schedule();
    (task, seq)
}

pin_project_lite::pin_project! {
    /// A coroutine's future as the task stores it: panics become `TaskError::Panicked`.
    ///
    /// A plain struct, not an `async` block (which would hold `future` twice: as its capture and
    /// inside what it awaits) and not a combinator (which adds a state tag): every task is
    /// exactly the size of its future plus the task header and its task-list entry.
    struct CatchPanics<F> {
        // `None` only once dropped early, for a `cancel()` (see `PinnedDrop`).
        #[pin]
        future: Option<F>,
        registered: Registered,
    }

    impl<F> PinnedDrop for CatchPanics<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            // A `Task::cancel()` waits for this task: drop the future with a collection open,
            // so the jobs it leaves running are handed to that `cancel()`.
            if this.future.is_some() && stop::is_wanted(|| this.registered.seq()) {
                let mut future = this.future;
                let stops = stop::collect(|| future.set(None));
                stop::deliver(this.registered.seq(), stops);
            }
        }
    }
}

impl<F: Future> Future for CatchPanics<F> {
    type Output = Caught<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(future) = this.future.as_pin_mut() else {
            return Poll::Pending; // dropped early: never polled again
        };
        let _polling = this.registered.polling();
        match panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll.map(Ok),
            Err(payload) => {
                let p = caught::caught(payload);
                Poll::Ready(Err(Box::new(TaskError::Panicked {
                    message: p.message,
                    location: p.location,
                })))
            }
        }
    }
}

/// A spawned coroutine. Awaiting it gives its output, or why it has none.
///
/// **Dropping the handle cancels the coroutine**: it is dropped at its current suspension point
/// and never polled again (jobs it was awaiting are dropped with it). Call [`Task::detach`]
/// to let it run on its own.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// spawn_local(async { /* fire and forget */ }).detach();
/// let value = fake.block_on(spawn_local(async { 1 + 1 })).unwrap();
/// assert_eq!(value, 2);
/// ```
#[must_use = "dropping a Task cancels it; call .detach() to let it run"]
pub struct Task<T> {
    task: Option<RawTask<Caught<T>>>,
    /// Its sequence number in the task list (what `cancel()` collects its stops under).
    seq: u64,
}

impl<T> Task<T> {
    /// Lets the coroutine run to completion without a handle; its output is dropped.
    pub fn detach(mut self) {
        if let Some(task) = self.task.take() {
            task.detach();
        }
    }

    /// Cancels the coroutine now (same as dropping the handle).
    pub fn abort(self) {
        drop(self);
    }

    /// Cancels the coroutine and resolves once it is gone **and its jobs have stopped**: its
    /// future has been dropped (on the GUI thread, at the next drain), so everything it held is
    /// released; the jobs it was awaiting have their cancel tokens set, queued ones will never
    /// run, and this waits until the running ones have returned (a blocking job cannot be
    /// interrupted: one that never checks its token is waited for to its end) and its tokio
    /// tasks have been aborted. So after `cancel().await`, nothing the coroutine started still
    /// runs: its files are closed, its workers free. Resolves to the output if the coroutine
    /// had finished before it could be cancelled, else `None`.
    ///
    /// Coroutines it spawned are separate tasks: they are cancelled with their handles, but
    /// awaited only by their own `cancel()`. Dropping the handle or [`abort`](Task::abort)
    /// cancels without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop};
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// let fake = FakeLoop::new();
    /// let released = Rc::new(Cell::new(false));
    /// struct Guard(Rc<Cell<bool>>);
    /// impl Drop for Guard {
    ///     fn drop(&mut self) {
    ///         self.0.set(true);
    ///     }
    /// }
    /// let guard = Guard(released.clone());
    /// let waiting = spawn_local(async move {
    ///     let _guard = guard;
    ///     std::future::pending::<()>().await
    /// });
    /// fake.turn(); // it runs up to its await
    /// let check = released.clone();
    /// let out = fake
    ///     .block_on(spawn_local(async move {
    ///         let out = waiting.cancel().await;
    ///         (out.is_none(), check.get()) // gone, and its guard already dropped
    ///     }))
    ///     .unwrap();
    /// assert_eq!(out, (true, true));
    /// ```
    pub fn cancel(mut self) -> impl Future<Output = Option<Result<T, TaskError>>> {
        let task = self.task.take();
        let wanted = task.as_ref().map(|_| stop::want(self.seq));
        async move {
            let task = task?;
            let out = task.cancel().await;
            // Its future is gone; wait for the blocking jobs and tokio tasks it left running.
            if let Some(wanted) = wanted {
                futures::future::join_all(wanted.take()).await;
            }
            out.map(|out| out.map_err(|e| *e))
        }
    }

    /// `true` once the coroutine has finished (its output is ready to take).
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(RawTask::is_finished)
    }
}

impl<T> std::fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        std::task::ready!(coop::poll_proceed(cx));
        match self.task.as_mut() {
            Some(task) => {
                let polled = Pin::new(task).poll(cx);
                if polled.is_pending() {
                    tasks::note_wait(tasks::Wait::Task);
                }
                polled.map(|out| {
                    coop::consumed();
                    out.map_err(|e| *e)
                })
            }
            None => Poll::Ready(Err(TaskError::Cancelled)),
        }
    }
}
