//! Tokio interop (feature `tokio`): coroutines await tokio-based futures directly, and `Send`
//! futures run on tokio's own threads ([`on_tokio::spawn`](spawn)) and are awaited like jobs.
//!
//! The module is `on_tokio`, not `tokio`, so that `use cxx_qt_async::engine::*` or a `tokio`
//! of ours never shadows the tokio crate in your `use` lines. Its [`TokioJob`] keeps the
//! vocabulary of every handle of this crate, not tokio's: dropping it aborts the task (tokio's
//! `JoinHandle` detaches), [`detach`](TokioJob::detach) lets it run, and
//! [`cancel`](TokioJob::cancel)`().await` aborts it and waits until it has ended.
//!
//! Two ways to await real asynchronous I/O from the GUI thread:
//!
//! * **Directly.** While a coroutine is polled, the runtime's tokio context is entered, so a
//!   tokio-based future (`reqwest::get(url)`, `tokio::time::sleep`, `tokio::process::Command`,
//!   `tokio::net::TcpStream`) can be awaited inside it: no `Send` bound, no channel. Tokio's I/O
//!   and time drivers run on tokio's threads; the future itself is polled on the GUI thread, so
//!   it may borrow the coroutine's `!Send` state. Good for requests whose work is small per poll.
//! * **On tokio's threads**, with [`spawn`]: a `Send` future (a large download, a parser) runs
//!   on tokio's workers and its result resumes the awaiting coroutine on the GUI thread. The
//!   returned [`TokioJob`] aborts the tokio task when dropped.
//!
//! Cancellation: dropping a future that is awaited directly (the coroutine was cancelled, its
//! owner destroyed, it lost a [`race`](crate::race) or a [`timeout`](crate::timeout)) drops it
//! at once on the GUI thread, closing its sockets. Dropping a [`TokioJob`] aborts its task at
//! its next `.await` point. Compare with a blocking job ([`spawn_blocking`](crate::spawn_blocking)),
//! which, once running, cannot be interrupted and runs to completion: use blocking jobs for
//! CPU work and blocking APIs (files, hashing), tokio for sockets, processes and timers of
//! tokio-based libraries.
//!
//! The tokio runtime is created by the engine's runtime when a coroutine is first polled (an
//! app that never polls one starts no tokio thread), with
//! [`RuntimeBuilder::tokio_worker_threads`](crate::RuntimeBuilder::tokio_worker_threads)
//! workers, and shut down when the engine's runtime is dropped, within the same
//! [`shutdown_wait`](crate::RuntimeBuilder::shutdown_wait) bound as the worker pool.
//!
//! ```
//! use std::time::Duration;
//! use cxx_qt_async_engine::{on_tokio, spawn_local, testing::FakeLoop};
//!
//! let fake = FakeLoop::new();
//! let gui = std::thread::current().id();
//! let answer = fake.block_on(spawn_local(async move {
//!     // Directly: a tokio timer, awaited on the GUI thread.
//!     tokio::time::sleep(Duration::from_millis(1)).await;
//!     assert_eq!(std::thread::current().id(), gui);
//!     // On tokio's threads: the result comes back here.
//!     let n = on_tokio::spawn(async { 6 * 7 }).await?;
//!     assert_eq!(std::thread::current().id(), gui);
//!     anyhow::Ok(n)
//! }));
//! assert_eq!(answer.unwrap().unwrap(), 42);
//! ```

use std::future::Future;
use std::panic::{AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use ::tokio::runtime::Handle;
use ::tokio::task::JoinHandle;
use futures::task::AtomicWaker;
use futures::FutureExt as _;

use super::coop;
use super::error::JobError;
use super::panic::{caught, CaughtPanic};
use super::stop;
use super::tasks;

/// What a tokio task hands back when it did not produce a value.
type Outcome<T> = Result<T, CaughtPanic>;

/// A `Send` future running on the runtime's tokio threads, awaited on the GUI thread like a
/// [`Job`](crate::Job): the output, or a [`JobError`] that names where it was spawned.
///
/// **Dropping a `TokioJob` aborts its task** at its next `.await` point (its sockets close).
/// Call [`detach`](TokioJob::detach) to let it run on.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{on_tokio, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let answer = fake
///     .block_on(spawn_local(async {
///         let job = on_tokio::spawn(async {
///             tokio::time::sleep(Duration::from_millis(5)).await; // on tokio's threads
///             42
///         });
///         job.await // resumes on the GUI thread
///     }))
///     .unwrap();
/// assert_eq!(answer.unwrap(), 42);
/// ```
#[must_use = "a TokioJob is aborted when dropped; await it or call .detach()"]
pub struct TokioJob<T> {
    handle: Option<JoinHandle<Outcome<T>>>,
    /// Set when the task's future is gone (finished, or dropped by the abort).
    ended: Arc<RunState>,
    site: &'static Location<'static>,
}

impl<T> std::fmt::Debug for TokioJob<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokioJob")
            .field("site", &self.site)
            .field("running", &self.handle.is_some())
            .finish()
    }
}

impl<T> TokioJob<T> {
    /// Lets the task run to its end without anyone awaiting it.
    pub fn detach(mut self) {
        self.handle.take();
    }

    /// Aborts the task now (as dropping does); awaiting afterwards gives a cancelled error,
    /// unless the task had already finished.
    #[deprecated(
        since = "0.2.0",
        note = "drop the TokioJob, or `.cancel().await` to wait until the task has ended"
    )]
    pub fn abort(&self) {
        if let Some(handle) = &self.handle {
            handle.abort();
        }
    }

    /// Aborts the task and resolves once its future is gone (aborted at its next `.await`, or
    /// finished first): `None` if it was aborted, else its output.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use cxx_qt_async_engine::{on_tokio, spawn_local, testing::FakeLoop};
    ///
    /// let fake = FakeLoop::new();
    /// let stopped = fake
    ///     .block_on(spawn_local(async {
    ///         let job = on_tokio::spawn(tokio::time::sleep(Duration::from_secs(3600)));
    ///         job.cancel().await
    ///     }))
    ///     .unwrap();
    /// assert!(stopped.is_none());
    /// ```
    pub fn cancel(mut self) -> impl Future<Output = Option<Result<T, JobError>>> {
        let site = self.site;
        let handle = self.handle.take();
        let ended = Arc::clone(&self.ended);
        async move {
            let handle = handle?;
            handle.abort();
            let out = handle.await;
            ended.stopped().await;
            match out {
                Ok(Ok(value)) => Some(Ok(value)),
                Ok(Err(panic)) => Some(Err(tokio_panic(site, panic))),
                Err(_) => None, // aborted
            }
        }
    }
}

impl<T> Drop for TokioJob<T> {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.abort();
            if !handle.is_finished() && stop::collecting() {
                // Dropped by a coroutine a `Task::cancel()` waits for: hand it the task's end.
                stop::push(Box::pin(Arc::clone(&self.ended).stopped()));
            }
        }
    }
}

/// Runs a `Send` future on the runtime's tokio threads; await the returned [`TokioJob`] on the
/// GUI thread for its output.
///
/// # Panics
///
/// On a thread without an engine runtime (the message names the rule).
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{on_tokio, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let err = fake
///     .block_on(spawn_local(async {
///         on_tokio::spawn(async { panic!("bad input") }).await
///     }))
///     .unwrap()
///     .unwrap_err();
/// assert!(format!("{err:#}").contains("bad input"), "{err:#}");
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> TokioJob<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let site = Location::caller();
    let handle = super::context::tokio_handle("on_tokio::spawn()");
    let ended = Arc::new(RunState::new());
    let guard = EndGuard(Arc::clone(&ended));
    let task = handle.spawn(async move {
        let _ended = guard; // dropped with the future: when it finishes or is aborted
        let _capture = super::panic::CaptureScope::enter();
        // No mark: the future may move between tokio's threads, each counts its own panics
        // (the record is matched by message alone).
        AssertUnwindSafe(future)
            .catch_unwind()
            .await
            .map_err(|payload| caught(payload.as_ref(), 0))
    });
    TokioJob {
        handle: Some(task),
        ended,
        site,
    }
}

/// The runtime's tokio handle, for what needs one explicitly (a library that asks for a
/// `Handle`, `Handle::spawn_blocking`). Inside a coroutine, `tokio::runtime::Handle::current()`
/// gives the same.
///
/// # Panics
///
/// On a thread without an engine runtime.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{on_tokio, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let tokio = on_tokio::handle(); // for an API that wants a tokio Handle
/// let answer = fake
///     .block_on(spawn_local(async move { tokio.spawn(async { 6 * 7 }).await }))
///     .unwrap();
/// assert_eq!(answer.unwrap(), 42);
/// ```
pub fn handle() -> Handle {
    super::context::tokio_handle("on_tokio::handle()")
}

impl<T> Future for TokioJob<T> {
    type Output = Result<T, JobError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let site = self.site;
        std::task::ready!(coop::proceed(cx));
        let Some(handle) = self.handle.as_mut() else {
            return Poll::Ready(Err(JobError::Cancelled { site }));
        };
        let polled = Pin::new(handle).poll(cx);
        let Poll::Ready(result) = polled else {
            tasks::note_wait(tasks::Wait::TokioTask);
            return Poll::Pending;
        };
        coop::consume();
        self.handle = None;
        Poll::Ready(match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => Err(tokio_panic(site, panic)),
            // Aborted, or the tokio runtime shut down.
            Err(_) => Err(JobError::Cancelled { site }),
        })
    }
}

/// A tokio task's panic as its awaiter sees it.
fn tokio_panic(site: &'static Location<'static>, panic: CaughtPanic) -> JobError {
    JobError::Panicked {
        site,
        thread: "cxx-qt-async-tokio".to_owned(),
        message: panic.message,
        location: panic.location,
        backtrace: panic.backtrace,
    }
}

/// Whether a tokio task's future is gone, and a wake for when it goes.
struct RunState {
    ended: AtomicBool,
    waker: AtomicWaker,
}

impl RunState {
    fn new() -> Self {
        Self {
            ended: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }

    fn end(&self) {
        self.ended.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Resolves once the task has ended.
    fn stopped(self: Arc<Self>) -> impl Future<Output = ()> {
        std::future::poll_fn(move |cx| {
            if self.ended.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            self.waker.register(cx.waker());
            if self.ended.load(Ordering::Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

/// Marks its tokio task ended when dropped: with the task's future, when it finishes or an
/// abort drops it.
struct EndGuard(Arc<RunState>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.0.end();
    }
}
