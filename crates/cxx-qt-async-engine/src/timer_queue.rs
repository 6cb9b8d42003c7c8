//! The runtime's timer queue: the pending sleeps and intervals of every coroutine, earliest
//! first, and which deadline the loop was last asked to drain at. The drain fires the due ones at
//! its start and asks the loop for the next deadline at its end ([`crate::sleep`] registers).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::task::Waker;
use std::time::Instant;

/// Identifies a pending timer: its deadline, then a tie-breaker.
pub(crate) type TimerKey = (Instant, u64);

/// The loop's pending timers (sleeps and intervals of every coroutine), earliest first, and the
/// deadline the loop was last asked to drain at. One per runtime; the executor fires the due
/// ones at the start of each drain and asks the loop for the next deadline at its end.
#[derive(Default)]
pub(crate) struct TimerQueue {
    timers: RefCell<BTreeMap<TimerKey, Waker>>,
    next: Cell<u64>,
    /// The deadline the loop was last asked to drain at (`wake_at`), if still pending.
    asked_for: Cell<Option<Instant>>,
}

impl TimerQueue {
    /// Registers (or moves) a timer; returns its key.
    pub(crate) fn insert(
        &self,
        old: Option<TimerKey>,
        deadline: Instant,
        waker: &Waker,
    ) -> TimerKey {
        let mut timers = self.timers.borrow_mut();
        if let Some(old) = old {
            timers.remove(&old);
        }
        let id = self.next.get();
        self.next.set(id + 1);
        let key = (deadline, id);
        timers.insert(key, waker.clone());
        key
    }

    /// Forgets a timer (it fired, or its future was dropped).
    pub(crate) fn remove(&self, key: TimerKey) {
        self.timers.borrow_mut().remove(&key);
    }

    /// Wakes the coroutines whose deadline is at or before `now`.
    pub(crate) fn fire_due(&self, now: Instant) {
        let due: Vec<Waker> = {
            let mut timers = self.timers.borrow_mut();
            // The common case on the drain path: nothing due, nothing to split or allocate.
            if timers.first_key_value().is_none_or(|(key, _)| key.0 > now) {
                return;
            }
            let later = timers.split_off(&(now, u64::MAX));
            std::mem::replace(&mut *timers, later)
                .into_values()
                .collect()
        };
        if !due.is_empty() {
            self.asked_for.set(None);
        }
        for waker in due {
            waker.wake();
        }
    }

    /// The earliest deadline, if the loop was not yet asked for it (it counts as asked now).
    pub(crate) fn unasked_deadline(&self) -> Option<Instant> {
        let earliest = self.timers.borrow().keys().next().map(|k| k.0)?;
        (self.asked_for.replace(Some(earliest)) != Some(earliest)).then_some(earliest)
    }

    /// The loop's pending request was used up for something else: ask again next time.
    pub(crate) fn forget_request(&self) {
        self.asked_for.set(None);
    }

    pub(crate) fn len(&self) -> usize {
        self.timers.borrow().len()
    }
}
