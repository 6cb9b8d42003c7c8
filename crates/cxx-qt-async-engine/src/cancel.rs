//! Cancellation of jobs that check for it.
//!
//! A blocking job cannot be interrupted from outside: it is plain code on a worker thread. A
//! job started with [`spawn_cancellable`] gets a [`CancelToken`] and stops where it checks it.
//! The token is set when the [`CancellableJob`] is dropped (its coroutine was aborted, its owner
//! destroyed, it lost a [`race`](super::race) or a [`timeout`](super::timeout)) or
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
/// **Dropping it sets the token.**
#[must_use = "a CancellableJob is cancelled when dropped; .await it"]
#[derive(Debug)]
pub struct CancellableJob<T> {
    job: Job<T>,
    token: CancelToken,
}

impl<T> CancellableJob<T> {
    /// Asks the job to stop at its next check. Awaiting it afterwards gives `Cancelled` if it
    /// stopped, or its value if it finished first.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// The job's token (to check from elsewhere, or to cancel on some other event).
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
        Pin::new(&mut self.job).poll(cx)
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
///         job.cancel();
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
        job: submit(Location::caller(), move || f(&for_job)),
        token,
    }
}
