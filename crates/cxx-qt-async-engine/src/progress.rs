//! Progress from a worker to the GUI thread, coalesced to the frame rate.
//!
//! A job reports through a [`Reporter`] as often as it likes; each report only replaces the
//! latest value (and wakes the GUI side if it is not already woken). The GUI side, a
//! [`ProgressWatch`] stream, yields the latest value at most once per frame interval (16 ms by
//! default): whatever the worker's rate, the GUI sees about 60 updates a second, and no event is
//! queued per report.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::task::AtomicWaker;
use futures::{Future, Stream};

use super::timer::{sleep_until, Sleep};
use super::{clock, coop, tasks};

/// The default minimum time between two values the GUI side sees: one frame at 60 Hz.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{progress_every, testing::FakeLoop, FRAME_INTERVAL};
///
/// let _fake = FakeLoop::new();
/// // 30 updates a second instead of 60.
/// let (reporter, _watch) = progress_every::<u32>(FRAME_INTERVAL * 2);
/// reporter.report(1);
/// ```
pub const FRAME_INTERVAL: Duration = Duration::from_millis(16);

struct Shared<T> {
    latest: Mutex<Option<T>>,
    notified: AtomicBool,
    waker: AtomicWaker,
    reporters: AtomicUsize,
}

/// A channel for progress: the [`Reporter`] goes to the job, the [`ProgressWatch`] stays on the
/// GUI thread.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{progress, spawn_blocking, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let (reporter, watch) = progress::<f64>();
/// let shown = fake.block_on(spawn_local(async move {
///     let job = spawn_blocking(move || {
///         for i in 1..=1_000_000u32 {
///             reporter.report(f64::from(i) / 1e6); // as fast as it likes
///         }
///     });
///     let (_, seen) = futures::join!(job, watch.collect::<Vec<f64>>());
///     seen
/// }))
/// .unwrap();
/// assert_eq!(shown.last(), Some(&1.0), "the final value always arrives");
/// assert!(shown.len() < 1000, "coalesced: {} updates", shown.len());
/// ```
pub fn progress<T: Send + 'static>() -> (Reporter<T>, ProgressWatch<T>) {
    progress_every(FRAME_INTERVAL)
}

/// Like [`progress`], with another minimum interval between the values the GUI side sees.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{progress_every, spawn_blocking, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let (reporter, watch) = progress_every::<u32>(Duration::from_millis(100)); // 10 a second
/// let shown = fake
///     .block_on(spawn_local(async move {
///         let job = spawn_blocking(move || (1..=1000).for_each(|i| reporter.report(i)));
///         futures::join!(job, watch.collect::<Vec<u32>>()).1
///     }))
///     .unwrap();
/// assert_eq!(shown.last(), Some(&1000));
/// ```
pub fn progress_every<T: Send + 'static>(
    min_interval: Duration,
) -> (Reporter<T>, ProgressWatch<T>) {
    let shared = Arc::new(Shared {
        latest: Mutex::new(None),
        notified: AtomicBool::new(false),
        waker: AtomicWaker::new(),
        reporters: AtomicUsize::new(1),
    });
    (
        Reporter {
            shared: Arc::clone(&shared),
        },
        ProgressWatch {
            shared,
            min_interval,
            throttle: None,
        },
    )
}

/// The job's end of a [`progress`] channel. Cheap to call often; `Clone` and `Send`.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{progress, testing::FakeLoop};
///
/// let _fake = FakeLoop::new();
/// let (reporter, _watch) = progress::<(u64, u64)>();
/// let for_job = reporter.clone(); // one per worker, if a job has several
/// std::thread::spawn(move || for_job.report((512, 1024))).join().unwrap();
/// ```
pub struct Reporter<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Reporter<T> {
    /// Makes `value` the latest progress. Never blocks on the GUI.
    pub fn report(&self, value: T) {
        *self
            .shared
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(value);
        self.notify();
    }

    fn notify(&self) {
        if !self.shared.notified.swap(true, Ordering::AcqRel) {
            self.shared.waker.wake();
        }
    }
}

impl<T> Clone for Reporter<T> {
    fn clone(&self) -> Self {
        self.shared.reporters.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Reporter<T> {
    fn drop(&mut self) {
        if self.shared.reporters.fetch_sub(1, Ordering::AcqRel) == 1 {
            // The last reporter is gone: let the watch see the end.
            self.shared.notified.store(false, Ordering::Release);
            self.notify();
        }
    }
}

impl<T> std::fmt::Debug for Reporter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reporter")
    }
}

/// The GUI thread's end of a [`progress`] channel: a stream of the latest values, at most one
/// per minimum interval. It ends when every [`Reporter`] is dropped (after the last value).
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{progress, spawn_blocking, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let (reporter, mut watch) = progress::<u8>();
/// let last = fake
///     .block_on(spawn_local(async move {
///         let _job = spawn_blocking(move || (0..=100).for_each(|p| reporter.report(p)));
///         let mut last = 0;
///         while let Some(percent) = watch.next().await {
///             last = percent; // in an app: set a progress bar's value
///         }
///         last // the stream ends once every Reporter is dropped
///     }))
///     .unwrap();
/// assert_eq!(last, 100);
/// ```
#[must_use = "a ProgressWatch shows nothing unless polled"]
pub struct ProgressWatch<T> {
    shared: Arc<Shared<T>>,
    min_interval: Duration,
    throttle: Option<Sleep>,
}

impl<T> std::fmt::Debug for ProgressWatch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressWatch")
            .field("min_interval", &self.min_interval)
            .finish()
    }
}

impl<T> Stream for ProgressWatch<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // Noted first, so the throttle's timer does not name the wait.
        tasks::note_wait(tasks::Wait::Progress);
        std::task::ready!(coop::proceed(cx));
        if let Some(throttle) = self.throttle.as_mut() {
            std::task::ready!(Pin::new(throttle).poll(cx));
            self.throttle = None;
        }
        self.shared.waker.register(cx.waker());
        self.shared.notified.store(false, Ordering::Release);
        let latest = self
            .shared
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match latest {
            Some(value) => {
                self.throttle = Some(sleep_until(clock::saturating_add(
                    clock::now(),
                    self.min_interval,
                )));
                coop::consume();
                Poll::Ready(Some(value))
            }
            None if self.shared.reporters.load(Ordering::Acquire) == 0 => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}
