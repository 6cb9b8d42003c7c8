//! Composition beyond `join`: the first of two futures, and a deadline for one.
//!
//! Several jobs in flight at once need nothing new: a job starts when it is submitted, so
//! `futures::join!` / `futures::try_join!` over jobs run them in parallel (`try_join!` returns at
//! the first error and drops the others, which cancels [cancellable](super::run_cancellable)
//! ones). [`race`] and [`timeout`] likewise drop the future that lost.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures::future::{select, Either};

use super::timer::sleep;

/// A future ran out of time; see [`timeout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {0:?}")]
pub struct TimedOut(pub Duration);

/// The output of whichever of `a` and `b` finishes first; the other is dropped (a dropped
/// [`CancellableJob`](super::CancellableJob) has its token set; a dropped coroutine handle
/// cancels the coroutine).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async::engine::{race, sleep, spawn, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let winner = fake
///     .block_on(spawn(race(
///         async { sleep(Duration::from_millis(50)).await; "slow" },
///         async { sleep(Duration::from_millis(5)).await; "fast" },
///     )))
///     .unwrap();
/// assert_eq!(winner, "fast");
/// ```
pub async fn race<T, A, B>(a: A, b: B) -> T
where
    A: Future<Output = T>,
    B: Future<Output = T>,
{
    match select(pin!(a), pin!(b)).await {
        Either::Left((value, _)) | Either::Right((value, _)) => value,
    }
}

/// `future`'s output, or [`TimedOut`] if it takes longer than `duration` (it is then dropped,
/// which cancels what it was awaiting). The deadline is a [`sleep`] on the event loop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async::engine::{sleep, spawn, testing::FakeLoop, timeout, TimedOut};
///
/// let fake = FakeLoop::new();
/// let outcome = fake
///     .block_on(spawn(timeout(Duration::from_millis(5), sleep(Duration::from_secs(60)))))
///     .unwrap();
/// assert_eq!(outcome, Err(TimedOut(Duration::from_millis(5))));
/// ```
pub async fn timeout<F: Future>(duration: Duration, future: F) -> Result<F::Output, TimedOut> {
    match select(pin!(future), pin!(sleep(duration))).await {
        Either::Left((value, _)) => Ok(value),
        Either::Right(((), _)) => Err(TimedOut(duration)),
    }
}
