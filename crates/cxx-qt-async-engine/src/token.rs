//! The cancel token a job checks, and the error it returns when it stops at a check. Shared by
//! jobs (`job`) and cancellable jobs (`cancel`), which depend on it and not on each other.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Tells a running job whether it should stop. Cheap to check often; `Clone` and `Send`.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

/// The error a job returns when it stops because it was cancelled (`token.check()?`). At the
/// await it becomes [`JobError::Cancelled`](super::JobError::Cancelled).
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
