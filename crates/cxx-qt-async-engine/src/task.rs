//! Coroutines: [`spawn_local`] and the [`Task`] handle.
//!
//! A coroutine is an `async-task` task whose future is wrapped so that a panic inside it ends it
//! (and only it) and its row in the task list is kept. Its schedule function queues it in the
//! runtime's [`ReadyQueue`] (from any thread); only the drain, on the GUI thread, runs it.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_task::Task as RawTask;

use super::context::{with_local, Local};
use super::error::TaskError;
use super::panic as caught;
use super::ready::ReadyQueue;
use super::tasks::{self, Label, Registered};
use super::{coop, stop};

/// Spawns a coroutine on this thread's executor. It first runs at the next drain (never inline),
/// and then every time it is woken.
///
/// The future need not be `Send`: it never leaves the GUI thread. A panic inside it ends it (and
/// only it); the handle then resolves to [`TaskError::Panicked`].
///
/// # Panics
///
/// Off the GUI thread (a thread without a runtime), with a message that names the rule.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let handle = spawn_local(async {
///     let answer = spawn_blocking(|| 6 * 7).await?;
///     anyhow::Ok(answer)
/// });
/// assert_eq!(fake.block_on(handle).unwrap().unwrap(), 42);
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let label = Label::Site(std::panic::Location::caller());
    with_local("spawn_local()", |local| {
        let (task, seq) = spawn_raw(local, future, label, None);
        Task {
            task: Some(task),
            seq,
        }
    })
}

/// [`spawn_local`] for a [`Scope`](crate::Scope): the task list shows `label` and `owner`.
pub(crate) fn spawn_owned<F>(
    future: F,
    label: Label,
    owner: Option<std::rc::Rc<str>>,
) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    with_local("spawn_local()", |local| {
        let (task, seq) = spawn_raw(local, future, label, owner);
        Task {
            task: Some(task),
            seq,
        }
    })
}

/// A coroutine's output, or its (rare, so boxed: it keeps every task allocation small) error.
type Caught<T> = Result<T, Box<TaskError>>;

fn spawn_raw<F>(
    local: &Local,
    future: F,
    label: Label,
    owner: Option<std::rc::Rc<str>>,
) -> (RawTask<Caught<F::Output>>, u64)
where
    F: Future + 'static,
    F::Output: 'static,
{
    let ready: Arc<ReadyQueue> = Arc::clone(&local.ready);
    let (registered, seq) = tasks::register(label, owner);
    let wrapped = CatchPanics {
        future: Some(future),
        registered,
    };
    let schedule = move |r| ready.schedule(r);
    // SAFETY: `spawn_unchecked` asks, for a future that may be `!Send` (ours), that its
    // `Runnable` be run and dropped only on the thread that spawned it; everything else it asks
    // holds by type (the future and `schedule` are `'static`, and `schedule` is `Send + Sync`).
    // This thread is the runtime's owner (`with_local` found the runtime in this thread's
    // `RUNTIME`), and every place a `Runnable` of this executor goes keeps it there:
    // * it is run only by `drain::run`, which runs only inside `with_local` on the owner thread
    //   (a drain elsewhere finds no runtime and panics before touching a queue; `Drainer` is
    //   `!Send`);
    // * `ReadyQueue::schedule` queues it, or, once the runtime is closed, drops it on the owner
    //   thread and forgets (leaks) it on any other;
    // * `ReadyQueue::drop_queued` drops queued ones in `Runtime::drop`, and `Runtime` is
    //   `!Send`;
    // * `ReadyQueue`'s own drop (wherever the last `Arc` goes) forgets what its queue holds.
    // No safe caller can break these: `Runnable`s never leave this module and `ready`.
    // `async_task::spawn_local` would add a thread check around the future; we do without it
    // because Miri's aliasing model rejects that wrapper for coroutines that keep references
    // into themselves (smol-rs/async-task#102), and the invariants above make it redundant.
    #[allow(unsafe_code)]
    let (runnable, task) = unsafe { async_task::spawn_unchecked(wrapped, schedule) };
    runnable.schedule();
    (task, seq)
}

pin_project_lite::pin_project! {
    /// A coroutine's future as the task stores it: panics become `TaskError::Panicked`.
    ///
    /// A plain struct, not an `async` block (which would hold `future` twice: as its capture and
    /// inside what it awaits) and not a combinator (which adds a state tag): every task is
    /// exactly the size of its future plus the task header and its task-list entry.
    struct CatchPanics<F> {
        // `None` only once dropped early, for a `cancel()` (see `PinnedDrop`).
        #[pin]
        future: Option<F>,
        registered: Registered,
    }

    impl<F> PinnedDrop for CatchPanics<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            // A `Task::cancel()` waits for this task: drop the future with a collection open,
            // so the jobs it leaves running are handed to that `cancel()`.
            if this.future.is_some() && stop::is_wanted(|| this.registered.seq()) {
                let mut future = this.future;
                let stops = stop::collect(|| future.set(None));
                stop::deliver(this.registered.seq(), stops);
            }
        }
    }
}

impl<F: Future> Future for CatchPanics<F> {
    type Output = Caught<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(future) = this.future.as_pin_mut() else {
            return Poll::Pending; // dropped early: never polled again
        };
        let _polling = this.registered.polling();
        match panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll.map(Ok),
            Err(payload) => {
                let p = caught::caught(payload);
                Poll::Ready(Err(Box::new(TaskError::Panicked {
                    message: p.message,
                    location: p.location,
                })))
            }
        }
    }
}

/// A spawned coroutine. Awaiting it gives its output, or why it has none.
///
/// **Dropping the handle cancels the coroutine**: it is dropped at its current suspension point
/// and never polled again (jobs it was awaiting are dropped with it). Call [`Task::detach`]
/// to let it run on its own.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// spawn_local(async { /* fire and forget */ }).detach();
/// let value = fake.block_on(spawn_local(async { 1 + 1 })).unwrap();
/// assert_eq!(value, 2);
/// ```
#[must_use = "dropping a Task cancels it; call .detach() to let it run"]
pub struct Task<T> {
    task: Option<RawTask<Caught<T>>>,
    /// Its sequence number in the task list (what `cancel()` collects its stops under).
    seq: u64,
}

impl<T> Task<T> {
    /// Lets the coroutine run to completion without a handle; its output is dropped.
    pub fn detach(mut self) {
        if let Some(task) = self.task.take() {
            task.detach();
        }
    }

    /// Cancels the coroutine now (same as dropping the handle).
    pub fn abort(self) {
        drop(self);
    }

    /// Cancels the coroutine and resolves once it is gone **and its jobs have stopped**: its
    /// future has been dropped (on the GUI thread, at the next drain), so everything it held is
    /// released; the jobs it was awaiting have their cancel tokens set, queued ones will never
    /// run, and this waits until the running ones have returned (a blocking job cannot be
    /// interrupted: one that never checks its token is waited for to its end) and its tokio
    /// tasks have been aborted. So after `cancel().await`, nothing the coroutine started still
    /// runs: its files are closed, its workers free. Resolves to the output if the coroutine
    /// had finished before it could be cancelled, else `None`.
    ///
    /// Coroutines it spawned are separate tasks: they are cancelled with their handles, but
    /// awaited only by their own `cancel()`. Dropping the handle or [`abort`](Task::abort)
    /// cancels without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_local, testing::FakeLoop};
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// let fake = FakeLoop::new();
    /// let released = Rc::new(Cell::new(false));
    /// struct Guard(Rc<Cell<bool>>);
    /// impl Drop for Guard {
    ///     fn drop(&mut self) {
    ///         self.0.set(true);
    ///     }
    /// }
    /// let guard = Guard(released.clone());
    /// let waiting = spawn_local(async move {
    ///     let _guard = guard;
    ///     std::future::pending::<()>().await
    /// });
    /// fake.turn(); // it runs up to its await
    /// let check = released.clone();
    /// let out = fake
    ///     .block_on(spawn_local(async move {
    ///         let out = waiting.cancel().await;
    ///         (out.is_none(), check.get()) // gone, and its guard already dropped
    ///     }))
    ///     .unwrap();
    /// assert_eq!(out, (true, true));
    /// ```
    pub fn cancel(mut self) -> impl Future<Output = Option<Result<T, TaskError>>> {
        let task = self.task.take();
        let wanted = task.as_ref().map(|_| stop::want(self.seq));
        async move {
            let task = task?;
            let out = task.cancel().await;
            // Its future is gone; wait for the blocking jobs and tokio tasks it left running.
            if let Some(wanted) = wanted {
                futures::future::join_all(wanted.take()).await;
            }
            out.map(|out| out.map_err(|e| *e))
        }
    }

    /// `true` once the coroutine has finished (its output is ready to take).
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(RawTask::is_finished)
    }
}

impl<T> std::fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        std::task::ready!(coop::poll_proceed(cx));
        match self.task.as_mut() {
            Some(task) => {
                let polled = Pin::new(task).poll(cx);
                if polled.is_pending() {
                    tasks::note_wait(tasks::Wait::Task);
                }
                polled.map(|out| {
                    coop::consumed();
                    out.map_err(|e| *e)
                })
            }
            None => Poll::Ready(Err(TaskError::Cancelled)),
        }
    }
}
