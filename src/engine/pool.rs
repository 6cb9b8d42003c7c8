//! The bounded worker pool that runs blocking jobs.
//!
//! A fixed set of named threads (`cxx-qt-async-worker-N`) takes job runnables from one FIFO
//! queue. Shutdown cancels what is still queued and waits a bounded time for what is running.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use async_task::Runnable;

use super::panic::CaptureScope;

pub(crate) struct WorkerPool {
    inner: Arc<PoolInner>,
    shutdown_wait: Duration,
}

pub(crate) struct PoolInner {
    state: Mutex<PoolState>,
    job_ready: Condvar,
    worker_exited: Condvar,
}

struct PoolState {
    jobs: VecDeque<Runnable>,
    closed: bool,
    alive: usize,
}

impl PoolInner {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a job; a job submitted after shutdown is dropped, which cancels it.
    pub(crate) fn push(&self, runnable: Runnable) {
        let mut state = self.lock();
        if state.closed {
            drop(state);
            drop(runnable);
            return;
        }
        state.jobs.push_back(runnable);
        drop(state);
        self.job_ready.notify_one();
    }

    fn worker_loop(&self) {
        let _capture = CaptureScope::enter();
        loop {
            let runnable = {
                let mut state = self.lock();
                loop {
                    if state.closed {
                        break None;
                    }
                    if let Some(r) = state.jobs.pop_front() {
                        break Some(r);
                    }
                    state = self
                        .job_ready
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            let Some(runnable) = runnable else { break };
            // Jobs catch their own panics; this keeps the worker alive whatever happens.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
        }
        let mut state = self.lock();
        state.alive -= 1;
        drop(state);
        self.worker_exited.notify_all();
    }
}

impl WorkerPool {
    pub(crate) fn new(threads: usize, shutdown_wait: Duration) -> Self {
        let inner = Arc::new(PoolInner {
            state: Mutex::new(PoolState {
                jobs: VecDeque::new(),
                closed: false,
                alive: threads,
            }),
            job_ready: Condvar::new(),
            worker_exited: Condvar::new(),
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
        let cancelled: Vec<Runnable> = {
            let mut state = self.inner.lock();
            state.closed = true;
            state.jobs.drain(..).collect()
        };
        self.inner.job_ready.notify_all();
        // Dropped here, on the calling thread: each drop cancels that job.
        drop(cancelled);
        let deadline = Instant::now() + self.shutdown_wait;
        let mut state = self.inner.lock();
        while state.alive > 0 {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .inner
                .worker_exited
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.alive
    }
}
