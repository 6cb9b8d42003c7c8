//! Cancellation of jobs that check for it.
//!
//! A blocking job cannot be interrupted from outside: it is plain code on a worker thread. A
//! job started with [`spawn_cancellable`] gets a [`CancelToken`] and stops where it checks it.
//! The token is set when the [`CancellableJob`] is dropped (its coroutine was cancelled, its
//! owner destroyed, it lost a [`race`](super::race) or a [`timeout`](super::timeout)) or
//! [cancelled](CancellableJob::cancel). A job that never checks runs to completion and its
//! result is discarded.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::error::JobError;
use super::job::{submit, Job};
use super::token::CancelToken;

/// A job that can be cancelled; see [`spawn_cancellable`]. Awaiting it gives the job's value, or
/// a [`JobError`] (`Cancelled` if the job stopped at a check).
/// **Dropping it sets the token**; [`cancel`](CancellableJob::cancel) sets it and waits until
/// the job has stopped; [`token`](CancellableJob::token)`().cancel()` asks it to stop and keeps
/// the handle to await the outcome.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_cancellable, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let stopped = fake
///     .block_on(spawn_local(async {
///         let job = spawn_cancellable(|token| {
///             while !token.is_cancelled() {
///                 std::thread::yield_now(); // ... a slice of work ...
///             }
///             token.check()?;
///             Ok(())
///         });
///         job.cancel().await // sets the token and waits until the job has returned
///     }))
///     .unwrap();
/// assert!(stopped.is_none_or(|r| r.unwrap_err().is_cancelled()));
/// ```
#[must_use = "a CancellableJob is cancelled when dropped; .await it"]
#[derive(Debug)]
pub struct CancellableJob<T> {
    /// `None` only after `cancel` took it.
    job: Option<Job<T>>,
    token: CancelToken,
}

impl<T> CancellableJob<T> {
    /// Sets the token and resolves once the job has stopped: `None` if it was still queued (it
    /// never runs), else its outcome (`Err(JobError::Cancelled)` when it stopped at a check,
    /// its value if it finished first).
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_cancellable, testing::FakeLoop};
    ///
    /// let fake = FakeLoop::new();
    /// let job = spawn_cancellable(|token| loop {
    ///     token.check()?; // stops here once cancelled
    ///     std::thread::yield_now();
    /// });
    /// let stopped: Option<Result<(), _>> = fake.block_on(job.cancel());
    /// assert!(stopped.is_none_or(|outcome| outcome.unwrap_err().is_cancelled()));
    /// ```
    pub fn cancel(mut self) -> impl Future<Output = Option<Result<T, JobError>>> {
        self.token.cancel();
        let job = self.job.take();
        async move { job?.cancel().await }
    }

    /// The job's token (to check from elsewhere, or to ask the job to stop on some other event
    /// while keeping the handle to await its outcome).
    pub fn token(&self) -> &CancelToken {
        &self.token
    }
}

impl<T> Drop for CancellableJob<T> {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

impl<T> Future for CancellableJob<T> {
    type Output = Result<T, JobError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.job.as_mut() {
            Some(job) => Pin::new(job).poll(cx),
            None => Poll::Ready(Err(JobError::Cancelled {
                site: Location::caller(),
            })),
        }
    }
}

/// Runs `f` on the worker pool with a [`CancelToken`] it should check; see [`CancellableJob`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{spawn_cancellable, sleep, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let err = fake
///     .block_on(spawn_local(async {
///         let job = spawn_cancellable(|token| loop {
///             token.check()?; // stops here once cancelled
///             std::thread::sleep(Duration::from_millis(1));
///         });
///         sleep(Duration::from_millis(10)).await;
///         job.token().cancel(); // asks it to stop; the handle still gives the outcome
///         job.await.map(|()| ())
///     }))
///     .unwrap()
///     .unwrap_err();
/// assert!(err.is_cancelled(), "{err}");
/// ```
#[track_caller]
pub fn spawn_cancellable<T, F>(f: F) -> CancellableJob<T>
where
    F: FnOnce(&CancelToken) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let token = CancelToken::default();
    let for_job = token.clone();
    CancellableJob {
        job: Some(submit(Location::caller(), move || f(&for_job))),
        token,
    }
}
