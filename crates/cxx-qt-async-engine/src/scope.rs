//! Owned coroutines: a [`Scope`] ends the coroutines it spawned when it is dropped.
//!
//! This is how an object owns its coroutines (structured concurrency): when its scope goes,
//! every coroutine it started is woken once more, and instead of being polled it is dropped at
//! its current suspension point (on the GUI thread, at the next drain), never to run again;
//! whoever awaits its [`Task`] gets [`TaskError::Cancelled`](crate::TaskError::Cancelled).
//!
//! While one of its coroutines is polled, the scope is the thread's
//! [current scope](crate::integration::current_scope): the Qt layer lends an object only to its
//! own coroutines that way.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::task::Waker;

use super::coroutine::Owner;
use super::task::{spawn_with, Task};
use super::tasks::Label;

/// Identifies a [`Scope`] among all scopes of its thread, for as long as the thread lives.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{integration::current_scope, testing::FakeLoop, Scope};
///
/// let fake = FakeLoop::new();
/// let scope = Scope::new();
/// let id = scope.id();
/// let seen = fake.block_on(scope.spawn_local(async { current_scope() })).unwrap();
/// assert_eq!(seen, Some(id));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeId(u64);

/// The old name of a coroutine's id: coroutines are now named by their [`TaskId`] everywhere
/// ([`Task::id`]).
///
/// [`TaskId`]: crate::TaskId
#[deprecated(since = "0.2.0", note = "use TaskId (Task::id())")]
pub type CoroutineId = super::tasks::TaskId;

struct ScopeState {
    id: ScopeId,
    /// The scope was dropped: its coroutines are dropped instead of polled.
    gone: Cell<bool>,
    /// Bumped by `cancel_all`: coroutines spawned in an earlier generation are dropped.
    generation: Cell<u64>,
    owner: RefCell<Option<Rc<str>>>,
    /// The live coroutines' wakers, by task-list sequence number (to wake them when they must
    /// end).
    wakers: RefCell<HashMap<u64, Waker>>,
}

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    /// The scope whose coroutine is being polled (0: none).
    static CURRENT: Cell<u64> = const { Cell::new(0) };
}

/// The scope whose coroutine is being polled on this thread, if any: `None` outside the poll of
/// an owned coroutine (in plain code, an event handler, a free coroutine).
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{integration::current_scope, spawn_local, testing::FakeLoop, Scope};
///
/// let fake = FakeLoop::new();
/// let scope = Scope::new();
/// let owned = fake.block_on(scope.spawn_local(async { current_scope() }));
/// assert_eq!(owned.unwrap(), Some(scope.id()));
/// let unowned = fake.block_on(spawn_local(async { current_scope() }));
/// assert_eq!(unowned.unwrap(), None);
/// assert_eq!(current_scope(), None); // not in a poll
/// ```
pub fn current_scope() -> Option<ScopeId> {
    let id = CURRENT.try_with(Cell::get).unwrap_or(0);
    (id != 0).then_some(ScopeId(id))
}

/// A scope's tie to one of its coroutines.
struct Link {
    state: Rc<ScopeState>,
    generation: u64,
}

/// Keeps a scope current while its coroutine is polled.
struct Current(u64);

impl Drop for Current {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.0));
    }
}

impl Owner for Link {
    type Running = Current;

    fn enter(&self) -> Option<Current> {
        let alive = !self.state.gone.get() && self.state.generation.get() == self.generation;
        alive.then(|| Current(CURRENT.with(|c| c.replace(self.state.id.0))))
    }

    fn left(&self, seq: u64) {
        // `try_`: a scope being dropped holds its map while it wakes the coroutines.
        if let Ok(mut wakers) = self.state.wakers.try_borrow_mut() {
            wakers.remove(&seq);
        }
    }
}

/// A set of coroutines owned by one owner (typically a QObject), ended when it is dropped.
///
/// Its [`spawn_local`](Scope::spawn_local) returns the same [`Task`] as the free
/// [`spawn_local`](crate::spawn_local): keep it to await or cancel the coroutine, or
/// [`detach`](Task::detach) it to leave it to the scope. A detached coroutine's failure (a
/// panic, or the `Err` of an `anyhow::Result<()>`) is handed to the
/// [report hook](crate::set_report_hook) with its spawn site.
///
/// # Examples
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use cxx_qt_async_engine::{spawn_blocking, testing::FakeLoop, Scope};
///
/// let fake = FakeLoop::new();
/// let scope = Scope::new();
/// let done = Rc::new(Cell::new(false));
/// let flag = done.clone();
/// scope
///     .spawn_local(async move {
///         spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(5))).await?;
///         flag.set(true);
///         anyhow::Ok(())
///     })
///     .detach();
/// fake.run_until(|| done.get()).unwrap();
/// fake.run_until(|| scope.is_empty()).unwrap();
/// ```
///
/// Dropping the scope ends what it still runs:
///
/// ```
/// use cxx_qt_async_engine::{sleep, testing::FakeLoop, Scope, TaskError};
///
/// let fake = FakeLoop::new();
/// let scope = Scope::new();
/// let nap = scope.spawn_local(sleep(std::time::Duration::from_secs(3600)));
/// drop(scope);
/// assert_eq!(fake.block_on(nap), Err(TaskError::Cancelled));
/// ```
pub struct Scope {
    state: Rc<ScopeState>,
}

impl Default for Scope {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("id", &self.state.id)
            .field("owner", &self.state.owner.borrow())
            .field("running", &self.len())
            .finish()
    }
}

impl Scope {
    /// An empty scope. Creating one needs no runtime; spawning does.
    pub fn new() -> Self {
        let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
        Self {
            state: Rc::new(ScopeState {
                id: ScopeId(id),
                gone: Cell::new(false),
                generation: Cell::new(0),
                owner: RefCell::new(None),
                wakers: RefCell::new(HashMap::new()),
            }),
        }
    }

    /// An empty scope whose coroutines the [task list](crate::tasks) shows as owned by
    /// `owner` (e.g. "MainWindow", or a QObject's type and serial number).
    pub fn with_owner(owner: impl Into<String>) -> Self {
        let scope = Self::new();
        scope.set_owner(owner);
        scope
    }

    /// This scope's id (what [`current_scope`](crate::integration::current_scope) returns while
    /// one of its coroutines is polled).
    pub fn id(&self) -> ScopeId {
        self.state.id
    }

    /// Names the owner (for coroutines spawned from now on).
    pub fn set_owner(&self, owner: impl Into<String>) {
        *self.state.owner.borrow_mut() = Some(Rc::from(owner.into()));
    }

    /// Names the owner with `name()` unless it has a name already (then `name` is not called).
    pub fn name_owner_once(&self, name: impl FnOnce() -> String) {
        let mut owner = self.state.owner.borrow_mut();
        if owner.is_none() {
            *owner = Some(Rc::from(name()));
        }
    }

    /// The owner's name, if it was given.
    pub fn owner(&self) -> Option<String> {
        self.state.owner.borrow().as_deref().map(str::to_owned)
    }

    /// Spawns a coroutine owned by this scope; see [`crate::spawn_local`] for everything else.
    /// The task list labels it with the spawn site (`file:line`).
    ///
    /// # Panics
    ///
    /// Off the GUI thread (a thread without a runtime).
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let site = Location::caller();
        self.spawn_as(Label::Site(site), future)
    }

    /// Like [`Scope::spawn_local`], labelled `label` in the [task list](crate::tasks).
    ///
    /// # Panics
    ///
    /// Off the GUI thread (a thread without a runtime).
    #[track_caller]
    pub fn spawn_local_labeled<F>(
        &self,
        label: impl Into<Cow<'static, str>>,
        future: F,
    ) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let site = Location::caller();
        self.spawn_as(Label::Text(label.into(), site), future)
    }

    fn spawn_as<F>(&self, label: Label, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        if self.state.gone.get() {
            // From a destructor its drop runs: refused (a panic there may abort).
            return super::refusal::refused_task_at(
                "Scope::spawn_local on a scope that is being dropped (its coroutines end with it)",
                label.site(),
            );
        }
        let link = Link {
            state: Rc::clone(&self.state),
            generation: self.state.generation.get(),
        };
        let owner = self.state.owner.borrow().clone();
        let wakers = &self.state.wakers;
        spawn_with(future, label, owner, link, |seq, runnable| {
            wakers.borrow_mut().insert(seq, runnable.waker());
        })
    }

    /// How many of its coroutines are still running (not yet ended, or ended but not yet
    /// dropped: that happens at the next drain).
    pub fn len(&self) -> usize {
        self.state.wakers.borrow().len()
    }

    /// `true` when none of its coroutines is running.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends every coroutine the scope runs now (they are dropped at the next drain); the scope
    /// stays usable for new ones.
    pub fn cancel_all(&self) {
        self.state
            .generation
            .set(self.state.generation.get().wrapping_add(1));
        self.wake_all();
    }

    fn wake_all(&self) {
        let wakers = std::mem::take(&mut *self.state.wakers.borrow_mut());
        for waker in wakers.into_values() {
            waker.wake();
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        self.state.gone.set(true);
        self.wake_all();
    }
}
