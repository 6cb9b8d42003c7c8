//! The one seam between the engine and an event loop.
//!
//! The engine never talks to Qt. When a coroutine becomes ready it asks a [`LoopWaker`] to have
//! the loop call [`Drainer::drain`](crate::integration::Drainer::drain) soon, on the loop thread. The Qt layer implements it
//! with `CxxQtThread::queue`; tests implement it with [`crate::testing::FakeLoop`].

/// Asks an event loop to call [`Drainer::drain`](crate::integration::Drainer::drain) once, soon, on the loop's own thread.
///
/// The engine coalesces wakes: between two drains, `wake` is called **at most once**, however
/// many coroutines were woken and from however many threads. An implementation therefore only
/// needs to post one event (a Qt queued invocation, a `postEvent`, a byte on a pipe...).
///
/// `wake` is called from any thread, including the loop thread itself while a drain runs, so it
/// must not block and must not call `drain` inline.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use cxx_qt_async_engine::integration::LoopWaker;
///
/// /// A loop that only counts how often it was asked to drain.
/// struct Counting(AtomicUsize);
///
/// impl LoopWaker for Counting {
///     fn wake(&self) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
///
///     fn wake_at(&self, _deadline: std::time::Instant) {
///         // a real loop arms a one-shot timer here
///     }
/// }
/// ```
pub trait LoopWaker: Send + Sync + 'static {
    /// Request one call of [`Drainer::drain`](crate::integration::Drainer::drain) on the loop thread.
    fn wake(&self);

    /// Request the next drain **behind** the loop's other due work (timers, input, painting).
    ///
    /// Called only on the loop thread, at the end of a drain that spent its time budget with
    /// coroutines still ready; it replaces `wake` for that batch. The default calls `wake`. The
    /// Qt layer arms a zero-timeout timer here: Qt dispatches posted events before due timers,
    /// so a posted wake would let two drains run before a due timer fires.
    fn wake_after_budget(&self) {
        self.wake();
    }

    /// Request a drain at `deadline` (the earliest pending [`sleep`](crate::sleep)).
    ///
    /// Called only on the loop thread, when the earliest deadline changes. A later call
    /// replaces an earlier one; a `wake_after_budget` may replace it too (the drain it causes
    /// asks again). Implement it with a one-shot timer of the loop.
    fn wake_at(&self, deadline: std::time::Instant);
}
