//! Typed errors at the engine's edge.
//!
//! A job's future resolves to `Result<T, JobError>`: the [`JobError`] says how it failed
//! (failed, panicked, cancelled), where it was awaited (file:line of the `spawn_blocking` call,
//! which is the await site), on which worker thread it ran, and a backtrace captured on that
//! worker. A failed job's own error, with its whole context chain, is its
//! [`source`](std::error::Error::source): `format!("{err:#}")` of an [`anyhow::Error`] made from
//! it with `?` prints the lot in one line, and [`JobError::failure_as`] finds the job's own
//! error types.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError};

use super::panic::CaughtPanic;

/// How a job failed, where it was awaited and what the worker saw.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, testing::FakeLoop, JobError};
///
/// let fake = FakeLoop::new();
/// let err: JobError = fake.block_on(async {
///     spawn_blocking(|| -> u32 { panic!("worker exploded") }).await.unwrap_err()
/// });
/// assert!(err.is_panic());
/// // With `?`, it becomes an `anyhow::Error` like any other.
/// let err = anyhow::Error::from(err);
/// assert!(format!("{err:#}").contains("worker exploded"));
/// ```
///
/// Its `Display` is one line; with `{:#}` it goes on with a failed job's own error chain, as
/// `anyhow` prints a chain (`job awaited at src/x.rs:3:5 failed on …: reading the input: No such
/// file`).
#[derive(Debug)]
#[non_exhaustive]
pub enum JobError {
    /// The job returned an error; the error itself is the next link in the chain (`source`).
    Failed {
        /// The job's own error, with its context chain.
        error: anyhow::Error,
        /// Where the job was awaited (`file:line:column`).
        site: &'static Location<'static>,
        /// The worker thread's name.
        thread: String,
        /// Captured on the worker when the job's error brought none of its own.
        backtrace: Option<Box<Backtrace>>,
    },
    /// The job panicked; the panic was contained on the worker.
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
        backtrace: Option<Box<Backtrace>>,
    },
    /// The job was cancelled before it produced a result (runtime shut down, or the job was
    /// dropped from the pool's queue).
    Cancelled {
        /// Where the job was awaited.
        site: &'static Location<'static>,
    },
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed {
                error,
                site,
                thread,
                ..
            } => {
                write!(f, "job awaited at {site} failed on {thread}")?;
                if f.alternate() {
                    write!(f, ": {error:#}")?;
                }
                Ok(())
            }
            Self::Panicked {
                site,
                thread,
                message,
                location,
                ..
            } => write!(
                f,
                "job awaited at {site} panicked on {thread}: {message}{}",
                at(location)
            ),
            Self::Cancelled { site } => write!(f, "job awaited at {site} was cancelled"),
        }
    }
}

impl std::error::Error for JobError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Failed { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
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

    /// The failed job's own error, when it is (or its context chain holds) an `E`: what
    /// [`anyhow::Error::downcast_ref`] finds in the job's error.
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_blocking_fallible, testing::FakeLoop};
    ///
    /// let err = FakeLoop::new()
    ///     .block_on(spawn_blocking_fallible(|| Ok(std::fs::read("/no/such/file")?)))
    ///     .unwrap_err();
    /// let io = err.failure_as::<std::io::Error>().expect("the job's io::Error");
    /// assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    /// ```
    pub fn failure_as<E>(&self) -> Option<&E>
    where
        E: fmt::Display + fmt::Debug + Send + Sync + 'static,
    {
        match self {
            Self::Failed { error, .. } => error.downcast_ref::<E>(),
            _ => None,
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

    /// The backtrace captured on the worker, if there is one.
    ///
    /// For a panic it is the panicking thread's stack at the `panic!`. For a returned error it is
    /// the error's own backtrace when `anyhow` captured one where the error was made (set
    /// `RUST_BACKTRACE=1` or `RUST_LIB_BACKTRACE=1`), otherwise the worker's stack where the job
    /// returned.
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_blocking, testing::FakeLoop};
    ///
    /// let err = FakeLoop::new().block_on(spawn_blocking(|| -> () { panic!("boom") })).unwrap_err();
    /// assert!(err.worker_backtrace().is_some());
    /// ```
    pub fn worker_backtrace(&self) -> Option<&Backtrace> {
        match self {
            Self::Failed {
                error, backtrace, ..
            } => {
                let own = error.backtrace();
                backtrace
                    .as_deref()
                    .or((own.status() == BacktraceStatus::Captured).then_some(own))
            }
            Self::Panicked { backtrace, .. } => backtrace.as_deref(),
            Self::Cancelled { .. } => None,
        }
    }

    /// The name of the worker thread the job ran on (`None` for a job that never ran).
    pub fn thread(&self) -> Option<&str> {
        match self {
            Self::Failed { thread, .. } | Self::Panicked { thread, .. } => Some(thread),
            Self::Cancelled { .. } => None,
        }
    }
}

/// The backtrace captured on the worker for the failed job in `err`'s chain, if there is one
/// (see [`JobError::worker_backtrace`]); for an `anyhow::Error` made from a [`JobError`] with `?`.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, testing::FakeLoop, worker_backtrace};
///
/// let err = FakeLoop::new().block_on(async {
///     anyhow::Error::from(spawn_blocking(|| -> () { panic!("boom") }).await.unwrap_err())
/// });
/// assert!(worker_backtrace(&err).is_some());
/// ```
pub fn worker_backtrace(err: &anyhow::Error) -> Option<&Backtrace> {
    err.chain()
        .find_map(|e| e.downcast_ref::<JobError>())
        .and_then(JobError::worker_backtrace)
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
    err.chain()
        .filter_map(|e| e.downcast_ref::<JobError>())
        .any(JobError::is_cancelled)
}

/// What a coroutine handle resolves to when the coroutine did not finish.
///
/// Like tokio's `JoinError`, a panic's payload can be re-raised ([`TaskError::into_panic`]).
/// A `TaskError` is `Clone` and compares by its text: clones share the payload, and the first
/// one to take it gets it (see [`into_panic`](TaskError::into_panic)).
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop, Scope, TaskError};
///
/// let fake = FakeLoop::new();
/// let crash = spawn_local(async { panic!("boom") });
/// match fake.block_on(crash) {
///     Err(TaskError::Panicked { message, .. }) => assert_eq!(message, "boom"),
///     other => panic!("expected a panic, got {other:?}"),
/// }
/// let scope = Scope::new();
/// let nap = scope.spawn_local(sleep(std::time::Duration::from_secs(60)));
/// drop(scope); // its owner is gone
/// assert_eq!(fake.block_on(nap), Err(TaskError::Cancelled));
/// ```
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskError {
    /// The coroutine panicked (or its destructor did); the panic was contained on the GUI
    /// thread.
    #[error("coroutine panicked: {message}{}", at(location))]
    #[non_exhaustive]
    Panicked {
        /// The panic message.
        message: String,
        /// Where it panicked, when known.
        location: Option<String>,
        /// The payload, to re-raise it ([`TaskError::into_panic`]).
        payload: PanicPayload,
    },
    /// The coroutine was cancelled (aborted, its owner dropped, or the runtime shut down), or
    /// it ended without an output.
    #[error("coroutine was cancelled")]
    Cancelled,
    /// The coroutine was ended because it broke one of the library's rules (or its spawn was
    /// refused): see [`integration::refuse`](crate::integration::refuse).
    #[error("coroutine ended: {rule}")]
    #[non_exhaustive]
    Refused {
        /// The rule it broke, in words.
        rule: String,
    },
}

impl TaskError {
    pub(crate) fn refused(rule: String) -> Self {
        Self::Refused { rule }
    }

    /// A caught panic (`payload`: what `catch_unwind` gave).
    pub(crate) fn panicked(payload: Box<dyn std::any::Any + Send>, since: u64) -> Self {
        let panic: CaughtPanic = super::panic::caught(payload.as_ref(), since);
        Self::Panicked {
            message: panic.message,
            location: panic.location,
            payload: PanicPayload::new(payload),
        }
    }

    /// `true` for a coroutine that panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, Self::Panicked { .. })
    }

    /// `true` for a coroutine that was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled)
    }

    /// `true` for a coroutine that was ended because it broke one of the library's rules.
    pub fn is_refused(&self) -> bool {
        matches!(self, Self::Refused { .. })
    }

    /// The panic's payload, to re-raise it with [`std::panic::resume_unwind`] (as tokio's
    /// `JoinError::into_panic`).
    ///
    /// The first of a `TaskError`'s clones to take it gets the payload the coroutine panicked
    /// with; the others get its message (a `String`).
    ///
    /// # Panics
    ///
    /// If the error is not a panic ([`TaskError::is_panic`]); see
    /// [`try_into_panic`](TaskError::try_into_panic).
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop};
    ///
    /// #[derive(Debug, PartialEq)]
    /// struct Crash(u32);
    ///
    /// let fake = FakeLoop::new();
    /// let err = fake
    ///     .block_on(spawn_local(async { std::panic::panic_any(Crash(7)) }))
    ///     .unwrap_err();
    /// let payload = err.into_panic();
    /// assert_eq!(payload.downcast_ref::<Crash>(), Some(&Crash(7)));
    /// // std::panic::resume_unwind(payload) would go on with the same panic.
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.try_into_panic()
            .unwrap_or_else(|err| panic!("`into_panic` on a TaskError that is no panic: {err}"))
    }

    /// The panic's payload, if the error is a panic (else the error): see
    /// [`into_panic`](TaskError::into_panic).
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::TaskError;
    ///
    /// # fn handle(err: TaskError) {
    /// match err.try_into_panic() {
    ///     Ok(payload) => std::panic::resume_unwind(payload),
    ///     Err(err) => eprintln!("{err}"),
    /// }
    /// # }
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn std::any::Any + Send + 'static>, TaskError> {
        match self {
            Self::Panicked {
                message, payload, ..
            } => Ok(payload.take().unwrap_or_else(|| Box::new(message))),
            other => Err(other),
        }
    }
}

/// The payload of a coroutine's panic, kept in a [`TaskError::Panicked`] to be re-raised
/// ([`TaskError::into_panic`]). Clones share it; it compares equal to any other (a
/// `TaskError` compares by its text).
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop, TaskError};
///
/// let fake = FakeLoop::new();
/// let err = fake.block_on(spawn_local(async { panic!("kept") })).unwrap_err();
/// if let TaskError::Panicked { payload, .. } = &err {
///     println!("{payload:?}"); // `PanicPayload { .. }`: take it with `into_panic`
/// }
/// assert_eq!(err.into_panic().downcast_ref::<&str>(), Some(&"kept"));
/// ```
#[derive(Clone)]
pub struct PanicPayload(Arc<Mutex<Option<Box<dyn std::any::Any + Send + 'static>>>>);

impl PanicPayload {
    pub(crate) fn new(payload: Box<dyn std::any::Any + Send + 'static>) -> Self {
        Self(Arc::new(Mutex::new(Some(payload))))
    }

    fn take(&self) -> Option<Box<dyn std::any::Any + Send + 'static>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl fmt::Debug for PanicPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PanicPayload { .. }")
    }
}

impl PartialEq for PanicPayload {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for PanicPayload {}
