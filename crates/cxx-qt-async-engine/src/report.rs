//! The report hook: where a coroutine's failure goes when nobody awaits its handle (a detached
//! coroutine's panic, error or refusal, a panic in a dropped coroutine's destructor).
//!
//! The hook is called outside its lock (one may call [`set_report_hook`] from inside the hook)
//! and under `catch_unwind` (a hook that panics is logged, and the app lives on: the report may
//! come from inside async-task, where a panic would abort).

use std::fmt;
use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe, Location};
use std::sync::{Arc, PoisonError, RwLock};

use super::error::TaskError;
use super::panic::panic_message;

/// A coroutine that ended badly, as handed to the [report hook](crate::set_report_hook).
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{set_report_hook, CoroutineReport};
///
/// set_report_hook(|report| match report {
///     CoroutineReport::Failed { spawned_at, error } => eprintln!("{spawned_at}: {error:#}"),
///     other => eprintln!("{other}"),
/// });
/// ```
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
    /// The coroutine was ended because it broke one of the library's rules (or its spawn was
    /// refused): see [`integration::refuse`](crate::integration::refuse).
    Refused {
        /// Where it was spawned.
        spawned_at: &'static Location<'static>,
        /// The rule it broke.
        rule: &'a str,
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
            Self::Refused { spawned_at, rule } => {
                write!(f, "coroutine spawned at {spawned_at} was ended: {rule}")
            }
        }
    }
}

type ReportHook = Arc<dyn Fn(&CoroutineReport<'_>) + Send + Sync>;

static REPORT_HOOK: RwLock<Option<ReportHook>> = RwLock::new(None);

/// Sets what happens when a coroutine whose handle nobody awaits (a detached one, see
/// [`Task`](crate::Task)) ends with an error, a panic or a refusal, or when a dropped
/// coroutine's destructor panics. The default writes the report to standard error.
///
/// The hook may call `set_report_hook` itself (it runs outside the hook's lock); a hook that
/// panics is caught, its panic logged (a `tracing` error), and the app goes on.
///
/// # Examples
///
/// ```
/// cxx_qt_async_engine::set_report_hook(|report| eprintln!("[my-app] {report}"));
/// ```
pub fn set_report_hook(hook: impl Fn(&CoroutineReport<'_>) + Send + Sync + 'static) {
    let old = REPORT_HOOK
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .replace(Arc::new(hook));
    drop(old); // outside the lock: its captures' destructors may call in here
}

/// Hands `report` to the hook; never panics (it may run inside async-task, where a panic
/// aborts the process).
pub(crate) fn report(report: &CoroutineReport<'_>) {
    // Cloned out of the lock: a hook may replace itself.
    let hook = REPORT_HOOK
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let called = panic::catch_unwind(AssertUnwindSafe(|| match hook {
        Some(hook) => hook(report),
        None => {
            let _ = writeln!(std::io::stderr(), "cxx-qt-async: {report}");
        }
    }));
    if let Err(payload) = called {
        let message = panic_message(payload.as_ref());
        // A payload whose own destructor panics is leaked rather than dropped.
        if panic::catch_unwind(AssertUnwindSafe(|| drop(payload))).is_err() {
            tracing::error!(target: "cxx_qt_async_engine", "a panic payload panicked when dropped");
        }
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            tracing::error!(
                target: "cxx_qt_async_engine",
                "the report hook panicked ({message}) on this report: {report}"
            );
        }));
    }
}

/// A coroutine's output that nobody took (its handle was detached, or dropped after it ended):
/// a panic, or the `Err` of an `anyhow::Result<()>`, goes to the report hook; anything else is
/// dropped.
pub(crate) fn report_unobserved<T: 'static>(
    value: Result<T, Box<TaskError>>,
    spawned_at: &'static Location<'static>,
) {
    match value {
        Err(e) => match *e {
            TaskError::Panicked {
                message, location, ..
            } => report(&CoroutineReport::Panicked {
                spawned_at,
                message: &message,
                location: location.as_deref(),
            }),
            TaskError::Refused { rule } => report(&CoroutineReport::Refused {
                spawned_at,
                rule: &rule,
            }),
            _ => {}
        },
        Ok(value) => {
            let value: &dyn std::any::Any = &value;
            if let Some(Err(error)) = value.downcast_ref::<anyhow::Result<()>>() {
                report(&CoroutineReport::Failed { spawned_at, error });
            }
        }
    }
}
