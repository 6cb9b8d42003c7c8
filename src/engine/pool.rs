//! The bounded worker pool that runs blocking jobs.
//!
//! A fixed set of named threads (`cxx-qt-async-worker-N`) takes job runnables from one lock-free
//! FIFO queue. Submitting never takes a lock unless a worker is asleep (then it wakes one), so
//! the GUI thread cannot block behind a preempted worker. Shutdown cancels what is still queued
//! and waits a bounded time for what is running.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use async_task::Runnable;
use crossbeam_queue::SegQueue;

use super::panic::CaptureScope;

/// How many times an idle worker looks for a job (yielding in between) before it sleeps.
const SEARCH_ROUNDS: u32 = 32;

pub(crate) struct WorkerPool {
    inner: Arc<PoolInner>,
    shutdown_wait: Duration,
}

pub(crate) struct PoolInner {
    jobs: SegQueue<Runnable>,
    closed: AtomicBool,
    /// Workers that are (about to be) waiting on `wakeup`.
    sleepers: AtomicUsize,
    /// Awake workers looking for a job: they will find a new one without being woken.
    searching: AtomicUsize,
    /// Held by a worker from announcing itself as a sleeper until it waits, and by a submitter
    /// to notify: so a notification cannot fall between a worker's last look and its wait.
    sleep: Mutex<Alive>,
    wakeup: Condvar,
    exited: Condvar,
}

/// Workers still running.
struct Alive(usize);

impl PoolInner {
    fn lock(&self) -> MutexGuard<'_, Alive> {
        self.sleep.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a job; a job submitted after shutdown is dropped, which cancels it.
    pub(crate) fn push(&self, runnable: Runnable) {
        if self.closed.load(Ordering::Acquire) {
            drop(runnable);
            return;
        }
        self.jobs.push(runnable);
        // Pairs with the fence in `next_job`: either we see the searcher or sleeper, or it sees
        // the job.
        std::sync::atomic::fence(Ordering::SeqCst);
        if self.searching.load(Ordering::Relaxed) == 0 && self.sleepers.load(Ordering::Relaxed) > 0
        {
            // A sleeper holds the lock until it waits: once we got it, the sleeper is waiting.
            // Notify after releasing it, so the woken worker does not block on it again.
            drop(self.lock());
            self.wakeup.notify_one();
        }
    }

    /// The next job, sleeping while there is none; `None` once the pool is closed.
    ///
    /// A worker without a job searches for a while (yielding its CPU between looks) before it
    /// sleeps: jobs submitted in a burst, one per coroutine poll, then find it awake and need no
    /// wake-up system call.
    fn next_job(&self) -> Option<Runnable> {
        self.searching.fetch_add(1, Ordering::Relaxed);
        for _ in 0..SEARCH_ROUNDS {
            if self.closed.load(Ordering::Acquire) {
                self.searching.fetch_sub(1, Ordering::Relaxed);
                return None;
            }
            if let Some(job) = self.jobs.pop() {
                self.searching.fetch_sub(1, Ordering::Relaxed);
                return Some(job);
            }
            thread::yield_now();
        }
        loop {
            let guard = self.lock();
            self.sleepers.fetch_add(1, Ordering::Relaxed);
            self.searching.fetch_sub(1, Ordering::Relaxed);
            std::sync::atomic::fence(Ordering::SeqCst);
            // Look once more now that submitters can see we stopped searching.
            let job = self.jobs.pop();
            let closed = self.closed.load(Ordering::Acquire);
            let guard = if job.is_some() || closed {
                guard
            } else {
                self.wakeup
                    .wait(guard)
                    .unwrap_or_else(PoisonError::into_inner)
            };
            self.sleepers.fetch_sub(1, Ordering::Relaxed);
            drop(guard);
            if job.is_some() || self.closed.load(Ordering::Acquire) {
                return job;
            }
            // Woken: search again (briefly) before sleeping.
            self.searching.fetch_add(1, Ordering::Relaxed);
            if let Some(job) = self.jobs.pop() {
                self.searching.fetch_sub(1, Ordering::Relaxed);
                return Some(job);
            }
        }
    }

    fn worker_loop(&self) {
        let _capture = CaptureScope::enter();
        while let Some(runnable) = self.next_job() {
            // Jobs catch their own panics; this keeps the worker alive whatever happens.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
        }
        self.lock().0 -= 1;
        self.exited.notify_all();
    }
}

impl WorkerPool {
    pub(crate) fn new(threads: usize, shutdown_wait: Duration) -> Self {
        let inner = Arc::new(PoolInner {
            jobs: SegQueue::new(),
            closed: AtomicBool::new(false),
            sleepers: AtomicUsize::new(0),
            searching: AtomicUsize::new(0),
            sleep: Mutex::new(Alive(threads)),
            wakeup: Condvar::new(),
            exited: Condvar::new(),
        });
        for i in 0..threads {
            let inner = Arc::clone(&inner);
            thread::Builder::new()
                .name(format!("cxx-qt-async-worker-{i}"))
                .spawn(move || inner.worker_loop())
                .expect("cxx-qt-async: could not start a worker thread");
        }
        Self {
            inner,
            shutdown_wait,
        }
    }

    pub(crate) fn inner(&self) -> &Arc<PoolInner> {
        &self.inner
    }

    /// Cancels queued jobs, then waits up to `shutdown_wait` for running ones. Returns how many
    /// workers were still busy when the wait ended (they finish on their own, detached).
    pub(crate) fn shutdown(&self) -> usize {
        self.inner.closed.store(true, Ordering::Release);
        {
            let _guard = self.inner.lock();
            self.inner.wakeup.notify_all();
        }
        // Dropped here, on the calling thread: each drop cancels that job.
        while let Some(job) = self.inner.jobs.pop() {
            drop(job);
        }
        let deadline = Instant::now() + self.shutdown_wait;
        let mut alive = self.inner.lock();
        while alive.0 > 0 {
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
        alive.0
    }
}
