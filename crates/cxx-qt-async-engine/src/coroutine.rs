//! A coroutine's future as its task stores it ([`Coroutine`]): a panic inside it ends it (and
//! only it), so does a refusal ([`refuse`](crate::integration::refuse)); a coroutine whose owner
//! is gone, or whose runtime shuts down, is dropped instead of polled. Its future is dropped
//! under `catch_unwind` wherever that happens (a panicking destructor inside async-task would
//! abort the process): the panic goes to whoever awaits the coroutine, else to the report hook.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::context;
use super::error::TaskError;
use super::panic as caught;
use super::report::report_unobserved;
use super::tasks::Registered;
use super::{refusal, stop};

/// What a coroutine's wrapper asks of its owner: whether it may still run (and, while it runs,
/// whatever the owner wants in place: the Qt layer's "current object"), and what to do when the
/// coroutine is gone. A free coroutine has none (`()`, zero-sized).
pub(crate) trait Owner: 'static {
    /// What stays in place while the coroutine is polled.
    type Running;
    /// Before each poll: `None` when the owner is gone (the coroutine is then dropped, not
    /// polled, and its handle resolves to [`TaskError::Cancelled`]).
    fn enter(&self) -> Option<Self::Running>;
    /// The coroutine's future was dropped (it finished or was cancelled).
    fn left(&self, seq: u64);
}

impl Owner for () {
    type Running = ();
    fn enter(&self) -> Option<()> {
        Some(())
    }
    fn left(&self, _: u64) {}
}

/// A coroutine's output as its task stores it: the value, or why there is none (rare, so boxed:
/// it keeps every task allocation small), and where it was spawned. Dropped without being taken
/// (nobody awaited a detached coroutine), a failure in it is reported.
pub(crate) struct Outcome<T> {
    value: Option<Result<T, Box<TaskError>>>,
    site: &'static Location<'static>,
    /// Reports it if nobody takes it (`T: 'static` is known where this is made, not in `Drop`).
    report: fn(Result<T, Box<TaskError>>, &'static Location<'static>),
}

impl<T> Outcome<T> {
    pub(crate) fn take(mut self) -> Result<T, TaskError> {
        self.value
            .take()
            .map_or(Err(TaskError::Cancelled), |v| v.map_err(|e| *e))
    }
}

impl<T> Drop for Outcome<T> {
    fn drop(&mut self) {
        if let Some(value) = self.value.take() {
            (self.report)(value, self.site);
        }
    }
}

pin_project_lite::pin_project! {
    /// A coroutine's future as the task stores it: panics become `TaskError::Panicked`, a
    /// refusal `TaskError::Refused`, and a coroutine whose owner is gone (or whose runtime
    /// shuts down) is dropped instead of polled.
    ///
    /// A plain struct, not an `async` block (which would hold `future` twice: as its capture and
    /// inside what it awaits) and not a combinator (which adds a state tag): every task is
    /// exactly the size of its future plus the task header and its task-list entry.
    pub(crate) struct Coroutine<F, O: Owner> {
        // `None` once dropped: it finished, panicked, was refused, its owner went, or its
        // runtime shuts down.
        #[pin]
        pub(crate) future: Option<F>,
        pub(crate) registered: Registered,
        pub(crate) owner: O,
    }

    impl<F, O: Owner> PinnedDrop for Coroutine<F, O> {
        fn drop(this: Pin<&mut Self>) {
            // Reached with the future still there only when async-task drops a closed task:
            // its handle was dropped (nobody awaits it) or `cancel()`ed. async-task aborts the
            // process if this panics: a destructor's panic is caught and goes to that
            // `cancel()`, else to the report hook.
            let this = this.project();
            let mut future = this.future;
            // (Checked through `as_pin_mut`, never `&Option<F>`: see `poll`.)
            if future.as_mut().as_pin_mut().is_some() {
                let dropped = if stop::is_wanted(|| this.registered.seq()) {
                    // A `Task::cancel()` waits for this task: drop the future with a
                    // collection open, so the jobs it leaves running are handed to it.
                    let mut dropped = Ok(());
                    let stops = stop::collect(|| dropped = drop_caught(future));
                    stop::deliver(this.registered.seq(), stops, dropped.err());
                    Ok(())
                } else {
                    drop_caught(future)
                };
                if let Err(panic) = dropped {
                    report_unobserved::<()>(Err(Box::new(panic)), this.registered.site());
                }
            }
            this.owner.left(this.registered.seq());
        }
    }
}

impl<F: Future, O: Owner> Future for Coroutine<F, O>
where
    F::Output: 'static,
{
    type Output = Outcome<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // Looked at through `Pin<&mut F>`, never through `&Option<F>`: a shared reference to the
        // whole future would be a read of all its bytes, which (under Stacked Borrows, as Miri
        // checks) invalidates the references an `async` block holds into itself across polls.
        if this.future.as_mut().as_pin_mut().is_none() {
            return Poll::Pending; // dropped early: never polled again
        }
        if context::is_shutting_down() {
            // The runtime's drop ends every coroutine: dropped here, never polled again.
            return Poll::Ready(ended(this.future, this.registered, TaskError::Cancelled));
        }
        let Some(_running) = this.owner.enter() else {
            // The owner is gone: drop the future here, on the GUI thread, without polling it.
            return Poll::Ready(ended(this.future, this.registered, TaskError::Cancelled));
        };
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            return Poll::Pending;
        };
        let mut polling = this.registered.polling();
        let mark = caught::mark();
        let polled = panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx)));
        if let Ok(Poll::Pending) = polled {
            polling.parked(cx.waker());
        }
        drop(polling);
        // One flag read: did this poll break one of the library's rules (`refuse`)?
        if refusal::pending() {
            return Poll::Ready(refused(polled.err(), mark, this.future, this.registered));
        }
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => {
                // Dropped here, where a panic in its destructor is caught (async-task, which
                // would drop it otherwise, aborts).
                let value = match drop_caught(this.future) {
                    Ok(()) => Ok(value),
                    Err(panic) => Err(Box::new(panic)),
                };
                Poll::Ready(Outcome::new(value, this.registered))
            }
            Err(payload) => {
                let panic = TaskError::panicked(payload, mark);
                Poll::Ready(ended(this.future, this.registered, panic))
            }
        }
    }
}

/// Ends a coroutine without a value: drops its future (if still there) and gives `error`, or
/// the panic of its destructor if `error` is not a panic already.
#[cold]
#[inline(never)]
fn ended<F, T: 'static>(
    future: Pin<&mut Option<F>>,
    registered: &Registered,
    error: TaskError,
) -> Outcome<T> {
    let error = match drop_caught(future) {
        Err(panic) if !error.is_panic() => panic,
        _ => error,
    };
    Outcome::new(Err(Box::new(error)), registered)
}

/// Ends a coroutine whose poll broke one of the library's rules ([`refusal::take`]): its value,
/// if it had one, is dropped with it.
#[cold]
#[inline(never)]
fn refused<F, T: 'static>(
    panicked: Option<Box<dyn std::any::Any + Send>>,
    mark: u64,
    future: Pin<&mut Option<F>>,
    registered: &Registered,
) -> Outcome<T> {
    let rule = refusal::take().unwrap_or_default();
    if let Some(payload) = panicked {
        // Already printed by the panic hook; the refusal came first.
        let p = caught::caught(payload.as_ref(), mark);
        tracing::error!(
            target: "cxx_qt_async_engine",
            "a refused coroutine also panicked: {}{}",
            p.message,
            p.location.map(|l| format!(" (at {l})")).unwrap_or_default()
        );
    }
    ended(future, registered, TaskError::refused(rule))
}

impl<T: 'static> Outcome<T> {
    fn new(value: Result<T, Box<TaskError>>, registered: &Registered) -> Self {
        Outcome {
            value: Some(value),
            site: registered.site(),
            report: report_unobserved,
        }
    }
}

/// Drops a coroutine's future (if it is still there), catching a panic of its destructors.
pub(crate) fn drop_caught<F>(mut future: Pin<&mut Option<F>>) -> Result<(), TaskError> {
    if future.as_mut().as_pin_mut().is_none() {
        return Ok(());
    }
    // Even when a destructor panics, `set` leaves `None` behind (the rest of the future is
    // dropped during the unwind): it is never dropped twice.
    let mark = caught::mark();
    panic::catch_unwind(AssertUnwindSafe(|| future.set(None)))
        .map_err(|payload| TaskError::panicked(payload, mark))
}
