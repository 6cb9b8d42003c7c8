//! The engine's clock: real time, plus what a [`FakeLoop`](crate::testing::FakeLoop) advanced it
//! by on this thread (virtual time for tests). Timers, intervals, timeouts and progress
//! throttling read it; drain budgets measure real time.

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    /// How far this thread's clock was advanced by hand.
    static ADVANCED: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Now, on this thread's engine clock.
pub(crate) fn now() -> Instant {
    saturating_add(Instant::now(), ADVANCED.with(Cell::get))
}

/// Moves this thread's engine clock forward by `by`.
#[cfg(feature = "test-util")]
pub(crate) fn advance(by: Duration) {
    ADVANCED.with(|a| a.set(a.get().saturating_add(by)));
}

/// About thirty years: what a deadline saturates to when a duration would overflow `Instant`.
const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// `at + by`, or `at` plus about thirty years when that would overflow (`Duration::MAX` means
/// "never", not a panic).
pub(crate) fn saturating_add(at: Instant, by: Duration) -> Instant {
    at.checked_add(by)
        .or_else(|| at.checked_add(FAR))
        .unwrap_or(at)
}
