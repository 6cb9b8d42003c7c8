//! Cooperative budget: how many ready results one poll of a coroutine may take.
//!
//! A coroutine that awaits many already-finished jobs or coroutines in a row (joining a batch)
//! would otherwise do all of it in one poll, and a drain's time budget can only act between
//! polls. Each drain gives every poll [`PER_POLL`] ready results; after that, [`Job`] and
//! [`Coroutine`] handles report `Pending` and wake their task, which continues at a later drain.
//! Outside a drain (a plain `block_on`) the budget is unlimited.
//!
//! [`Job`]: super::Job
//! [`Coroutine`]: super::Coroutine

use std::cell::Cell;
use std::task::{Context, Poll};

/// Ready results one poll may take.
pub(crate) const PER_POLL: u32 = 128;

thread_local! {
    static BUDGET: Cell<u32> = const { Cell::new(u32::MAX) };
}

/// Gives the poll that follows a fresh budget.
pub(crate) fn reset() {
    BUDGET.with(|b| b.set(PER_POLL));
}

/// Lifts the budget (outside drains).
pub(crate) fn unlimited() {
    BUDGET.with(|b| b.set(u32::MAX));
}

/// Before polling a handle's inner future: `Pending` (and a self-wake) when the budget is spent.
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    BUDGET.with(|b| match b.get() {
        0 => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        _ => Poll::Ready(()),
    })
}

/// After a handle's inner future was ready: one result taken.
pub(crate) fn consumed() {
    BUDGET.with(|b| b.set(b.get().saturating_sub(1)));
}
