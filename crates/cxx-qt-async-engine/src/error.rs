//! Typed errors at the engine's edge.
//!
//! A job's future resolves to [`anyhow::Result<T>`]; when it fails, the [`anyhow::Error`] carries
//! a [`JobError`] that says how it failed (failed, panicked, cancelled), where it was awaited
//! (file:line of the `run_blocking` call, which is the await site), on which worker thread it ran,
//! and a backtrace captured on that worker. The job's own error, with its whole context chain,
//! sits underneath: `format!("{err:#}")` prints the lot in one line, and `err.downcast_ref::<E>()`
//! still finds the job's own error types.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt;
use std::panic::Location;

/// How a job failed, where it was awaited and what the worker saw.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{run_blocking, testing::FakeLoop, JobError};
///
/// let fake = FakeLoop::new();
/// let err = fake.block_on(async {
///     run_blocking(|| -> u32 { panic!("worker exploded") }).await.unwrap_err()
/// });
/// let job_error = err.downcast_ref::<JobError>().expect("a JobError");
/// assert!(job_error.is_panic());
/// assert!(format!("{err:#}").contains("worker exploded"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// The job returned an error; the error itself is the next link in the chain.
    #[error("job awaited at {site} failed on {thread}")]
    Failed {
        /// Where the job was awaited (`file:line:column`).
        site: &'static Location<'static>,
        /// The worker thread's name.
        thread: String,
        /// Captured on the worker when the job's error brought none of its own.
        backtrace: Option<Backtrace>,
    },
    /// The job panicked; the panic was contained on the worker.
    #[error(
        "job awaited at {site} panicked on {thread}: {message}{}",
        at(location)
    )]
    Panicked {
        /// Where the job was awaited.
        site: &'static Location<'static>,
        /// The worker thread's name.
        thread: String,
        /// The panic message.
        message: String,
        /// Where the panic happened, when known.
        location: Option<String>,
        /// The panicking worker's stack.
        backtrace: Option<Backtrace>,
    },
    /// The job was cancelled before it produced a result (runtime shut down, or the job was
    /// dropped from the pool's queue).
    #[error("job awaited at {site} was cancelled")]
    Cancelled {
        /// Where the job was awaited.
        site: &'static Location<'static>,
    },
}

fn at(location: &Option<String>) -> String {
    location
        .as_deref()
        .map(|l| format!(" (at {l})"))
        .unwrap_or_default()
}

impl JobError {
    /// Where the failed job was awaited.
    pub fn site(&self) -> &'static Location<'static> {
        match self {
            Self::Failed { site, .. } | Self::Panicked { site, .. } | Self::Cancelled { site } => {
                site
            }
        }
    }

    /// `true` for a job that panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, Self::Panicked { .. })
    }

    /// `true` for a job that was cancelled rather than failing.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled { .. })
    }

    /// The name of the worker thread the job ran on (`None` for a job that never ran).
    pub fn thread(&self) -> Option<&str> {
        match self {
            Self::Failed { thread, .. } | Self::Panicked { thread, .. } => Some(thread),
            Self::Cancelled { .. } => None,
        }
    }
}

/// The backtrace captured on the worker for a failed job's error, if there is one.
///
/// For a panic it is the panicking thread's stack at the `panic!`. For a returned error it is the
/// error's own backtrace when `anyhow` captured one where the error was made (set
/// `RUST_BACKTRACE=1` or `RUST_LIB_BACKTRACE=1`), otherwise the worker's stack where the job
/// returned.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{run_blocking, testing::FakeLoop, worker_backtrace};
///
/// let err = FakeLoop::new().block_on(async {
///     run_blocking(|| -> () { panic!("boom") }).await.unwrap_err()
/// });
/// assert!(worker_backtrace(&err).is_some());
/// ```
pub fn worker_backtrace(err: &anyhow::Error) -> Option<&Backtrace> {
    let own = err.backtrace();
    let ours = match err.downcast_ref::<JobError>() {
        Some(JobError::Failed { backtrace, .. } | JobError::Panicked { backtrace, .. }) => {
            backtrace.as_ref()
        }
        _ => None,
    };
    ours.or((own.status() == BacktraceStatus::Captured).then_some(own))
}

/// `true` when `err` says a job or coroutine was cancelled (as opposed to failing).
///
/// # Examples
///
/// ```
/// # let err = anyhow::anyhow!("plain failure");
/// assert!(!cxx_qt_async_engine::is_cancelled(&err));
/// ```
pub fn is_cancelled(err: &anyhow::Error) -> bool {
    err.downcast_ref::<JobError>()
        .is_some_and(JobError::is_cancelled)
}

/// What a coroutine handle resolves to when the coroutine did not finish.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoroutineError {
    /// The coroutine panicked; the panic was contained on the GUI thread.
    #[error("coroutine panicked: {message}{}", at(location))]
    Panicked {
        /// The panic message.
        message: String,
        /// Where it panicked, when known.
        location: Option<String>,
    },
    /// The coroutine was cancelled (aborted, its owner dropped, or the runtime shut down).
    #[error("coroutine was cancelled")]
    Cancelled,
}

/// A coroutine that ended badly, as handed to the [report hook](crate::set_report_hook).
#[derive(Debug)]
#[non_exhaustive]
pub enum CoroutineReport<'a> {
    /// The coroutine returned an error.
    Failed {
        /// Where it was spawned.
        spawned_at: &'static Location<'static>,
        /// Its error, whole.
        error: &'a anyhow::Error,
    },
    /// The coroutine panicked.
    Panicked {
        /// Where it was spawned.
        spawned_at: &'static Location<'static>,
        /// The panic message.
        message: &'a str,
        /// Where it panicked, when known.
        location: Option<&'a str>,
    },
}

impl fmt::Display for CoroutineReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed { spawned_at, error } => {
                write!(f, "coroutine spawned at {spawned_at} failed: {error:#}")
            }
            Self::Panicked {
                spawned_at,
                message,
                location,
            } => {
                write!(f, "coroutine spawned at {spawned_at} panicked: {message}")?;
                if let Some(l) = location {
                    write!(f, " (at {l})")?;
                }
                Ok(())
            }
        }
    }
}

type ReportHook = Box<dyn Fn(&CoroutineReport<'_>) + Send + Sync>;

static REPORT_HOOK: std::sync::RwLock<Option<ReportHook>> = std::sync::RwLock::new(None);

/// Sets what happens when an owned coroutine (see [`crate::Scope`]) ends with an error or
/// a panic. The default writes the report to standard error.
///
/// # Examples
///
/// ```
/// cxx_qt_async_engine::set_report_hook(|report| eprintln!("[my-app] {report}"));
/// ```
pub fn set_report_hook(hook: impl Fn(&CoroutineReport<'_>) + Send + Sync + 'static) {
    *REPORT_HOOK
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Box::new(hook));
}

pub(crate) fn report(report: &CoroutineReport<'_>) {
    let hook = REPORT_HOOK
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match hook.as_ref() {
        Some(hook) => hook(report),
        None => eprintln!("cxx-qt-async: {report}"),
    }
}
