//! The two cross-thread protocols of the engine, small enough to model-check.
//!
//! * [`WakeLatch`]: coalesces wakes. Whoever queues work calls [`WakeLatch::arm`] and posts a
//!   loop wake only when it returns `true` (the first since the last drain); a drain ends with
//!   [`WakeLatch::disarm`] and then looks at its queue again, arming once more if anything is
//!   left. Invariant: work is never left queued with no wake pending.
//! * [`SleepGate`]: parks idle pool workers. A worker searches a few rounds, then announces
//!   itself as a sleeper, looks once more and waits; a submitter, after queueing a job, wakes a
//!   sleeper unless a worker is still searching. Invariant: a queued job is never left with
//!   every worker asleep.
//!
//! Both use `super::sync`, so under `--cfg cxx_qt_async_loom` the loom models below run this
//! very code through every interleaving (`scripts/loom.sh`).

use super::sync::{
    fence, yield_now, AtomicBool, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering,
};

/// See the module doc.
#[derive(Debug, Default)]
pub(crate) struct WakeLatch {
    armed: AtomicBool,
}

impl WakeLatch {
    /// After queueing work: `true` if the caller must post a loop wake.
    pub(crate) fn arm(&self) -> bool {
        !self.armed.swap(true, Ordering::AcqRel)
    }

    /// At the end of a drain; the caller then re-checks its queue (and arms if it is not empty).
    /// An RMW, so it reads the latest `arm` and sees the work queued before it.
    pub(crate) fn disarm(&self) {
        self.armed.swap(false, Ordering::AcqRel);
    }
}

/// See the module doc.
#[derive(Debug, Default)]
pub(crate) struct SleepGate {
    /// Workers that are (about to be) waiting on `wakeup`.
    sleepers: AtomicUsize,
    /// Awake workers looking for a job: they will find a new one without being woken.
    searching: AtomicUsize,
    /// Held by a worker from announcing itself until it waits, and taken by a waker before it
    /// notifies: a notification cannot fall between a worker's last look and its wait.
    lock: Mutex<()>,
    wakeup: Condvar,
}

impl SleepGate {
    fn lock(&self) -> MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// After a job was queued: wakes a sleeping worker unless one is searching.
    pub(crate) fn job_added(&self) {
        // Pairs with the fence in `find`: either we see the searcher or sleeper, or it sees the
        // job we queued.
        fence(Ordering::SeqCst);
        if self.searching.load(Ordering::Relaxed) == 0 && self.sleepers.load(Ordering::Relaxed) > 0
        {
            // A sleeper holds the lock until it waits: once we got it, the sleeper is waiting.
            // Notify after releasing it, so the woken worker does not block on it again.
            drop(self.lock());
            self.wakeup.notify_one();
        }
    }

    /// Wakes every worker (shutdown; `closed` must already return `true`).
    pub(crate) fn wake_all(&self) {
        drop(self.lock());
        self.wakeup.notify_all();
    }

    /// A searcher that found a job stops searching. A submitter that saw it searching did not
    /// wake anybody, counting on it for its job, but it may have taken another: if it was the
    /// last searcher and jobs remain, it wakes a sleeper for them (else a second job would wait
    /// for the first to finish while a worker sleeps).
    fn found(&self, more: impl Fn() -> bool) {
        // Pairs with the fence in `job_added`: either its submitter sees no searcher (and wakes
        // a sleeper itself), or we see its job here.
        fence(Ordering::SeqCst);
        if self.searching.load(Ordering::Relaxed) == 0
            && self.sleepers.load(Ordering::Relaxed) > 0
            && more()
        {
            drop(self.lock());
            self.wakeup.notify_one();
        }
    }

    /// A worker's next job: searches `rounds` times with `take` (yielding in between), then
    /// sleeps until woken, and so on; `None` once `closed()`. `more` says whether jobs are left
    /// after one was taken.
    pub(crate) fn find<J>(
        &self,
        rounds: u32,
        mut take: impl FnMut() -> Option<J>,
        more: impl Fn() -> bool,
        closed: &AtomicBool,
    ) -> Option<J> {
        self.searching.fetch_add(1, Ordering::Relaxed);
        loop {
            for _ in 0..rounds {
                if closed.load(Ordering::Acquire) {
                    self.searching.fetch_sub(1, Ordering::Relaxed);
                    return None;
                }
                if let Some(job) = take() {
                    self.searching.fetch_sub(1, Ordering::Relaxed);
                    self.found(&more);
                    return Some(job);
                }
                yield_now();
            }
            let guard = self.lock();
            self.sleepers.fetch_add(1, Ordering::Relaxed);
            self.searching.fetch_sub(1, Ordering::Relaxed);
            fence(Ordering::SeqCst);
            // Look once more now that submitters can see we stopped searching.
            let job = take();
            let stop = job.is_some() || closed.load(Ordering::Acquire);
            let guard = if stop {
                guard
            } else {
                self.wakeup
                    .wait(guard)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            };
            self.sleepers.fetch_sub(1, Ordering::Relaxed);
            drop(guard);
            if job.is_some() {
                self.found(&more);
                return job;
            }
            if closed.load(Ordering::Acquire) {
                return None;
            }
            // Woken: search again before sleeping.
            self.searching.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(all(test, cxx_qt_async_loom))]
mod loom_models {
    //! Run with `scripts/loom.sh` (bounded: LOOM_MAX_PREEMPTIONS=2).
    use super::*;
    use loom::sync::Arc;
    use loom::thread;
    use std::collections::VecDeque;

    /// Two threads queue work and arm; the loop drains whenever a wake is pending, the way the
    /// executor does. Whatever the interleaving: nothing stays queued without a pending wake,
    /// and there is never more than one pending wake (coalescing).
    #[test]
    fn wake_latch_never_strands_work() {
        loom::model(|| {
            let queue = Arc::new(Mutex::new(VecDeque::new()));
            let latch = Arc::new(WakeLatch::default());
            let posted = Arc::new(AtomicUsize::new(0));
            let producers: Vec<_> = (0..2)
                .map(|i| {
                    let (queue, latch, posted) = (queue.clone(), latch.clone(), posted.clone());
                    thread::spawn(move || {
                        queue.lock().unwrap().push_back(i);
                        if latch.arm() {
                            posted.fetch_add(1, Ordering::SeqCst);
                        }
                    })
                })
                .collect();
            let mut handled = 0;
            let drain = |handled: &mut usize| {
                while posted.load(Ordering::SeqCst) > *handled {
                    *handled += 1;
                    queue.lock().unwrap().clear();
                    latch.disarm();
                    if !queue.lock().unwrap().is_empty() && latch.arm() {
                        posted.fetch_add(1, Ordering::SeqCst);
                    }
                }
            };
            drain(&mut handled);
            for p in producers {
                p.join().unwrap();
            }
            assert!(
                posted.load(Ordering::SeqCst) - handled <= 1,
                "wakes coalesce"
            );
            drain(&mut handled);
            assert!(
                queue.lock().unwrap().is_empty(),
                "work stranded with no wake"
            );
        });
    }

    /// A worker and two submitters: every submitted job is taken, so the worker never sleeps
    /// through a queued job (loom reports the deadlock if it would).
    #[test]
    fn sleep_gate_never_loses_a_job() {
        loom::model(|| {
            let queue = Arc::new(Mutex::new(VecDeque::new()));
            let gate = Arc::new(SleepGate::default());
            let closed = Arc::new(AtomicBool::new(false));
            let worker = {
                let (queue, gate, closed) = (queue.clone(), gate.clone(), closed.clone());
                thread::spawn(move || {
                    let mut taken = 0;
                    while taken < 2 {
                        let take = || queue.lock().unwrap().pop_front();
                        let more = || !queue.lock().unwrap().is_empty();
                        match gate.find(1, take, more, &closed) {
                            Some(()) => taken += 1,
                            None => break,
                        }
                    }
                    taken
                })
            };
            let submitters: Vec<_> = (0..2)
                .map(|_| {
                    let (queue, gate) = (queue.clone(), gate.clone());
                    thread::spawn(move || {
                        queue.lock().unwrap().push_back(());
                        gate.job_added();
                    })
                })
                .collect();
            for s in submitters {
                s.join().unwrap();
            }
            assert_eq!(worker.join().unwrap(), 2, "both jobs were taken");
        });
    }

    /// Two workers, one job each, and two submitters: the second job never waits for a worker
    /// that took the first while the other worker sleeps (a searcher that took one job wakes a
    /// sleeper for the next). Loom reports the deadlock if a worker would sleep through it.
    #[test]
    fn sleep_gate_wakes_a_sleeper_for_a_second_job() {
        loom::model(|| {
            let queue = Arc::new(Mutex::new(VecDeque::new()));
            let gate = Arc::new(SleepGate::default());
            let closed = Arc::new(AtomicBool::new(false));
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (queue, gate, closed) = (queue.clone(), gate.clone(), closed.clone());
                    thread::spawn(move || {
                        let take = || queue.lock().unwrap().pop_front();
                        let more = || !queue.lock().unwrap().is_empty();
                        // Each worker takes one job and keeps it (runs "forever").
                        gate.find(1, take, more, &closed).is_some()
                    })
                })
                .collect();
            for _ in 0..2 {
                let (queue, gate) = (queue.clone(), gate.clone());
                thread::spawn(move || {
                    queue.lock().unwrap().push_back(());
                    gate.job_added();
                });
            }
            for w in workers {
                assert!(w.join().unwrap(), "each worker got a job");
            }
        });
    }
}
