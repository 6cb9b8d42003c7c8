//! The bounded worker pool that runs blocking jobs.
//!
//! A fixed set of named threads (`cxx-qt-async-worker-N`) takes job runnables from one lock-free
//! FIFO queue. Submitting never takes a lock unless a worker is asleep and none is searching
//! (the [`SleepGate`] protocol), so the GUI thread cannot block behind a preempted worker.
//! Shutdown cancels what is still queued and waits a bounded time for what is running.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use async_task::Runnable;
use crossbeam_queue::SegQueue;

use super::latch::SleepGate;
use super::panic::CaptureScope;
use super::sync::{AtomicBool, Ordering};

/// How many times an idle worker looks for a job (yielding in between) before it sleeps: jobs
/// submitted in a burst, one per coroutine poll, then find it awake and need no wake-up call.
const SEARCH_ROUNDS: u32 = 32;

pub(crate) struct WorkerPool {
    inner: Arc<PoolInner>,
    threads: usize,
    shutdown_wait: Duration,
}

pub(crate) struct PoolInner {
    jobs: SegQueue<Runnable>,
    closed: AtomicBool,
    gate: SleepGate,
    /// Workers still running, and the condition their exit signals.
    alive: std::sync::Mutex<usize>,
    exited: std::sync::Condvar,
}

impl PoolInner {
    /// Queues a job; a job submitted after shutdown is dropped, which cancels it.
    pub(crate) fn push(&self, runnable: Runnable) {
        if self.closed.load(Ordering::Acquire) {
            drop(runnable);
            return;
        }
        self.jobs.push(runnable);
        self.gate.job_added();
    }

    fn worker_loop(&self) {
        let _capture = CaptureScope::enter();
        while let Some(runnable) = self.gate.find(
            SEARCH_ROUNDS,
            || self.jobs.pop(),
            || !self.jobs.is_empty(),
            &self.closed,
        ) {
            // A job popped while shutdown drains the queue was not started before shutdown:
            // it is cancelled like the rest, not run (dropping the runnable cancels it).
            if self.closed.load(Ordering::Acquire) {
                drop(runnable);
                continue;
            }
            // Jobs catch their own panics; this keeps the worker alive whatever happens.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
        }
        *self.alive.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        self.exited.notify_all();
    }
}

impl WorkerPool {
    pub(crate) fn new(threads: usize, shutdown_wait: Duration) -> Self {
        let inner = Arc::new(PoolInner {
            jobs: SegQueue::new(),
            closed: AtomicBool::new(false),
            gate: SleepGate::default(),
            alive: std::sync::Mutex::new(threads),
            exited: std::sync::Condvar::new(),
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
        // Dropped here, on the calling thread: each drop cancels that job.
        while let Some(job) = self.inner.jobs.pop() {
            drop(job);
        }
        let deadline = Instant::now() + self.shutdown_wait;
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
