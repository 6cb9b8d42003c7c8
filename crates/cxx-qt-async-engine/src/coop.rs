//! Cooperative budget: how many ready results one poll of a coroutine may take.
//!
//! A coroutine that awaits many already-finished jobs, coroutines or stream items in a row
//! (joining a batch, reading a stream whose producer keeps its buffer full) would otherwise do
//! all of it in one poll, and a drain's time budget can only act between polls. Each drain gives
//! every poll 128 ready results; after that, every engine future that hands out a result
//! ([`Job`], [`Task`], [`JobStream`], [`Sleep`], [`Interval`], [`ProgressWatch`], and the
//! Qt layer's signal waits) reports `Pending` and wakes its task, which continues at a later
//! drain. Outside a drain (a plain `block_on`) the budget is unlimited.
//!
//! A future or stream of another library (a tokio `Lines` reader, a `futures` channel), or one
//! of your own that can be ready many times in a row, gets the same with [`cooperative`]. (An
//! event-loop integration's own futures use
//! [`integration::poll_proceed`](crate::integration::poll_proceed) and
//! [`integration::consumed`](crate::integration::consumed) inside their `poll`.)
//!
//! [`Job`]: super::Job
//! [`Task`]: super::Task
//! [`JobStream`]: super::JobStream
//! [`Sleep`]: super::Sleep
//! [`Interval`]: super::Interval
//! [`ProgressWatch`]: super::ProgressWatch
//!
//! ```
//! use futures::StreamExt;
//! use cxx_qt_async_engine::{coop::cooperative, spawn_local, testing::FakeLoop};
//!
//! let fake = FakeLoop::new();
//! // A stream that is always ready: cooperative makes it yield to the loop every 128 items.
//! let sum = fake
//!     .block_on(spawn_local(async {
//!         let numbers = cooperative(futures::stream::iter(0..10_000u64));
//!         numbers.fold(0, |sum, n| async move { sum + n }).await
//!     }))
//!     .unwrap();
//! assert_eq!(sum, 49_995_000);
//! ```

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

/// The budget check of [`integration::poll_proceed`](crate::integration::poll_proceed).
pub(crate) fn proceed(cx: &mut Context<'_>) -> Poll<()> {
    BUDGET.with(|b| match b.get() {
        0 => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        _ => Poll::Ready(()),
    })
}

/// Counts one ready result against this poll's budget.
pub(crate) fn consume() {
    BUDGET.with(|b| b.set(b.get().saturating_sub(1)));
}

/// Gives the event loop a turn: the coroutine is queued again behind the work that is ready, and
/// the drain may return to the loop (its time budget permitting) before it resumes. Use it in a
/// long stretch of GUI-thread work without awaits, such as submitting thousands of jobs.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop, yield_now};
///
/// let fake = FakeLoop::new();
/// let total = fake
///     .block_on(spawn_local(async {
///         let mut jobs = Vec::new();
///         for i in 0..10_000u64 {
///             jobs.push(spawn_blocking(move || i));
///             if i % 500 == 499 {
///                 yield_now().await; // painting and timers may run here
///             }
///         }
///         futures::future::try_join_all(jobs).await.map(|v| v.iter().sum::<u64>())
///     }))
///     .unwrap()
///     .unwrap();
/// assert_eq!(total, 49_995_000);
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop, yield_now};
///
/// let fake = FakeLoop::new();
/// fake.block_on(spawn_local(async {
///     for _chunk in 0..10 {
///         // ... a slice of GUI-thread work ...
///         yield_now().await; // let the loop paint and serve input
///     }
/// }))
/// .unwrap();
/// ```
#[derive(Debug)]
#[must_use = "yield_now() does nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl std::future::Future for YieldNow {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // The rest of this poll's budget is given up too (inside a drain; outside one there is
        // no budget to give up).
        BUDGET.with(|b| {
            if b.get() != u32::MAX {
                b.set(0);
            }
        });
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

pin_project_lite::pin_project! {
    /// A future or stream that counts each ready result against the poll's budget: see
    /// [`cooperative`].
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use cxx_qt_async_engine::{coop::cooperative, spawn_local, testing::FakeLoop};
    ///
    /// let fake = FakeLoop::new();
    /// let (tx, rx) = futures::channel::mpsc::unbounded::<u32>();
    /// (0..1000).for_each(|i| tx.unbounded_send(i).unwrap());
    /// drop(tx);
    /// let n = fake.block_on(spawn_local(cooperative(rx).count())).unwrap();
    /// assert_eq!(n, 1000);
    /// ```
    #[derive(Debug)]
    #[must_use = "futures and streams do nothing unless polled"]
    pub struct Cooperative<T> {
        #[pin]
        inner: T,
    }
}

/// Makes a future or stream of another library cooperative: once the poll's budget is spent it
/// reports `Pending` (and wakes its task) instead of handing out one more ready result, so a
/// source that is always ready (a child process printing as fast as it can, a full channel)
/// cannot hold a drain. The name follows `tokio::task::coop::cooperative`.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{coop, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let polls_before = cxx_qt_async_engine::stats().polls;
/// let n = fake
///     .block_on(spawn_local(async {
///         // Always ready: without the wrapper this loop would run in one poll.
///         let mut numbers = coop::cooperative(futures::stream::iter(0..1000));
///         let mut n = 0;
///         while numbers.next().await.is_some() {
///             n += 1;
///         }
///         n
///     }))
///     .unwrap();
/// assert_eq!(n, 1000);
/// assert!(cxx_qt_async_engine::stats().polls - polls_before >= 1000 / 128);
/// ```
pub fn cooperative<T>(inner: T) -> Cooperative<T> {
    Cooperative { inner }
}

impl<T: std::future::Future> std::future::Future for Cooperative<T> {
    type Output = T::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T::Output> {
        std::task::ready!(proceed(cx));
        let out = std::task::ready!(self.project().inner.poll(cx));
        consume();
        Poll::Ready(out)
    }
}

impl<T: futures::Stream> futures::Stream for Cooperative<T> {
    type Item = T::Item;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        std::task::ready!(proceed(cx));
        let out = std::task::ready!(self.project().inner.poll_next(cx));
        consume();
        Poll::Ready(out)
    }
}

/// Moved to [`integration::poll_proceed`](crate::integration::poll_proceed); for a future of
/// your own, [`cooperative`] does both steps.
#[deprecated(
    since = "0.2.0",
    note = "use coop::cooperative, or integration::poll_proceed"
)]
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    proceed(cx)
}

/// Moved to [`integration::consumed`](crate::integration::consumed); for a future of your own,
/// [`cooperative`] does both steps.
#[deprecated(
    since = "0.2.0",
    note = "use coop::cooperative, or integration::consumed"
)]
pub fn consumed() {
    consume();
}
