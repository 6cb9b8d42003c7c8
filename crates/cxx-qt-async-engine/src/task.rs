//! Coroutines: [`spawn_local`] and the [`Task`] handle.
//!
//! A coroutine is an `async-task` task whose future is wrapped ([`Coroutine`]) so that a panic
//! inside it ends it (and only it), its row in the task list is kept, and, for a coroutine that
//! belongs to a [`Scope`](crate::Scope), it never runs again once its owner is gone. Its
//! schedule function queues it in the runtime's [`ReadyQueue`] (from any thread); only the
//! drain, on the GUI thread, runs it. Its output goes to whoever awaits its [`Task`]; one that
//! nobody takes (a detached coroutine's) is reported if it is a failure.
//!
//! [`Coroutine`]: super::coroutine::Coroutine

use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_task::{FallibleTask as RawTask, Runnable};

use super::context::{self, with_local, Local};
use super::coroutine::{drop_caught, Coroutine, Outcome, Owner};
use super::error::TaskError;
use super::ready::ReadyQueue;
use super::report::report_unobserved;
use super::rules::GUI_THREAD_RULE;
use super::tasks::{self, Label, TaskId};
use super::{coop, refusal, stop};

/// Spawns a coroutine on this thread's executor. It first runs at the next drain (never inline),
/// and then every time it is woken.
///
/// The future need not be `Send`: it never leaves the GUI thread. A panic inside it ends it (and
/// only it); the handle then resolves to [`TaskError::Panicked`]. Keep the [`Task`] to await or
/// cancel it; **dropping the handle cancels the coroutine**, [`Task::detach`] lets it run on.
/// A coroutine owned by an object (a [`Scope`](crate::Scope), a QObject) is spawned with the
/// owner's `spawn_local` instead, and also ends with its owner.
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
    spawn_with(future, Label::Site(Location::caller()), None, (), |_, _| {})
}

/// Spawns `future` labelled `label` (its spawn site included), owned by `owner` (the task list
/// shows `owner_name`);
/// `spawned(seq, runnable)` is called before the coroutine is first scheduled, with its
/// task-list sequence number and its runnable (an owner takes a waker from it, to wake the
/// coroutine when it goes).
pub(crate) fn spawn_with<F, O>(
    future: F,
    label: Label,
    owner_name: Option<std::rc::Rc<str>>,
    owner: O,
    spawned: impl FnOnce(u64, &Runnable),
) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
    O: Owner,
{
    if context::is_shutting_down() {
        return refused_spawn(future, label.site());
    }
    with_local("spawn_local()", |local| {
        let (task, seq) = spawn_raw(local, future, label, owner_name, owner, spawned);
        Task {
            task: Some(task),
            seq,
            _not_send: PhantomData,
        }
    })
}

/// A spawn while the runtime shuts down: refused, its future dropped at once (on this thread).
#[cold]
fn refused_spawn<F: Future, T>(future: F, site: &'static Location<'static>) -> Task<T> {
    let rule = format!(
        "a coroutine may not be spawned while its runtime shuts down (spawned at {site}). \
         {GUI_THREAD_RULE}"
    );
    let task = refusal::refused_task_at(&rule, site);
    let mut future = Box::pin(Some(future));
    if let Err(panic) = drop_caught(future.as_mut()) {
        report_unobserved::<()>(Err(Box::new(panic)), site);
    }
    task
}

fn spawn_raw<F, O>(
    local: &Local,
    future: F,
    label: Label,
    owner_name: Option<std::rc::Rc<str>>,
    owner: O,
    spawned: impl FnOnce(u64, &Runnable),
) -> (RawTask<Outcome<F::Output>>, u64)
where
    F: Future + 'static,
    F::Output: 'static,
    O: Owner,
{
    let ready: Arc<ReadyQueue> = Arc::clone(&local.ready);
    let (registered, seq) = tasks::register(label, owner_name);
    let wrapped = Coroutine {
        future: Some(future),
        registered,
        owner,
    };
    let schedule = move |r| ready.schedule(r);
    // SAFETY: `spawn_unchecked` asks, for a future that may be `!Send` (ours), that its
    // `Runnable` be run and dropped only on the thread that spawned it; everything else it asks
    // holds by type (the future and `schedule` are `'static`, and `schedule` is `Send + Sync`).
    // This thread is the runtime's owner (`with_local` found the runtime in this thread's
    // context), and every place a `Runnable` of this executor goes keeps it there:
    // * it is run only by `drain::run`, which runs only inside `with_local` on the owner thread
    //   (a drain elsewhere finds no runtime and panics before touching a queue; `Drainer` is
    //   `!Send`);
    // * `ReadyQueue::schedule` queues it: on the owner thread in a thread-local queue; from any
    //   other thread in the remote queue, which only the owner thread pops (`drain::run` and
    //   `ReadyQueue::drop_queued`, reached through `Runtime`, which is `!Send`); after
    //   shutdown, it is dropped at once on the owner thread;
    // * `ReadyQueue`'s own drop (wherever the last `Arc` goes) forgets what its queue holds.
    // No safe caller can break these: `Runnable`s never leave this module and `ready`; the
    // `Waker` given to `spawned` only schedules (it never runs or drops the future).
    #[allow(unsafe_code)]
    let (runnable, task) = unsafe { async_task::spawn_unchecked(wrapped, schedule) };
    spawned(seq, &runnable);
    runnable.schedule();
    // Fallible: a task closed without an output (dropped unpolled at shutdown) resolves to
    // `None`, never to async-task's "Task polled after completion" panic.
    (task.fallible(), seq)
}

/// A spawned coroutine. Awaiting it gives its output, or why it has none.
///
/// **Dropping the handle cancels the coroutine**: it is dropped at its current suspension point
/// (at the next drain, on the GUI thread) and never polled again; jobs it was awaiting are
/// dropped with it. [`Task::detach`] lets it run on its own; [`Task::cancel`] cancels it and
/// waits until everything it started has stopped. A coroutine spawned by an owner (a
/// [`Scope`](crate::Scope), a QObject) also ends when its owner goes; awaiting its handle then
/// gives [`TaskError::Cancelled`].
///
/// The same vocabulary holds for every handle of this crate ([`Job`](crate::Job),
/// [`CancellableJob`](crate::CancellableJob), [`JobStream`](crate::JobStream), and the
/// `TokioJob` of the `tokio` feature): dropping it cancels without waiting, `cancel().await`
/// cancels and waits, `detach()` lets it run.
///
/// A detached coroutine's output is dropped when it ends, unless it is a failure: a panic, or
/// the `Err` of an `anyhow::Result<()>` (what coroutines that report nothing usually return),
/// is handed to the [report hook](crate::set_report_hook), since nobody else will see it.
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
///
/// A `Task` is `!Send` (and `!Sync`), whatever its output: it stays on the GUI thread, where
/// its coroutine runs. [`Task::cancel`] waits through GUI-thread state (what the coroutine's
/// drop left running is handed over in a thread-local), and a refused spawn's rule is kept
/// there; a handle moved to another thread could not keep either promise.
///
/// ```compile_fail,E0277
/// // A handle stays on the GUI thread, even with a Send output.
/// fn assert_send<T: Send>(_: T) {}
/// let fake = cxx_qt_async_engine::testing::FakeLoop::new();
/// assert_send(cxx_qt_async_engine::spawn_local(async { 1 }));
/// ```
///
/// ```compile_fail,E0277
/// // So `cancel()` cannot be made, or awaited, on another thread.
/// let fake = cxx_qt_async_engine::testing::FakeLoop::new();
/// let task = cxx_qt_async_engine::spawn_local(std::future::pending::<()>());
/// std::thread::spawn(move || futures::executor::block_on(task.cancel()));
/// ```
#[must_use = "dropping a Task cancels it; call .detach() to let it run"]
pub struct Task<T> {
    /// `None` for a refused spawn (its rule is kept by `refusal` under `seq`), and once
    /// `detach` or `cancel` took it.
    task: Option<RawTask<Outcome<T>>>,
    /// Its sequence number in the task list (its [`TaskId`]; what `cancel()` collects its
    /// stops under).
    seq: u64,
    _not_send: PhantomData<*const ()>,
}

// A handle is two words, whatever the output: a task pointer and its id.
const _: () = assert!(std::mem::size_of::<Task<()>>() <= 16);
const _: () = assert!(std::mem::size_of::<Task<[u8; 1024]>>() <= 16);

impl<T> Task<T> {
    /// The handle of a refused spawn (see [`refusal::refused_task`]).
    pub(crate) fn refused(seq: u64) -> Self {
        Self {
            task: None,
            seq,
            _not_send: PhantomData,
        }
    }

    /// Lets the coroutine run to completion without a handle; its output is dropped (a failure
    /// is reported: see [`Task`]).
    pub fn detach(self) {
        // Its only resource is handed on here: the handle's own drop has nothing left to do.
        let mut this = std::mem::ManuallyDrop::new(self);
        match this.task.take() {
            Some(task) => task.detach(),
            None => refusal::forget(this.seq, true),
        }
    }

    /// Cancels the coroutine now, without waiting (same as dropping the handle).
    #[deprecated(
        since = "0.2.0",
        note = "drop the Task, or `.cancel().await` to wait until it has stopped"
    )]
    pub fn abort(self) {
        drop(self);
    }

    /// The coroutine's id, as the [task list](crate::tasks) shows it.
    pub fn id(&self) -> TaskId {
        TaskId::from_seq(self.seq)
    }

    /// Cancels the coroutine and resolves once it is gone **and its jobs have stopped**: its
    /// future has been dropped (on the GUI thread, at the next drain), so everything it held is
    /// released; the jobs it was awaiting have their cancel tokens set, queued ones will never
    /// run, and this waits until the running ones have returned (a blocking job cannot be
    /// interrupted: one that never checks its token is waited for to its end) and its tokio
    /// tasks have been aborted. So after `cancel().await`, nothing the coroutine started still
    /// runs: its files are closed, its workers free. Resolves to the output if the coroutine
    /// had finished before it could be cancelled (its error too: a refusal, a panic), to
    /// `Some(Err(TaskError::Panicked { .. }))` if its destructors panicked as it was dropped,
    /// else `None`. It always resolves.
    ///
    /// Coroutines it spawned are separate tasks: they are cancelled with their handles, but
    /// awaited only by their own `cancel()`. Dropping the handle cancels without waiting.
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
        let refused = match task {
            Some(_) => None,
            None => refusal::refused_error(self.seq),
        };
        async move {
            let Some(task) = task else {
                return refused.map(Err);
            };
            let out = task.cancel().await;
            // Its future is gone; wait for the blocking jobs and tokio tasks it left running.
            let (stops, panic) = wanted.map(|w| w.take()).unwrap_or_default();
            futures::future::join_all(stops).await;
            match (out, panic) {
                (Some(out), _) => Some(out.take()),
                // Its destructor panicked while it was dropped.
                (None, Some(panic)) => Some(Err(panic)),
                (None, None) => None,
            }
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
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        std::task::ready!(coop::proceed(cx));
        match self.task.as_mut() {
            Some(task) => {
                let polled = Pin::new(task).poll(cx);
                if polled.is_pending() {
                    tasks::note_wait(tasks::Wait::Task);
                }
                polled.map(|out| {
                    coop::consume();
                    // `None`: it ended without an output (dropped unpolled by shutdown).
                    out.map_or(Err(TaskError::Cancelled), Outcome::take)
                })
            }
            None => Poll::Ready(Err(
                refusal::refused_error(self.seq).unwrap_or(TaskError::Cancelled)
            )),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        // Dropping the raw task cancels the coroutine; a refused one's rule is forgotten.
        if self.task.is_none() {
            refusal::forget(self.seq, false);
        }
    }
}
