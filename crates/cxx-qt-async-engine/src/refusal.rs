//! Refusals: a misuse that the library refuses instead of panicking (a panic inside an FFI
//! shim, a destructor or an unwind would abort the process). [`refuse`] logs the rule and, when
//! a coroutine is being polled on this thread, ends that coroutine once its poll returns: its
//! handle resolves to [`TaskError::Refused`](crate::TaskError::Refused). [`refused_task`] is a
//! spawn that was refused: a [`Task`] resolved at once.
//!
//! The poll path pays one thread-local flag read after each poll (`take`); a refused task
//! without a runtime keeps its rule in a thread-local list until its handle goes.

use std::cell::{Cell, RefCell};
use std::panic::Location;

use super::error::TaskError;
use super::report::{report, CoroutineReport};
use super::task::Task;
use super::tasks;

thread_local! {
    /// A refusal is pending for the coroutine being polled (checked after each poll).
    static PENDING: Cell<bool> = const { Cell::new(false) };
    /// Its rule (the first refusal of a poll wins).
    static RULE: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The rules of refused spawns whose handles still exist, by task sequence number.
    static REFUSED: RefCell<Vec<(u64, &'static Location<'static>, String)>> =
        const { RefCell::new(Vec::new()) };
}

/// Refuses a misuse of the library without panicking: for library code (an event loop's or
/// object system's integration, as the Qt layer) that finds one of its rules broken where a
/// panic would abort the process (inside an FFI shim, a destructor, an unwind) or take down
/// more than the offender.
///
/// The refusal is logged (a `tracing` error, target `cxx_qt_async_engine`, naming `rule`).
/// When a coroutine is being polled on this thread, that coroutine is ended once its current
/// poll returns, whatever the poll gave: its future is dropped there (on the GUI thread) and
/// never polled again, its [`Task`] resolves to [`TaskError::Refused`] with `rule`, and a
/// detached one's refusal goes to the [report hook](crate::set_report_hook). Returns `true`
/// then; `false` when no coroutine is being polled (the refusal is only logged: the caller
/// goes on without doing what was refused).
///
/// The caller still returns normally from the refused call (with whatever "nothing done"
/// means there): the coroutine runs on until its poll returns, and then ends.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{integration::refuse, spawn_local, testing::FakeLoop, TaskError};
///
/// let fake = FakeLoop::new();
/// assert!(!refuse("my-lib rule: not in a coroutine")); // only logged
/// let task = spawn_local(async {
///     assert!(refuse("my-lib rule: widgets are not borrowed twice"));
///     "this value is dropped: the coroutine broke a rule"
/// });
/// match fake.block_on(task) {
///     Err(TaskError::Refused { rule, .. }) => {
///         assert_eq!(rule, "my-lib rule: widgets are not borrowed twice")
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn refuse(rule: &str) -> bool {
    let polled = tasks::polled_now();
    match polled {
        Some(id) => tracing::error!(
            target: "cxx_qt_async_engine",
            coroutine = id.get(),
            "refused: {rule} (coroutine {id} ends)"
        ),
        None => tracing::error!(target: "cxx_qt_async_engine", "refused: {rule}"),
    }
    if polled.is_none() {
        return false;
    }
    let _ = RULE.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.get_or_insert_with(|| rule.to_owned());
        }
    });
    PENDING.try_with(|p| p.set(true)).is_ok()
}

/// After a poll: whether it called [`refuse`] (one flag read).
#[inline]
pub(crate) fn pending() -> bool {
    PENDING.try_with(Cell::get).unwrap_or(false)
}

/// The rule the poll broke, if it called [`refuse`].
pub(crate) fn take() -> Option<String> {
    if !pending() {
        return None;
    }
    PENDING.with(|p| p.set(false));
    Some(
        RULE.try_with(|r| r.try_borrow_mut().ok().and_then(|mut r| r.take()))
            .ok()
            .flatten()
            .unwrap_or_default(),
    )
}

/// A spawn that was refused (see [`refuse`]): logs the refusal and returns a [`Task`] that
/// resolves at once to [`TaskError::Refused`] with `rule`. Needs no runtime: for an
/// integration that refuses to spawn on a thread without one (or while one shuts down).
/// Detached or dropped, it hands its refusal to the [report hook](crate::set_report_hook) (if
/// detached) and is gone; [`Task::cancel`] resolves to `Some(Err(TaskError::Refused { .. }))`.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{integration::refused_task, TaskError};
///
/// // A thread without a runtime.
/// let task = refused_task::<u32>("my-lib rule: spawn only while the window exists");
/// assert!(task.is_finished());
/// let out = futures::executor::block_on(task);
/// assert!(matches!(out, Err(TaskError::Refused { .. })), "{out:?}");
/// ```
#[track_caller]
pub fn refused_task<T>(rule: &str) -> crate::Task<T> {
    refused_task_at(rule, Location::caller())
}

/// [`refused_task`], spawned at `site`.
pub(crate) fn refused_task_at<T>(rule: &str, site: &'static Location<'static>) -> Task<T> {
    tracing::error!(target: "cxx_qt_async_engine", "refused: {rule}");
    let seq = tasks::next_seq();
    // (At thread teardown the list may be gone: the handle then says `Cancelled`.)
    let _ = REFUSED.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.push((seq, site, rule.to_owned()));
        }
    });
    Task::refused(seq)
}

/// The refusal of refused task `seq` (it stays until [`forget`]): `None` if it is unknown.
pub(crate) fn refused_error(seq: u64) -> Option<TaskError> {
    REFUSED
        .try_with(|r| {
            let r = r.try_borrow().ok()?;
            let (_, _, rule) = r.iter().find(|(s, ..)| *s == seq)?;
            Some(TaskError::refused(rule.clone()))
        })
        .ok()
        .flatten()
}

/// Refused task `seq`'s handle is gone: its rule is forgotten, and reported if `detached`.
pub(crate) fn forget(seq: u64, detached: bool) {
    let entry = REFUSED
        .try_with(|r| {
            let mut r = r.try_borrow_mut().ok()?;
            let at = r.iter().position(|(s, ..)| *s == seq)?;
            Some(r.swap_remove(at))
        })
        .ok()
        .flatten();
    if let (true, Some((_, spawned_at, rule))) = (detached, entry) {
        report(&CoroutineReport::Refused {
            spawned_at,
            rule: &rule,
        });
    }
}
