//! The cancel token a job checks, and the error it returns when it stops at a check. Shared by
//! jobs (`job`) and cancellable jobs (`cancel`), which depend on it and not on each other.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Tells a running job whether it should stop. Cheap to check often; `Clone` and `Send`.
///
/// ```
/// use cxx_qt_async_engine::{CancelToken, Cancelled};
///
/// let token = CancelToken::default();
/// let for_job = token.clone(); // what a worker holds
/// assert_eq!(for_job.check(), Ok(()));
/// token.cancel();
/// assert!(for_job.is_cancelled());
/// assert_eq!(for_job.check(), Err(Cancelled));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

/// The error a job returns when it stops because it was cancelled (`token.check()?`). At the
/// await it becomes [`JobError::Cancelled`](super::JobError::Cancelled).
///
/// ```
/// use cxx_qt_async_engine::{spawn_cancellable, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let result = fake.block_on(spawn_local(async {
///     let job = spawn_cancellable(|token| loop {
///         token.check()?; // Err(Cancelled) once the token is set
///         std::thread::sleep(std::time::Duration::from_millis(1));
///     });
///     job.token().cancel();
///     job.await.map(|()| ())
/// }));
/// assert!(result.unwrap().unwrap_err().is_cancelled());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the job was cancelled")]
pub struct Cancelled;

impl CancelToken {
    /// `true` once cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once cancellation was requested: `token.check()?` in a job's loop.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Asks the job to stop at its next check (the job's handle stays, to await its outcome).
    ///
    /// # Examples
    ///
    /// ```
    /// let token = cxx_qt_async_engine::CancelToken::default();
    /// token.cancel();
    /// assert!(token.check().is_err());
    /// ```
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
