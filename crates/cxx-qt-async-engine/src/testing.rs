//! A fake event loop, to run and test coroutines without Qt and without a display.
//!
//! [`FakeLoop`] implements [`LoopWaker`] by recording that a drain was requested; its methods
//! then play the event loop on the current thread: wait for a request, call [`Drainer::drain`](crate::integration::Drainer::drain), repeat.
//! Every wait is bounded, so a test that would hang fails with a message instead.
//!
//! ```
//! use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop};
//!
//! let fake = FakeLoop::new();
//! let answer = fake.block_on(spawn_local(async { spawn_blocking(|| 42).await })).unwrap();
//! assert_eq!(answer.unwrap(), 42);
//! ```

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use super::clock;
pub use super::pool::own_nice as thread_nice;
use super::runtime::{Drainer, Runtime, RuntimeBuilder};
use super::waker::LoopWaker;

/// How long [`FakeLoop::block_on`] and [`FakeLoop::run_until`] wait before they give up: 10 s
/// (120 s under miri, which runs code about a thousand times slower).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::{FakeLoop, DEFAULT_TIMEOUT}};
///
/// let fake = FakeLoop::new();
/// // An hour-long sleep, in virtual time: no real wait, far below DEFAULT_TIMEOUT.
/// let long = spawn_local(sleep(Duration::from_secs(3600)));
/// fake.advance(Duration::from_secs(3600));
/// assert!(fake.try_block_on(long).is_ok());
/// assert!(DEFAULT_TIMEOUT >= Duration::from_secs(10));
/// ```
pub const DEFAULT_TIMEOUT: Duration = if cfg!(miri) {
    Duration::from_secs(120)
} else {
    Duration::from_secs(10)
};

#[derive(Default)]
struct Signals {
    drain_requested: bool,
    future_woken: bool,
    /// A drain asked for at this time (`wake_at`).
    timer: Option<Instant>,
}

#[derive(Default)]
struct Inner {
    signals: Mutex<Signals>,
    changed: Condvar,
    wakes: AtomicU64,
}

impl Inner {
    fn set(&self, f: impl FnOnce(&mut Signals)) {
        f(&mut self.signals.lock().unwrap_or_else(PoisonError::into_inner));
        self.changed.notify_all();
    }
}

/// The [`LoopWaker`] of a [`FakeLoop`]: it records the request, like posting an event would.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new(); // its runtime's LoopWaker is a FakeWaker
/// let before = fake.wakes();
/// let _task = spawn_local(async {}); // asks the loop for a drain
/// assert!(fake.wakes() > before);
/// ```
#[derive(Clone)]
pub struct FakeWaker(Arc<Inner>);

impl std::fmt::Debug for FakeWaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeWaker")
    }
}

impl LoopWaker for FakeWaker {
    fn wake(&self) {
        self.0.wakes.fetch_add(1, Ordering::Relaxed);
        self.0.set(|s| s.drain_requested = true);
    }

    fn wake_at(&self, deadline: Instant) {
        self.0.set(|s| s.timer = Some(deadline));
    }
}

struct FutureWaker(Arc<Inner>);

impl Wake for FutureWaker {
    fn wake(self: Arc<Self>) {
        self.0.set(|s| s.future_woken = true);
    }
}

/// The loop did not get where it was asked to in time.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::testing::{FakeLoop, TimedOut};
///
/// /// A test helper: runs the loop until the file exists, or gives up with TimedOut.
/// fn wait_for(fake: &FakeLoop, path: &std::path::Path) -> Result<(), TimedOut> {
///     fake.run_until(|| path.exists())
/// }
///
/// let fake = FakeLoop::new();
/// wait_for(&fake, &std::env::temp_dir()).unwrap();
/// ```
#[derive(Debug, thiserror::Error)]
#[error("the fake loop timed out after {0:?}")]
pub struct TimedOut(pub Duration);

/// A headless stand-in for the Qt event loop, driving the runtime installed on this thread.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let gui = std::thread::current().id();
/// let handle = spawn_local(async move {
///     let worker = spawn_blocking(|| std::thread::current().id()).await.unwrap();
///     assert_ne!(worker, gui);
///     std::thread::current().id() // where the coroutine resumed
/// });
/// assert_eq!(fake.block_on(handle).unwrap(), gui);
/// ```
#[must_use = "the runtime is shut down when the FakeLoop is dropped"]
pub struct FakeLoop {
    inner: Arc<Inner>,
    runtime: Option<Runtime>,
    /// Drains the runtime installed through this loop.
    drainer: std::cell::RefCell<Option<Drainer>>,
}

impl std::fmt::Debug for FakeLoop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeLoop")
            .field("wakes", &self.wakes())
            .finish()
    }
}

impl Default for FakeLoop {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeLoop {
    /// A fake loop with a default runtime installed on this thread.
    pub fn new() -> Self {
        Self::with_runtime(Runtime::builder())
    }

    /// A fake loop with a runtime built from `builder` installed on this thread.
    pub fn with_runtime(builder: RuntimeBuilder) -> Self {
        let mut fake = Self::new_uninstalled();
        fake.runtime = Some(fake.install(builder));
        fake
    }

    /// A fake loop with no runtime: install one with [`FakeLoop::install`], which gives you
    /// the [`Runtime`] guard to drop when you choose.
    pub fn new_uninstalled() -> Self {
        Self {
            inner: Arc::default(),
            runtime: None,
            drainer: std::cell::RefCell::new(None),
        }
    }

    /// Installs a runtime built from `builder` on this thread, driven by this loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_blocking, testing::FakeLoop, Runtime};
    ///
    /// let fake = FakeLoop::new_uninstalled();
    /// let runtime = fake.install(Runtime::builder().worker_threads(1));
    /// assert_eq!(fake.block_on(spawn_blocking(|| 7)).unwrap(), 7);
    /// drop(runtime); // shut down before the loop goes
    /// ```
    pub fn install(&self, builder: RuntimeBuilder) -> Runtime {
        let runtime = builder.install(self.waker());
        *self.drainer.borrow_mut() = Some(runtime.drainer());
        runtime
    }

    /// The loop waker to install a runtime with.
    fn waker(&self) -> FakeWaker {
        FakeWaker(Arc::clone(&self.inner))
    }

    /// How often the engine has asked this loop for a drain.
    pub fn wakes(&self) -> u64 {
        self.inner.wakes.load(Ordering::Relaxed)
    }

    /// `true` if a drain was requested and has not run yet.
    pub fn drain_pending(&self) -> bool {
        self.inner
            .signals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain_requested
    }

    /// Moves this thread's engine clock forward by `by` (virtual time): sleeps, intervals,
    /// timeouts and progress throttling due by then complete at the next turn, at once, so a
    /// test of an hour-long timeout takes no time and always orders the same way.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop};
    ///
    /// let fake = FakeLoop::new();
    /// let started = Instant::now();
    /// let nap = spawn_local(async { sleep(Duration::from_secs(3600)).await; "rested" });
    /// fake.turn(); // it sleeps
    /// fake.advance(Duration::from_secs(3600));
    /// assert_eq!(fake.block_on(nap).unwrap(), "rested");
    /// assert!(started.elapsed() < Duration::from_secs(60));
    /// ```
    pub fn advance(&self, by: Duration) {
        clock::advance(by);
        // The loop's pending timer request may now be due.
        self.inner.changed.notify_all();
    }

    /// Runs one pending drain, if one was requested or a requested timer is due. Returns
    /// whether it ran.
    pub fn turn(&self) -> bool {
        let requested = {
            let mut s = self
                .inner
                .signals
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let timer_due = s.timer.is_some_and(|t| clock::now() >= t);
            if timer_due {
                s.timer = None;
            }
            std::mem::take(&mut s.drain_requested) || timer_due
        };
        if requested {
            let drainer = self.drainer.borrow().clone();
            if let Some(drainer) = drainer {
                drainer.drain();
            }
        }
        requested
    }

    /// Waits (bounded) until a drain is requested or a future is woken.
    fn wait(&self, deadline: Instant) -> Result<(), TimedOut> {
        let mut signals = self
            .inner
            .signals
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !signals.drain_requested && !signals.future_woken {
            // The timer is on the engine's clock (virtual time included), the bound on the
            // real one.
            let (now, real_now) = (clock::now(), Instant::now());
            if signals.timer.is_some_and(|t| now >= t) {
                break;
            }
            if real_now >= deadline {
                return Err(TimedOut(DEFAULT_TIMEOUT));
            }
            let bound = deadline - real_now;
            let wait = signals.timer.map_or(bound, |t| (t - now).min(bound));
            signals = self
                .inner
                .changed
                .wait_timeout(signals, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Ok(())
    }

    /// Plays the event loop until `done()` is true, for at most [`DEFAULT_TIMEOUT`].
    pub fn run_until(&self, mut done: impl FnMut() -> bool) -> Result<(), TimedOut> {
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        loop {
            self.turn();
            if done() {
                return Ok(());
            }
            self.wait(deadline)?;
        }
    }

    /// Plays the event loop until `future` (polled on this thread) completes.
    ///
    /// # Panics
    ///
    /// After [`DEFAULT_TIMEOUT`], so a test that would hang fails instead.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.try_block_on(future)
            .unwrap_or_else(|e| panic!("FakeLoop::block_on: {e}"))
    }

    /// Like [`FakeLoop::block_on`], returning an error instead of panicking on timeout.
    pub fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, TimedOut> {
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        let waker = Waker::from(Arc::new(FutureWaker(Arc::clone(&self.inner))));
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        loop {
            self.inner.set(|s| s.future_woken = false);
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return Ok(out);
            }
            self.turn();
            self.wait(deadline)?;
        }
    }
}
