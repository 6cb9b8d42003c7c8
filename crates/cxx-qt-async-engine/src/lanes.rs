//! The pool's fair queue: one lane of jobs per submitter, served in turn.
//!
//! A single FIFO makes the one job of a new click wait behind every job another coroutine queued
//! before it (a fan-out of 100 000). Here each submitter has its own lane (see
//! [`crate::spawn_blocking`] for who counts as a submitter), and the lanes that hold jobs sit in
//! a ring: a worker takes the lane at the head of the ring, takes **one** job from it and puts
//! the lane back at the tail if it has more. So jobs are taken from the submitters round-robin
//! (a later submitter's first job starts after at most one job of each other submitter), and a
//! batch alone in the pool still runs at the pool's full speed.
//!
//! The protocol, lock-free on both sides (the GUI thread submits and must never wait for a
//! worker):
//! * a lane is **listed** (in the ring, or held by a worker between taking it and putting it
//!   back) exactly when its flag is set; pushing a job sets the flag and lists the lane if the
//!   flag was clear;
//! * a worker that empties a lane clears the flag, then looks again, and lists the lane anew if a
//!   job arrived meanwhile (and nobody else listed it): a job is never left in an unlisted lane.
//!
//! `loom_models` (run by `scripts/loom.sh`) checks both rules through every interleaving.

use std::sync::Arc;

use crossbeam_queue::SegQueue;

use super::sync::{fence, AtomicBool, Ordering};

/// A FIFO the lanes are made of: crossbeam's lock-free `SegQueue`, or a locked `VecDeque` in the
/// loom models (loom cannot see inside crossbeam).
pub(crate) trait Fifo<T>: Default {
    fn push(&self, item: T);
    fn pop(&self) -> Option<T>;
    fn is_empty(&self) -> bool;
}

impl<T> Fifo<T> for SegQueue<T> {
    fn push(&self, item: T) {
        SegQueue::push(self, item);
    }
    fn pop(&self) -> Option<T> {
        SegQueue::pop(self)
    }
    fn is_empty(&self) -> bool {
        SegQueue::is_empty(self)
    }
}

/// One submitter's queued jobs.
pub(crate) struct Lane<J, Q: Fifo<J> = SegQueue<J>> {
    jobs: Q,
    listed: AtomicBool,
    _job: std::marker::PhantomData<fn(J) -> J>,
}

impl<J, Q: Fifo<J>> Default for Lane<J, Q> {
    fn default() -> Self {
        Self {
            jobs: Q::default(),
            listed: AtomicBool::new(false),
            _job: std::marker::PhantomData,
        }
    }
}

/// The lanes that hold jobs, in the order they are served.
pub(crate) struct Lanes<
    J,
    Q: Fifo<J> = SegQueue<J>,
    R: Fifo<Arc<Lane<J, Q>>> = SegQueue<Arc<Lane<J, Q>>>,
> {
    ring: R,
    _lane: std::marker::PhantomData<Lane<J, Q>>,
}

impl<J, Q: Fifo<J>, R: Fifo<Arc<Lane<J, Q>>>> Default for Lanes<J, Q, R> {
    fn default() -> Self {
        Self {
            ring: R::default(),
            _lane: std::marker::PhantomData,
        }
    }
}

impl<J, Q: Fifo<J>, R: Fifo<Arc<Lane<J, Q>>>> Lanes<J, Q, R> {
    /// Queues `job` at the end of `lane`, and lists the lane if it was not listed.
    pub(crate) fn push(&self, lane: &Arc<Lane<J, Q>>, job: J) {
        lane.jobs.push(job);
        // Pairs with the fence in `unlist`: either a worker that cleared the flag sees this job
        // when it looks again, or this sees the flag clear and lists the lane.
        fence(Ordering::SeqCst);
        if !lane.listed.swap(true, Ordering::SeqCst) {
            self.ring.push(Arc::clone(lane));
        }
    }

    /// The next job: one from the lane at the head of the ring, which goes back to the tail if
    /// it holds more.
    pub(crate) fn pop(&self) -> Option<J> {
        loop {
            let lane = self.ring.pop()?;
            let job = lane.jobs.pop();
            if lane.jobs.is_empty() {
                self.unlist(lane);
            } else {
                self.ring.push(lane);
            }
            if job.is_some() {
                return job;
            }
        }
    }

    /// A lane found empty leaves the ring, unless a job arrived meanwhile.
    fn unlist(&self, lane: Arc<Lane<J, Q>>) {
        // An RMW, like every other access to the flag: one total order (a plain store let loom
        // find an order in which our own swap below missed it).
        lane.listed.swap(false, Ordering::SeqCst);
        // Pairs with the fence in `push`: either its pusher sees the flag clear and lists the
        // lane, or we see its job here and list it ourselves (the swap keeps it listed once).
        fence(Ordering::SeqCst);
        if !lane.jobs.is_empty() && !lane.listed.swap(true, Ordering::SeqCst) {
            self.ring.push(lane);
        }
    }

    /// `true` when no lane is listed. A worker between taking a lane and putting it back makes
    /// this briefly `true` with jobs queued; it puts the lane back before it runs its job, so a
    /// look after a `pop` (the pool's "more jobs?") is exact.
    pub(crate) fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }
}

#[cfg(all(test, cxx_qt_async_loom))]
mod loom_models {
    //! Run with `scripts/loom.sh` (bounded: LOOM_MAX_PREEMPTIONS=2).
    use super::*;
    use loom::sync::{Arc, Mutex};
    use loom::thread;
    use std::collections::VecDeque;

    struct Locked<T>(Mutex<VecDeque<T>>);

    impl<T> Default for Locked<T> {
        fn default() -> Self {
            Self(Mutex::new(VecDeque::new()))
        }
    }

    impl<T> Fifo<T> for Locked<T> {
        fn push(&self, item: T) {
            self.0.lock().unwrap().push_back(item);
        }
        fn pop(&self) -> Option<T> {
            self.0.lock().unwrap().pop_front()
        }
        fn is_empty(&self) -> bool {
            self.0.lock().unwrap().is_empty()
        }
    }

    type TestLane = Lane<u32, Locked<u32>>;
    type TestLanes = Lanes<u32, Locked<u32>, Locked<std::sync::Arc<TestLane>>>;

    /// A submitter pushes two jobs into one lane while two workers take jobs: whatever the
    /// interleaving, both jobs are taken (none is left in an unlisted lane) and the ring never
    /// holds the lane twice.
    #[test]
    fn lanes_never_strand_a_job() {
        loom::model(|| {
            let lanes = Arc::new(TestLanes::default());
            let lane = std::sync::Arc::new(TestLane::default());
            let taken = Arc::new(Mutex::new(Vec::new()));
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (lanes, taken) = (lanes.clone(), taken.clone());
                    thread::spawn(move || {
                        if let Some(job) = lanes.pop() {
                            taken.lock().unwrap().push(job);
                        }
                    })
                })
                .collect();
            lanes.push(&lane, 1);
            lanes.push(&lane, 2);
            for w in workers {
                w.join().unwrap();
            }
            // Whatever the workers left is still reachable through the ring, exactly once.
            while let Some(job) = lanes.pop() {
                taken.lock().unwrap().push(job);
            }
            let mut taken = taken.lock().unwrap().clone();
            taken.sort_unstable();
            assert_eq!(taken, vec![1, 2], "every job taken once");
            assert!(lanes.is_empty(), "no lane left in the ring");
            assert!(
                !lane.listed.load(Ordering::SeqCst),
                "an empty lane is unlisted (else its next job would never be listed)"
            );
        });
    }

    /// Two submitters' lanes are served in turn: with lane A holding two jobs queued before
    /// lane B's one, B's job is taken before A's second.
    #[test]
    fn lanes_are_served_in_turn() {
        loom::model(|| {
            let lanes = TestLanes::default();
            let (a, b) = (
                std::sync::Arc::new(TestLane::default()),
                std::sync::Arc::new(TestLane::default()),
            );
            lanes.push(&a, 1);
            lanes.push(&a, 2);
            lanes.push(&b, 10);
            assert_eq!(lanes.pop(), Some(1));
            assert_eq!(lanes.pop(), Some(10));
            assert_eq!(lanes.pop(), Some(2));
        });
    }
}
