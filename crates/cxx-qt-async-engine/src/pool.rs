//! The bounded worker pool that runs blocking jobs.
//!
//! A fixed set of named threads (`cxx-qt-async-worker-N`) takes job runnables from the fair
//! queue of [`Lanes`]: one lane per submitter, served in turn, so the single job of a new click
//! starts after at most one job of each other submitter, however many they queued. Submitting
//! never takes a lock unless a worker is asleep and none is searching (the [`SleepGate`]
//! protocol), so the GUI thread cannot block behind a preempted worker. Shutdown cancels what
//! is still queued and waits a bounded time for what is running.
//!
//! **No job starves behind long ones.** When every worker is busy and no queued job has
//! started for [`STARVED_AFTER`] (the workers are all inside long jobs), a monitor thread starts
//! a reserve worker, up to `reserve` of them (default: three times the core workers). A reserve
//! worker takes queued jobs like the others and ends after [`RESERVE_IDLE`] without one. So a
//! quick job submitted while long ones hold every worker waits tens of milliseconds, not until
//! a long job ends; threads beyond the core count exist only while the pool is starved (the
//! figure `quick_wait_max_ms` of `cargo bench --bench app -- lag` measures it). A pool built
//! with `reserve_threads(0)` never exceeds its core workers. The approach is .NET's thread
//! injection on starvation, with QThreadPool's reserve threads as the cap.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::{Arc, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use async_task::Runnable;

use super::lanes::{Lane, Lanes};
use super::latch::SleepGate;
use super::panic::CaptureScope;
use super::sync::{AtomicBool, Ordering};

/// How many times an idle worker looks for a job (yielding in between) before it sleeps: jobs
/// submitted in a burst, one per coroutine poll, then find it awake and need no wake-up call.
const SEARCH_ROUNDS: u32 = 32;

/// How long queued jobs may go without any of them starting, every worker busy, before a
/// reserve worker is started.
pub(crate) const STARVED_AFTER: Duration = Duration::from_millis(20);

/// How long a reserve worker waits for a job before it ends.
pub(crate) const RESERVE_IDLE: Duration = Duration::from_secs(2);

pub(crate) struct WorkerPool {
    inner: Arc<PoolInner>,
    threads: usize,
    shutdown_wait: Duration,
}

/// A job's claim, in its task's metadata (read by the job's own future): a worker moves it from
/// `QUEUED` to `RUNNING` as the job starts; the job's handle from `QUEUED` to `ABANDONED` when
/// it is dropped or cancelled first, and shutdown to `ABANDONED` too. A job that finds itself
/// abandoned returns "cancelled" without running its closure.
#[derive(Debug, Default)]
pub(crate) struct Claim(std::sync::atomic::AtomicU8);

const QUEUED: u8 = 0;
const RUNNING: u8 = 1;
const ABANDONED: u8 = 2;

impl Claim {
    /// The job starts: `false` if it was abandoned first.
    pub(crate) fn start(&self) -> bool {
        use std::sync::atomic::Ordering::{AcqRel, Acquire};
        self.0
            .compare_exchange(QUEUED, RUNNING, AcqRel, Acquire)
            .is_ok()
    }

    /// The job is given up: `false` if it has already started.
    pub(crate) fn abandon(&self) -> bool {
        use std::sync::atomic::Ordering::{AcqRel, Acquire};
        self.0
            .compare_exchange(QUEUED, ABANDONED, AcqRel, Acquire)
            .is_ok()
    }
}

/// A job as the pool queues it. The pool never drops one unrun (that would close its task
/// without an output under a handle that may still await it): after shutdown it abandons the
/// claim and runs it, which costs nothing (the job returns "cancelled" at once).
pub(crate) type JobRunnable = Runnable<Claim>;

/// Runs `runnable` as a cancelled job: it returns "cancelled" without running its closure.
fn run_cancelled(runnable: JobRunnable) {
    runnable.metadata().abandon();
    let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
}

/// One submitter's lane of jobs.
pub(crate) type JobLane = Lane<JobRunnable>;

pub(crate) struct PoolInner {
    jobs: Lanes<JobRunnable>,
    /// The lane of jobs submitted outside any coroutine.
    default_lane: Arc<JobLane>,
    closed: AtomicBool,
    gate: SleepGate,
    /// Workers still running, and the condition their exit signals.
    alive: std::sync::Mutex<usize>,
    exited: std::sync::Condvar,
    /// Core workers plus running reserve workers.
    workers: AtomicUsize,
    /// Workers inside a job right now.
    busy: AtomicUsize,
    /// Jobs taken by a worker so far (the monitor's sign of progress).
    started: AtomicU64,
    /// Reserve workers running, and the most there may be.
    reserves: AtomicUsize,
    reserve_cap: usize,
    /// The OS niceness workers give themselves (0: the GUI thread's).
    nice: u8,
    /// Set when the monitor should watch for starvation (every worker busy, a job queued); the
    /// monitor waits for it under `watch`.
    watching: std::sync::atomic::AtomicBool,
    watch: std::sync::Mutex<()>,
    watch_changed: std::sync::Condvar,
}

impl PoolInner {
    /// Queues a job in `lane` (`None`: the lane of jobs submitted outside any coroutine); a job
    /// submitted after shutdown is cancelled.
    pub(crate) fn push(&self, lane: Option<&Arc<JobLane>>, runnable: JobRunnable) {
        if self.closed.load(Ordering::Acquire) {
            run_cancelled(runnable);
            return;
        }
        self.jobs.push(lane.unwrap_or(&self.default_lane), runnable);
        self.gate.job_added();
        // Every worker inside a job: the monitor watches whether this one ever starts. Once it
        // watches, later pushes cost two loads (no lock on the submit path of a flood).
        use std::sync::atomic::Ordering::{AcqRel, Relaxed};
        if self.reserve_cap > 0
            && !self.watching.load(Relaxed)
            && self.busy.load(Relaxed) >= self.workers.load(Relaxed)
            && !self.watching.swap(true, AcqRel)
        {
            // Taken after setting the flag: a monitor between its check and its wait holds it.
            drop(self.watch.lock().unwrap_or_else(PoisonError::into_inner));
            self.watch_changed.notify_one();
        }
    }

    /// Runs one job taken from the queue (or cancels it, after shutdown). A job whose handle was
    /// dropped while it was queued is closed: running it only drops it.
    fn run(&self, runnable: JobRunnable) {
        use std::sync::atomic::Ordering::Relaxed;
        // A job popped while shutdown drains the queue was not started before shutdown: it is
        // cancelled like the rest, not run.
        if self.closed.load(Ordering::Acquire) {
            run_cancelled(runnable);
            return;
        }
        self.started.fetch_add(1, Relaxed);
        self.busy.fetch_add(1, Relaxed);
        // Jobs catch their own panics; this keeps the worker alive whatever happens.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
        self.busy.fetch_sub(1, Relaxed);
    }

    fn worker_loop(&self) {
        lower_priority(self.nice);
        let _capture = CaptureScope::enter();
        while let Some(runnable) = self.gate.find(
            SEARCH_ROUNDS,
            || self.jobs.pop(),
            || !self.jobs.is_empty(),
            &self.closed,
        ) {
            self.run(runnable);
        }
        self.exit();
    }

    /// A reserve worker: takes queued jobs until it finds none for [`RESERVE_IDLE`]. It never
    /// sleeps in the gate (a short poll instead), so the core workers' protocol is unchanged.
    fn reserve_loop(&self) {
        lower_priority(self.nice);
        let _capture = CaptureScope::enter();
        let mut idle_since = Instant::now();
        while !self.closed.load(Ordering::Acquire) {
            if let Some(runnable) = self.jobs.pop() {
                self.run(runnable);
                idle_since = Instant::now();
            } else if idle_since.elapsed() >= RESERVE_IDLE {
                break;
            } else {
                thread::sleep(Duration::from_millis(2));
            }
        }
        self.reserves
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        self.workers
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        self.exit();
    }

    fn exit(&self) {
        *self.alive.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        self.exited.notify_all();
    }

    /// The monitor: sleeps until told that every worker is busy with jobs queued, then checks
    /// every [`STARVED_AFTER`] whether a queued job started meanwhile; if none did, it starts a
    /// reserve worker (within the cap).
    fn monitor_loop(self: &Arc<Self>) {
        use std::sync::atomic::Ordering::Relaxed;
        loop {
            {
                let mut watch = self.watch.lock().unwrap_or_else(PoisonError::into_inner);
                while !self.watching.load(std::sync::atomic::Ordering::Acquire)
                    && !self.closed.load(Ordering::Acquire)
                {
                    watch = self
                        .watch_changed
                        .wait(watch)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
            let mut seen = self.started.load(Relaxed);
            loop {
                thread::sleep(STARVED_AFTER);
                if self.closed.load(Ordering::Acquire) {
                    return;
                }
                let now = self.started.load(Relaxed);
                let starved = now == seen && !self.jobs.is_empty();
                seen = now;
                if starved && self.reserves.load(Relaxed) < self.reserve_cap {
                    self.start_reserve();
                } else if self.jobs.is_empty()
                    || self.busy.load(Relaxed) < self.workers.load(Relaxed)
                {
                    // Not saturated any more: sleep until the next push finds every worker busy.
                    self.watching
                        .store(false, std::sync::atomic::Ordering::SeqCst);
                    // A push that saw the flag still set just before did not ask again: look
                    // once more, now that pushes will.
                    let saturated = !self.jobs.is_empty()
                        && self.busy.load(Relaxed) >= self.workers.load(Relaxed);
                    if !saturated
                        || self
                            .watching
                            .swap(true, std::sync::atomic::Ordering::AcqRel)
                    {
                        break;
                    }
                }
            }
        }
    }

    fn start_reserve(self: &Arc<Self>) {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.reserves.fetch_add(1, Relaxed);
        self.workers.fetch_add(1, Relaxed);
        *self.alive.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        let inner = Arc::clone(self);
        let started = thread::Builder::new()
            .name(format!("cxx-qt-async-reserve-{n}"))
            .spawn(move || inner.reserve_loop());
        if started.is_err() {
            // No thread to be had: carry on with the workers there are.
            self.reserves.fetch_sub(1, Relaxed);
            self.workers.fetch_sub(1, Relaxed);
            self.exit();
        }
    }
}

impl Drop for PoolInner {
    fn drop(&mut self) {
        // A job a worker put back in the queue after shutdown emptied it: cancelled, not
        // dropped unrun.
        while let Some(job) = self.jobs.pop() {
            run_cancelled(job);
        }
    }
}

impl WorkerPool {
    pub(crate) fn new(threads: usize, reserve: usize, nice: u8, shutdown_wait: Duration) -> Self {
        let inner = Arc::new(PoolInner {
            jobs: Lanes::default(),
            default_lane: Arc::default(),
            closed: AtomicBool::new(false),
            gate: SleepGate::default(),
            alive: std::sync::Mutex::new(threads),
            exited: std::sync::Condvar::new(),
            workers: AtomicUsize::new(threads),
            busy: AtomicUsize::new(0),
            started: AtomicU64::new(0),
            reserves: AtomicUsize::new(0),
            reserve_cap: reserve,
            nice,
            watching: std::sync::atomic::AtomicBool::new(false),
            watch: std::sync::Mutex::new(()),
            watch_changed: std::sync::Condvar::new(),
        });
        if reserve > 0 {
            let inner = Arc::clone(&inner);
            thread::Builder::new()
                .name("cxx-qt-async-pool-monitor".to_owned())
                .spawn(move || inner.monitor_loop())
                .expect("cxx-qt-async: could not start the pool's monitor thread");
        }
        for i in 0..threads {
            let inner = Arc::clone(&inner);
            thread::Builder::new()
                .name(format!("cxx-qt-async-worker-{i}"))
                .spawn(move || inner.worker_loop())
                .expect("cxx-qt-async: could not start a worker thread");
        }
        Self {
            inner,
            threads,
            shutdown_wait,
        }
    }

    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    pub(crate) fn inner(&self) -> &Arc<PoolInner> {
        &self.inner
    }

    /// Cancels queued jobs, then waits up to `shutdown_wait` for running ones; workers still
    /// busy after that finish on their own, detached.
    pub(crate) fn shutdown(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.gate.wake_all();
        {
            let _watch = self
                .inner
                .watch
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.inner.watch_changed.notify_all();
        }
        // Cancelled here, on the calling thread.
        while let Some(job) = self.inner.jobs.pop() {
            run_cancelled(job);
        }
        let deadline = super::clock::saturating_add(Instant::now(), self.shutdown_wait);
        let mut alive = self
            .inner
            .alive
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *alive > 0 {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            alive = self
                .inner
                .exited
                .wait_timeout(alive, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for WorkerPool {
    /// A pool dropped without [`WorkerPool::shutdown`] (its runtime lived until its thread
    /// ended, after a refused drop) is shut down now, within the same bound: no worker is left
    /// parked for good.
    fn drop(&mut self) {
        if !self.inner.closed.load(Ordering::Acquire) {
            self.shutdown();
        }
    }
}

/// Gives the calling worker thread the niceness `nice` (1 to 19; 0 leaves it as it is), under
/// SCHED_BATCH: the GUI and render threads (nice 0) then get the CPU first whenever they want
/// it, and the workers everything else. Lowering one's own priority needs no privilege; if the
/// OS refuses anyway, the worker runs on at the priority it has.
fn lower_priority(nice: u8) {
    #[cfg(all(target_os = "linux", not(miri)))]
    if nice > 0 {
        use thread_priority::{
            set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
            ThreadPriority, ThreadPriorityValue, ThreadSchedulePolicy,
        };
        // Relative to the niceness the thread inherited from the GUI thread.
        let target = (own_nice().unwrap_or(0) + i32::from(nice)).min(19);
        // The crate maps its 0..=99 scale onto niceness 20..-20: value v gives
        // trunc(39 * (1 - v/99)) - 20 (its NICENESS_MAX is -20, NICENESS_MIN 19).
        let value = (0..=99u8)
            .rev()
            .find(|v| (39.0 * (1.0 - f32::from(*v) / 99.0)) as i32 - 20 >= target)
            .unwrap_or(0);
        if let Ok(value) = ThreadPriorityValue::try_from(value) {
            let _ = set_thread_priority_and_policy(
                thread_native_id(),
                ThreadPriority::Crossplatform(value),
                ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch),
            );
        }
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    let _ = nice;
}

/// The calling thread's OS niceness (Linux: from `/proc/thread-self/stat`, its 19th field;
/// `None` elsewhere or when it cannot be read). Tests compare a worker's with the GUI thread's.
///
/// # Examples
///
/// ```
/// let nice = cxx_qt_async_engine::testing::thread_nice();
/// assert!(nice.is_none_or(|n| (-20..=19).contains(&n)));
/// ```
#[cfg(all(target_os = "linux", not(miri)))]
pub fn own_nice() -> Option<i32> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The name (2nd field) may hold spaces: count from the `)` that ends it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(16)?.parse().ok()
}

/// See the Linux version: no niceness to read here.
#[cfg(not(all(target_os = "linux", not(miri))))]
pub fn own_nice() -> Option<i32> {
    None
}
