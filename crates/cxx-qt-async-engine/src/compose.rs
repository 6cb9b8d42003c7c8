//! Composition beyond `join`: the first of two futures, and a deadline for one.
//!
//! Several jobs in flight at once need nothing new: a job starts when it is submitted, so
//! `futures::join!` / `futures::try_join!` over jobs run them in parallel (`try_join!` returns at
//! the first error and drops the others, which cancels [cancellable](super::spawn_cancellable)
//! ones). [`race`] and [`timeout`] likewise drop the future that lost.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::timer::{sleep, Sleep};

/// A future ran out of time; see [`timeout`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop, timeout, TimedOut};
///
/// let fake = FakeLoop::new();
/// let late = fake
///     .block_on(spawn_local(timeout(Duration::from_millis(5), sleep(Duration::from_secs(60)))))
///     .unwrap();
/// assert_eq!(late, Err(TimedOut(Duration::from_millis(5))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {0:?}")]
pub struct TimedOut(pub Duration);

/// The output of whichever of `a` and `b` finishes first; the other is dropped (a dropped
/// [`CancellableJob`](super::CancellableJob) has its token set; a dropped coroutine handle
/// cancels the coroutine).
///
/// **Biased**: each poll polls `a` first, so when both are ready in the same poll, `a` wins
/// (like `futures::select_biased!`); put the one that should win a tie first. For a random
/// pick between ready ones, use `futures::select!`, which chooses at random.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{race, sleep, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let winner = fake
///     .block_on(spawn_local(race(
///         async { sleep(Duration::from_millis(50)).await; "slow" },
///         async { sleep(Duration::from_millis(5)).await; "fast" },
///     )))
///     .unwrap();
/// assert_eq!(winner, "fast");
/// ```
pub fn race<T, A, B>(a: A, b: B) -> Race<A, B>
where
    A: Future<Output = T>,
    B: Future<Output = T>,
{
    Race { a, b }
}

pin_project_lite::pin_project! {
    /// The future of [`race`]: polls `a`, then `b`; the first ready wins. (A plain struct, not an
    /// `async fn` around `select`, so it holds no reference into itself.)
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use cxx_qt_async_engine::{race, sleep, spawn_blocking, spawn_local, testing::FakeLoop};
    ///
    /// let fake = FakeLoop::new();
    /// let winner = fake
    ///     .block_on(spawn_local(race(
    ///         async { spawn_blocking(|| "worker").await.unwrap() },
    ///         async {
    ///             sleep(Duration::from_secs(60)).await;
    ///             "timer"
    ///         },
    ///     )))
    ///     .unwrap();
    /// assert_eq!(winner, "worker");
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    #[derive(Debug)]
    pub struct Race<A, B> {
        #[pin]
        a: A,
        #[pin]
        b: B,
    }
}

impl<T, A, B> Future for Race<A, B>
where
    A: Future<Output = T>,
    B: Future<Output = T>,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.project();
        match this.a.poll(cx) {
            Poll::Ready(value) => Poll::Ready(value),
            Poll::Pending => this.b.poll(cx),
        }
    }
}

/// `future`'s output, or [`TimedOut`] if it takes longer than `duration` (it is then dropped,
/// which cancels what it was awaiting). The deadline is a [`sleep`] on the event loop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop, timeout, TimedOut};
///
/// let fake = FakeLoop::new();
/// let outcome = fake
///     .block_on(spawn_local(timeout(Duration::from_millis(5), sleep(Duration::from_secs(60)))))
///     .unwrap();
/// assert_eq!(outcome, Err(TimedOut(Duration::from_millis(5))));
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        deadline: sleep(duration),
        duration,
    }
}

pin_project_lite::pin_project! {
    /// The future of [`timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop, timeout};
    ///
    /// let fake = FakeLoop::new();
    /// let quick = fake
    ///     .block_on(spawn_local(timeout(Duration::from_secs(5), spawn_blocking(|| 7))))
    ///     .unwrap();
    /// assert_eq!(quick.unwrap().unwrap(), 7);
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        deadline: Sleep,
        duration: Duration,
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, TimedOut>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(value) = this.future.poll(cx) {
            return Poll::Ready(Ok(value));
        }
        Pin::new(this.deadline)
            .poll(cx)
            .map(|()| Err(TimedOut(*this.duration)))
    }
}
