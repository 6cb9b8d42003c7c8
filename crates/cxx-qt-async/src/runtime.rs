//! [`QtRuntime`]: the engine's [`Runtime`] driven by the Qt event loop.

use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use cxx::UniquePtr;
use cxx_qt::{CxxQtThread, Threading};

use super::loop_driver::qobject::{new_loop_driver, LoopDriver};
use crate::engine::integration::{Drainer, LoopWaker};
use crate::engine::{self, Runtime, RuntimeBuilder};

extern "C" {
    fn cxx_qt_async_drain_timer_new() -> *mut c_void;
    fn cxx_qt_async_drain_timer_start(timer: *mut c_void, msec: c_int);
    fn cxx_qt_async_drain_timer_delete(timer: *mut c_void);
}

/// Called by the drain timer (src/drain_timer.cpp) on the GUI thread.
#[no_mangle]
extern "C" fn cxx_qt_async_drain_from_timer() {
    drain_caught();
}

/// Runs a drain of this thread's [`QtRuntime`] (none once it is gone). A panic must not cross
/// into Qt (it would abort); a drain only panics on a broken rule, which is reported instead.
fn drain_caught() {
    let drainer = DRAIN_TIMER
        .try_with(|slot| {
            slot.try_borrow()
                .ok()
                .and_then(|s| s.as_ref().map(|t| t.drainer.clone()))
        })
        .ok()
        .flatten();
    let Some(drainer) = drainer else { return };
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| drainer.drain())) {
        eprintln!(
            "cxx-qt-async: drain failed: {}",
            engine::panic_message(&*payload)
        );
    }
}

/// A zero-timeout single-shot QTimer on the GUI thread. It lives in that thread's
/// [`DRAIN_TIMER`] slot, from the runtime's installation until its shutdown: the pointer never
/// leaves the thread that created it (the loop waker, which is `Send`, holds none).
/// It also keeps the runtime's [`Drainer`], which never leaves this module: no user code can
/// run a drain (from inside a QObject's method, say).
struct DrainTimer {
    timer: *mut c_void,
    drainer: Drainer,
}

impl DrainTimer {
    fn new(drainer: Drainer) -> Self {
        // SAFETY: creates a parentless QTimer on the calling (GUI) thread; we own the pointer.
        let timer = unsafe { cxx_qt_async_drain_timer_new() };
        Self { timer, drainer }
    }

    fn start(&self, msec: c_int) {
        // SAFETY: the pointer came from cxx_qt_async_drain_timer_new and is not yet deleted
        // (that happens only in Drop, which takes it out of the slot first); we are on the
        // thread that created it, since the slot is a thread-local of that thread.
        unsafe { cxx_qt_async_drain_timer_start(self.timer, msec) }
    }
}

impl Drop for DrainTimer {
    fn drop(&mut self) {
        // SAFETY: the pointer came from cxx_qt_async_drain_timer_new and is deleted once, on
        // the thread that created it (the thread-local slot's); a deleted QTimer never fires.
        unsafe { cxx_qt_async_drain_timer_delete(self.timer) }
    }
}

thread_local! {
    /// The drain timer and drainer of this thread's [`QtRuntime`] (none before install and
    /// after drop).
    static DRAIN_TIMER: RefCell<Option<DrainTimer>> = const { RefCell::new(None) };
}

/// `true` while a [`QtRuntime`] is installed on this thread.
pub(crate) fn has_qt_runtime() -> bool {
    DRAIN_TIMER
        .try_with(|slot| slot.try_borrow().map_or(true, |s| s.is_some()))
        .unwrap_or(false)
}

/// Starts this thread's drain timer; nothing when the runtime is gone (or being torn down).
fn start_drain_timer(msec: c_int) {
    let _ = DRAIN_TIMER.try_with(|slot| {
        if let Ok(slot) = slot.try_borrow() {
            if let Some(timer) = slot.as_ref() {
                timer.start(msec);
            }
        }
    });
}

/// The Qt side of the seam: a wake is one queued invocation on the GUI thread's [`LoopDriver`];
/// a wake after a spent budget, or at a timer's deadline, starts the drain timer.
struct QueuedWake {
    thread: CxxQtThread<LoopDriver>,
}

impl LoopWaker for QueuedWake {
    fn wake(&self) {
        // Err(ObjectDestroyed) only happens while the runtime shuts down: nothing left to drain.
        let _ = self.thread.queue(|_driver| drain_caught());
    }

    fn wake_after_budget(&self) {
        // The engine calls this on the loop thread, whose slot holds the timer.
        start_drain_timer(0);
    }

    fn wake_at(&self, deadline: Instant) {
        let wait = deadline.saturating_duration_since(Instant::now());
        // Round up: a drain before the deadline would find nothing due and ask again.
        let msec = wait.as_micros().div_ceil(1000);
        start_drain_timer(c_int::try_from(msec).unwrap_or(c_int::MAX));
    }
}

/// Builds a [`QtRuntime`]; the settings are those of [`RuntimeBuilder`].
///
/// # Examples
///
/// ```no_run
/// use std::time::{Duration, Instant};
/// let _runtime = cxx_qt_async::QtRuntime::builder()
///     .worker_threads(4)
///     .drain_budget(Duration::from_millis(2))
///     .install();
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until .install() is called"]
pub struct QtRuntimeBuilder {
    inner: RuntimeBuilder,
}

impl QtRuntimeBuilder {
    /// See [`RuntimeBuilder::worker_threads`].
    pub fn worker_threads(self, n: usize) -> Self {
        Self {
            inner: self.inner.worker_threads(n),
        }
    }

    /// See [`RuntimeBuilder::drain_budget`].
    pub fn drain_budget(self, budget: Duration) -> Self {
        Self {
            inner: self.inner.drain_budget(budget),
        }
    }

    /// See [`RuntimeBuilder::reserve_threads`].
    pub fn reserve_threads(self, n: usize) -> Self {
        Self {
            inner: self.inner.reserve_threads(n),
        }
    }

    /// See [`RuntimeBuilder::worker_nice`].
    pub fn worker_nice(self, nice: u8) -> Self {
        Self {
            inner: self.inner.worker_nice(nice),
        }
    }

    /// See [`RuntimeBuilder::slow_poll_threshold`].
    pub fn slow_poll_threshold(self, threshold: Duration) -> Self {
        Self {
            inner: self.inner.slow_poll_threshold(threshold),
        }
    }

    /// See [`RuntimeBuilder::shutdown_wait`].
    pub fn shutdown_wait(self, wait: Duration) -> Self {
        Self {
            inner: self.inner.shutdown_wait(wait),
        }
    }

    /// See [`RuntimeBuilder::tokio_worker_threads`] (feature `tokio`).
    #[cfg(feature = "tokio")]
    pub fn tokio_worker_threads(self, n: usize) -> Self {
        Self {
            inner: self.inner.tokio_worker_threads(n),
        }
    }

    /// Installs the runtime on the current thread, which must be a Qt thread with an event loop
    /// (normally the GUI thread, after `QGuiApplication` was created).
    ///
    /// # Panics
    ///
    /// If this thread already has a runtime.
    pub fn install(self) -> QtRuntime {
        let driver = new_loop_driver();
        let thread = driver
            .as_ref()
            .expect("cxx-qt-async: could not create the LoopDriver QObject")
            .qt_thread();
        let runtime = self.inner.install(QueuedWake { thread });
        let drainer = runtime.drainer();
        DRAIN_TIMER.with(|slot| *slot.borrow_mut() = Some(DrainTimer::new(drainer)));
        QtRuntime {
            runtime: Some(runtime),
            driver,
        }
    }
}

/// The engine's runtime on a Qt event loop: coroutines resume through queued invocations.
///
/// Create it after `QGuiApplication` and keep it until `exec()` returns. Dropping it cancels
/// queued jobs, waits (bounded) for running ones and drops every coroutine. If no runtime is
/// installed when a QObject first spawns a coroutine, a default one is installed for the thread
/// and kept until the thread ends.
///
/// # Examples
///
/// ```no_run
/// use cxx_qt_lib::QGuiApplication;
///
/// let mut app = QGuiApplication::new();
/// let runtime = cxx_qt_async::QtRuntime::install();
/// // ... load QML ...
/// if let Some(app) = app.as_mut() {
///     app.exec();
/// }
/// drop(runtime); // cancel and wait before the application object goes
/// ```
#[must_use = "the runtime shuts down when this guard is dropped"]
pub struct QtRuntime {
    runtime: Option<Runtime>,
    driver: UniquePtr<LoopDriver>,
}

impl std::fmt::Debug for QtRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QtRuntime")
            .field("runtime", &self.runtime)
            .finish()
    }
}

impl QtRuntime {
    /// Installs a runtime with the defaults (see [`RuntimeBuilder`]).
    pub fn install() -> Self {
        Self::builder().install()
    }

    /// A builder to configure the runtime.
    pub fn builder() -> QtRuntimeBuilder {
        QtRuntimeBuilder::default()
    }

    /// The worker pool's size.
    pub fn worker_threads(&self) -> usize {
        self.runtime.as_ref().map_or(0, |r| r.worker_threads())
    }
}

impl Drop for QtRuntime {
    fn drop(&mut self) {
        if engine::integration::in_drain() {
            // Refused, without a panic (this may run inside a C++ destructor or an unwind,
            // where a panic aborts): the runtime, its timer and its driver stay and keep
            // working (until the thread ends), and the coroutine that dropped it ends.
            std::mem::forget(self.runtime.take());
            std::mem::forget(std::mem::replace(&mut self.driver, UniquePtr::null()));
            engine::integration::refuse(
                "cxx-qt-async rule: a QtRuntime may not be dropped from inside one of its \
                 coroutines (it would have to drop the coroutine that drops it): drop it after \
                 `exec()` has returned; it stays installed",
            );
            return;
        }
        // Shut the engine down first, while queued drains can still be posted (they are
        // dropped with the driver below, never run).
        drop(self.runtime.take());
        let timer = DRAIN_TIMER.try_with(|slot| slot.borrow_mut().take());
        drop(timer);
        self.driver = UniquePtr::null();
    }
}

/// The runtime [`ensure_runtime`] installed. Dropped only by [`shutdown_implicit_runtime`]: at
/// thread teardown it is leaked instead, because dropping coroutines then would run their
/// destructors after other thread-locals (std's, async-task's) are gone.
struct Implicit(RefCell<Option<QtRuntime>>);

impl Drop for Implicit {
    fn drop(&mut self) {
        std::mem::forget(self.0.take());
    }
}

thread_local! {
    static IMPLICIT: Implicit = const { Implicit(RefCell::new(None)) };
}

/// Installs a default [`QtRuntime`] on this thread if it has none: what
/// [`QObjectSpawn::spawn_local`](crate::QObjectSpawn::spawn_local) does by itself.
#[deprecated(
    since = "0.2.0",
    note = "not needed: QObjectSpawn::spawn_local installs a runtime when there is none; install a QtRuntime in main"
)]
pub fn ensure_runtime() {
    if let Err(rule) = ensure() {
        engine::integration::refuse(rule);
    }
}

/// Installs a default [`QtRuntime`] on this thread if it has none; `Err` with the rule when
/// this thread's runtime is not a [`QtRuntime`] (an engine runtime installed by hand, whose
/// drains its installer runs: QObjects' coroutines need the Qt one, whose drains only the Qt
/// event loop runs), or while this thread's `QtRuntime` shuts down (a coroutine's destructor
/// spawning then would install a runtime that never drains).
pub(crate) fn ensure() -> Result<(), &'static str> {
    if engine::has_runtime() {
        if has_qt_runtime() {
            Ok(())
        } else {
            Err(
                "cxx-qt-async rule: QObjects spawn coroutines only on a thread whose runtime is a \
                 QtRuntime (this thread has a bare engine runtime, whose drains its installer runs)",
            )
        }
    } else if engine::integration::is_shutting_down() {
        Err("cxx-qt-async rule: no coroutine is spawned while the thread's QtRuntime shuts down")
    } else {
        let runtime = QtRuntime::install();
        IMPLICIT.with(|slot| *slot.0.borrow_mut() = Some(runtime));
        Ok(())
    }
}

/// Shuts down the runtime that [`ensure_runtime`] installed on this thread, if any, like dropping
/// an explicit [`QtRuntime`]: call it after the event loop has returned. Without it, that runtime
/// lives until the thread ends and is then left to the OS.
///
/// # Examples
///
/// ```no_run
/// use cxx_qt_lib::QGuiApplication;
///
/// // An app that installs no QtRuntime: the first spawn_local installed one.
/// let mut app = QGuiApplication::new();
/// // ... the QML engine, whose objects spawn coroutines ...
/// let _code = app.as_mut().map(|app| app.exec());
/// cxx_qt_async::shutdown_implicit_runtime(); // waits for running jobs, like dropping a QtRuntime
/// ```
pub fn shutdown_implicit_runtime() {
    let runtime = IMPLICIT.with(|slot| slot.0.borrow_mut().take());
    drop(runtime);
}
