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

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;

use super::error::TaskError;

/// A future that resolves once a job dropped mid-run has stopped.
pub(crate) type Stopping = Pin<Box<dyn Future<Output = ()>>>;

/// What a cancelled coroutine's drop hands its `cancel()`: the jobs it left running, and the
/// panic of its destructor, if it panicked.
pub(crate) type Delivered = (Vec<Stopping>, Option<TaskError>);

#[derive(Default)]
struct State {
    /// Tasks whose stops a `cancel()` waits for, with what their drop delivered.
    wanted: Vec<(u64, Option<Delivered>)>,
    /// Collections open right now (innermost last).
    open: Vec<Vec<Stopping>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    /// How many `cancel()`s wait, and how many collections are open (the fast paths of every
    /// coroutine's and job's drop: no `RefCell`, no lazy init).
    static WANTED: Cell<usize> = const { Cell::new(0) };
    static OPEN: Cell<usize> = const { Cell::new(0) };
}

/// Registers a `cancel()` waiting for the stops of task `seq`; the guard withdraws it.
pub(crate) fn want(seq: u64) -> Wanted {
    STATE.with(|s| s.borrow_mut().wanted.push((seq, None)));
    WANTED.with(|w| w.set(w.get() + 1));
    Wanted(seq)
}

/// Whether a `cancel()` waits for the task whose sequence number `seq` gives (asked only when
/// some `cancel()` waits at all, so a plain drop costs one look at an empty list).
pub(crate) fn is_wanted(seq: impl FnOnce() -> u64) -> bool {
    if WANTED.try_with(Cell::get).unwrap_or(0) == 0 {
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
    OPEN.try_with(Cell::get).unwrap_or(0) > 0
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
    /// The open collection; closed by `close`, or by its drop if `drop_future` unwinds.
    struct Open;
    impl Open {
        fn close(self) -> Vec<Stopping> {
            std::mem::forget(self);
            OPEN.with(|o| o.set(o.get() - 1));
            STATE
                .with(|s| s.borrow_mut().open.pop())
                .unwrap_or_default()
        }
    }
    impl Drop for Open {
        fn drop(&mut self) {
            let _ = OPEN.try_with(|o| o.set(o.get() - 1));
            let _ = STATE.try_with(|s| s.borrow_mut().open.pop());
        }
    }
    STATE.with(|s| s.borrow_mut().open.push(Vec::new()));
    OPEN.with(|o| o.set(o.get() + 1));
    let open = Open;
    drop_future();
    open.close()
}

/// Hands task `seq`'s collected stops (and its destructor's panic) to the `cancel()` waiting
/// for them.
pub(crate) fn deliver(seq: u64, stops: Vec<Stopping>, panic: Option<TaskError>) {
    let _ = STATE.try_with(|s| {
        let mut s = s.try_borrow_mut().ok()?;
        let (_, slot) = s.wanted.iter_mut().find(|(w, _)| *w == seq)?;
        *slot = Some((stops, panic));
        Some(())
    });
}

/// A `cancel()`'s claim on a task's stops; withdrawn when dropped.
pub(crate) struct Wanted(u64);

impl Wanted {
    /// What the task's drop delivered (nothing if it finished, or was never dropped mid-run).
    pub(crate) fn take(&self) -> Delivered {
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
        let _ = WANTED.try_with(|w| w.set(w.get() - 1));
        let _leftover = STATE.try_with(|s| {
            let mut s = s.try_borrow_mut().ok()?;
            let at = s.wanted.iter().position(|(w, _)| *w == self.0)?;
            Some(s.wanted.swap_remove(at).1)
        });
    }
}
