//! Awaitable cancellation: what a cancelled coroutine leaves running, handed to the
//! [`Task::cancel`](crate::Task::cancel) that waits for it.
//!
//! Dropping a coroutine drops the jobs it awaits. A queued job then never runs; a blocking job
//! already running cannot be interrupted and runs on. When the drop comes from
//! `Task::cancel()`, each running job (and each tokio task) the coroutine's future drops hands
//! a future that resolves when it has stopped to the collection open on this thread, and
//! `cancel()` awaits them all. A plain drop (no `cancel()` waiting) collects nothing.
//!
//! The protocol, all on the GUI thread: `cancel()` [`want`]s the stops of one task (by its
//! task-list sequence number); when that task's future is dropped, its wrapper opens a
//! collection around the drop ([`collect`]); jobs [`push`] into it; the collection is
//! [`deliver`]ed under the sequence number, where `cancel()` takes it after the task is gone.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::Poll;

use futures::task::AtomicWaker;

/// A future that resolves once a job dropped mid-run has stopped.
pub(crate) type Stopping = Pin<Box<dyn Future<Output = ()>>>;

#[derive(Default)]
struct State {
    /// Tasks whose stops a `cancel()` waits for, with what their drop delivered.
    wanted: Vec<(u64, Option<Vec<Stopping>>)>,
    /// Collections open right now (innermost last).
    open: Vec<Vec<Stopping>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Registers a `cancel()` waiting for the stops of task `seq`; the guard withdraws it.
pub(crate) fn want(seq: u64) -> Wanted {
    STATE.with(|s| s.borrow_mut().wanted.push((seq, None)));
    Wanted(seq)
}

/// Whether a `cancel()` waits for the task whose sequence number `seq` gives (asked only when
/// some `cancel()` waits at all, so a plain drop costs one look at an empty list).
pub(crate) fn is_wanted(seq: impl FnOnce() -> u64) -> bool {
    let any = STATE
        .try_with(|s| s.try_borrow().is_ok_and(|s| !s.wanted.is_empty()))
        .unwrap_or(false);
    if !any {
        return false;
    }
    let seq = seq();
    STATE
        .try_with(|s| {
            s.try_borrow()
                .is_ok_and(|s| s.wanted.iter().any(|(w, _)| *w == seq))
        })
        .unwrap_or(false)
}

/// `true` while a collection is open on this thread (a cancelled coroutine is being dropped).
pub(crate) fn collecting() -> bool {
    STATE
        .try_with(|s| s.try_borrow().is_ok_and(|s| !s.open.is_empty()))
        .unwrap_or(false)
}

/// Adds a running job's stop to the innermost open collection (dropped at once if none is open).
pub(crate) fn push(stopping: Stopping) {
    let leftover = STATE
        .try_with(|s| match s.try_borrow_mut() {
            Ok(mut s) => match s.open.last_mut() {
                Some(open) => {
                    open.push(stopping);
                    None
                }
                None => Some(stopping),
            },
            Err(_) => Some(stopping),
        })
        .unwrap_or(None);
    drop(leftover);
}

/// Runs `drop_future` with a collection open, and returns what it collected.
pub(crate) fn collect(drop_future: impl FnOnce()) -> Vec<Stopping> {
    struct Close;
    impl Drop for Close {
        fn drop(&mut self) {
            let _ = STATE.try_with(|s| s.borrow_mut().open.pop());
        }
    }
    STATE.with(|s| s.borrow_mut().open.push(Vec::new()));
    let close = Close;
    drop_future();
    let collected = STATE
        .with(|s| s.borrow_mut().open.pop())
        .unwrap_or_default();
    std::mem::forget(close);
    collected
}

/// Hands task `seq`'s collected stops to the `cancel()` waiting for them.
pub(crate) fn deliver(seq: u64, stops: Vec<Stopping>) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if let Some((_, slot)) = s.wanted.iter_mut().find(|(w, _)| *w == seq) {
            *slot = Some(stops);
        }
    });
}

/// A `cancel()`'s claim on a task's stops; withdrawn when dropped.
pub(crate) struct Wanted(u64);

impl Wanted {
    /// What the task's drop delivered (nothing if it finished, or was never dropped mid-run).
    pub(crate) fn take(&self) -> Vec<Stopping> {
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            s.wanted
                .iter_mut()
                .find(|(w, _)| *w == self.0)
                .and_then(|(_, slot)| slot.take())
                .unwrap_or_default()
        })
    }
}

impl Drop for Wanted {
    fn drop(&mut self) {
        // Stops not awaited (the `cancel()` future was dropped) are dropped after the borrow.
        let _leftover = STATE.try_with(|s| {
            let mut s = s.try_borrow_mut().ok()?;
            let at = s.wanted.iter().position(|(w, _)| *w == self.0)?;
            Some(s.wanted.swap_remove(at).1)
        });
    }
}

/// Where a job is in its life, shared by the job's handle and the job itself: whether it
/// started, and a wake for the end of a started one.
pub(crate) struct RunState {
    phase: AtomicU8,
    ended: AtomicWaker,
}

const QUEUED: u8 = 0;
const RUNNING: u8 = 1;
const ABANDONED: u8 = 2;
const ENDED: u8 = 3;

impl RunState {
    pub(crate) fn new() -> Self {
        Self {
            phase: AtomicU8::new(QUEUED),
            ended: AtomicWaker::new(),
        }
    }

    /// The job's claim when a worker takes it: `false` if it was abandoned first.
    pub(crate) fn start(&self) -> bool {
        self.phase
            .compare_exchange(QUEUED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The handle's claim when dropped: `true` if the job had started (it may still run).
    pub(crate) fn abandon(&self) -> bool {
        self.phase
            .compare_exchange(QUEUED, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
    }

    fn end(&self) {
        self.phase.store(ENDED, Ordering::Release);
        self.ended.wake();
    }

    /// Resolves once the job has ended.
    pub(crate) fn stopped(self: Arc<Self>) -> impl Future<Output = ()> {
        std::future::poll_fn(move |cx| {
            if self.phase.load(Ordering::Acquire) == ENDED {
                return Poll::Ready(());
            }
            self.ended.register(cx.waker());
            if self.phase.load(Ordering::Acquire) == ENDED {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

/// Marks its job ended when dropped: when the job returns, unwinds, or (a tokio task) is
/// dropped by an abort.
pub(crate) struct EndGuard(pub(crate) Arc<RunState>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.0.end();
    }
}
