//! Time on the GUI thread: [`sleep`] and [`interval`], driven by the event loop itself.
//!
//! Timers live in one ordered map per runtime; no thread is created per timer (nor at all).
//! Each drain first wakes the coroutines whose deadline has passed; when a drain ends with
//! timers pending, the engine asks the loop, through [`LoopWaker::wake_at`], for a drain at the
//! earliest deadline (the Qt layer starts a precise `QTimer`). Accuracy is the loop's: about a
//! millisecond with Qt's precise timers when the GUI thread is not busy.
//!
//! [`LoopWaker::wake_at`]: super::LoopWaker::wake_at

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use futures::Stream;

use super::context::with_local;
use super::timer_queue::TimerKey;
use super::{clock, coop, tasks};

/// Completes at `Instant::now() + duration`, resuming the coroutine on the GUI thread. A
/// duration too large for the clock (`Duration::MAX`) means about thirty years: it saturates,
/// it does not panic.
///
/// Dropping it removes its timer.
///
/// # Panics
///
/// When first polled off the GUI thread (a thread without a runtime).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let started = Instant::now();
/// fake.block_on(spawn_local(sleep(Duration::from_millis(20)))).unwrap();
/// assert!(started.elapsed() >= Duration::from_millis(20));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(clock::saturating_add(clock::now(), duration))
}

/// Completes at `deadline`; see [`sleep`].
///
/// ```
/// use std::time::{Duration, Instant};
/// use cxx_qt_async_engine::{sleep_until, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let deadline = Instant::now() + Duration::from_millis(10);
/// fake.block_on(spawn_local(sleep_until(deadline))).unwrap();
/// assert!(Instant::now() >= deadline);
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        key: None,
        _not_send: PhantomData,
    }
}

/// The future of [`sleep`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let nap = spawn_local(sleep(Duration::from_secs(3600)));
/// fake.advance(Duration::from_secs(3600)); // the fake loop's virtual time
/// fake.block_on(nap).unwrap();
/// ```
///
/// A `Sleep` is `!Send`: its timer is an entry in the runtime of the thread that polled it (a
/// `Sleep` dropped on another thread could not remove it). So is an [`Interval`].
///
/// ```compile_fail,E0277
/// fn assert_send<T: Send>(_: T) {}
/// assert_send(cxx_qt_async_engine::sleep(std::time::Duration::from_secs(1)));
/// ```
///
/// ```compile_fail,E0277
/// fn assert_send<T: Send>(_: T) {}
/// assert_send(cxx_qt_async_engine::interval(std::time::Duration::from_secs(1)));
/// ```
#[derive(Debug)]
#[must_use = "a Sleep does nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    key: Option<TimerKey>,
    _not_send: PhantomData<*const ()>,
}

impl Sleep {
    /// When it completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A loop of elapsed sleeps (or of a short interval's ticks) must not hold a poll forever.
        std::task::ready!(coop::proceed(cx));
        if clock::now() >= self.deadline {
            if let Some(key) = self.key.take() {
                remove_timer(key);
            }
            coop::consume();
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        let key = register_timer(self.key.take(), deadline, cx.waker());
        self.key = Some(key);
        tasks::note_wait(tasks::Wait::Timer);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            remove_timer(key);
        }
    }
}

/// A stream that yields every `period`, first at `now + period`, driven by the event loop.
///
/// Each item is the tick's scheduled instant; `Instant::now() - tick` is how late the loop
/// delivered it.
///
/// When the loop falls behind, missed ticks are skipped (the next tick is the next multiple of
/// `period` in the future), so a busy moment never causes a burst of catch-up ticks.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{interval, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let ticks = fake
///     .block_on(spawn_local(interval(Duration::from_millis(5)).take(3).collect::<Vec<_>>()))
///     .unwrap();
/// assert!(ticks.windows(2).all(|w| w[1] - w[0] >= Duration::from_millis(5)));
/// ```
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "interval(): the period must not be zero");
    let start = clock::now();
    Interval {
        period,
        start,
        sleep: sleep_until(clock::saturating_add(start, period)),
    }
}

/// The stream of [`interval`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{interval, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let ticks = fake
///     .block_on(spawn_local(async {
///         interval(Duration::from_millis(5)).take(3).collect::<Vec<_>>().await
///     }))
///     .unwrap();
/// assert_eq!(ticks.len(), 3);
/// assert!(ticks[0] < ticks[2]);
/// ```
#[derive(Debug)]
#[must_use = "an Interval does nothing unless polled"]
pub struct Interval {
    period: Duration,
    start: Instant,
    sleep: Sleep,
}

impl Stream for Interval {
    type Item = Instant;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        std::task::ready!(Pin::new(&mut self.sleep).poll(cx));
        let fired = self.sleep.deadline();
        let now = clock::now();
        let elapsed = now.duration_since(self.start).as_nanos();
        let period = self.period.as_nanos();
        let next_k = elapsed / period + 1;
        let next = clock::saturating_add(
            self.start,
            Duration::from_nanos(u64::try_from(next_k.saturating_mul(period)).unwrap_or(u64::MAX)),
        );
        self.sleep = sleep_until(next);
        Poll::Ready(Some(fired))
    }
}

/// Registers (or moves) a timer for the current poll's task; returns its key.
fn register_timer(old: Option<TimerKey>, deadline: Instant, waker: &Waker) -> TimerKey {
    with_local("sleep()", |local| {
        let key = local.timers.insert(old, deadline, waker);
        if !local.draining.get() {
            // Outside a drain nobody else will tell the loop about this deadline.
            local.ask_for_timers();
        }
        key
    })
}

/// Forgets a timer (it fired, or its future was dropped).
fn remove_timer(key: TimerKey) {
    super::context::try_with_local(|local| local.timers.remove(key));
}
