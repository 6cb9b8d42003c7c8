//! Owned coroutines: a [`Scope`] holds the coroutines it spawned and cancels them when dropped.
//!
//! This is how a QObject owns its coroutines (structured concurrency): its backing struct holds a
//! `Scope`, so when the object is destroyed the scope is dropped with it, and every coroutine it
//! started is dropped at its current suspension point, never to be polled again.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location};
use std::rc::{Rc, Weak};

use futures::FutureExt;

use super::error::report;
use super::error::CoroutineReport;
use super::panic::caught;
use super::task::{spawn_owned, Task};
use super::tasks::Label;

/// Identifies a coroutine within its [`Scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoroutineId(u64);

#[derive(Default)]
struct ScopeState {
    alive: Cell<bool>,
    entered: Cell<bool>,
    next: Cell<u64>,
    owner: RefCell<Option<Rc<str>>>,
    tasks: RefCell<HashMap<u64, Task<()>>>,
}

/// A set of coroutines owned by one owner (typically a QObject's backing struct).
///
/// Each coroutine returns `anyhow::Result<()>`; an error or a panic is handed to the
/// [report hook](crate::set_report_hook) with the spawn site. Dropping the scope cancels
/// every coroutine still running.
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
/// scope.spawn_local(async move {
///     spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(5))).await?;
///     flag.set(true);
///     Ok(())
/// });
/// fake.run_until(|| done.get()).unwrap();
/// assert_eq!(scope.len(), 0, "a finished coroutine leaves its scope");
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
            .field("owner", &self.state.owner.borrow())
            .field("running", &self.len())
            .finish()
    }
}

impl Scope {
    /// An empty scope. Creating one needs no runtime; spawning does.
    pub fn new() -> Self {
        let state = ScopeState::default();
        state.alive.set(true);
        Self {
            state: Rc::new(state),
        }
    }

    /// An empty scope whose coroutines the [task list](crate::tasks) shows as owned by
    /// `owner` (e.g. "MainWindow", or a QObject's type and serial number).
    pub fn with_owner(owner: impl Into<String>) -> Self {
        let scope = Self::new();
        scope.set_owner(owner);
        scope
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

    /// Spawns a coroutine owned by this scope. It first runs at the next drain. The task list
    /// labels it with the spawn site (`file:line`).
    ///
    /// # Panics
    ///
    /// Off the GUI thread (a thread without a runtime).
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> CoroutineId
    where
        F: Future<Output = anyhow::Result<()>> + 'static,
    {
        let site = Location::caller();
        self.spawn_as(Label::Site(site), site, future)
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
    ) -> CoroutineId
    where
        F: Future<Output = anyhow::Result<()>> + 'static,
    {
        self.spawn_as(
            Label::Text(label.into(), Some(Location::caller())),
            Location::caller(),
            future,
        )
    }

    fn spawn_as<F>(
        &self,
        label: Label,
        spawned_at: &'static Location<'static>,
        future: F,
    ) -> CoroutineId
    where
        F: Future<Output = anyhow::Result<()>> + 'static,
    {
        let id = self.state.next.get();
        self.state.next.set(id + 1);
        let owner: Weak<ScopeState> = Rc::downgrade(&self.state);
        let body = AssertUnwindSafe(future).catch_unwind().map(move |outcome| {
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(error)) => report(&CoroutineReport::Failed {
                    spawned_at,
                    error: &error,
                }),
                Err(payload) => {
                    let p = caught(payload);
                    report(&CoroutineReport::Panicked {
                        spawned_at,
                        message: &p.message,
                        location: p.location.as_deref(),
                    });
                }
            }
            // Leave the scope. This drops our own handle while we run, which is allowed.
            if let Some(owner) = owner.upgrade() {
                let handle = owner.tasks.borrow_mut().remove(&id);
                drop(handle);
            }
        });
        let coroutine = spawn_owned(body, label, self.state.owner.borrow().clone());
        self.state.tasks.borrow_mut().insert(id, coroutine);
        CoroutineId(id)
    }

    /// How many of its coroutines are still running.
    pub fn len(&self) -> usize {
        self.state.tasks.borrow().len()
    }

    /// `true` when none of its coroutines is running.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Cancels one coroutine. Returns `false` if it had already finished.
    pub fn abort(&self, id: CoroutineId) -> bool {
        let handle = self.state.tasks.borrow_mut().remove(&id.0);
        handle.is_some()
    }

    /// Cancels every coroutine of the scope; the scope stays usable.
    pub fn cancel_all(&self) {
        let all = std::mem::take(&mut *self.state.tasks.borrow_mut());
        drop(all);
    }

    /// A token that tells whether this scope still exists.
    pub fn liveness(&self) -> Liveness {
        Liveness(Rc::clone(&self.state))
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        self.state.alive.set(false);
        self.cancel_all();
    }
}

/// Tells whether the [`Scope`] it came from still exists (its owner is alive).
#[derive(Clone)]
pub struct Liveness(Rc<ScopeState>);

impl Liveness {
    /// `false` once the scope was dropped.
    pub fn is_alive(&self) -> bool {
        self.0.alive.get()
    }

    /// Marks the owner as in use until the guard drops; `None` if it is already in use or gone.
    ///
    /// The Qt layer uses this to hand out at most one `&mut` to an object at a time.
    pub fn enter(&self) -> Option<Entered> {
        (self.is_alive() && !self.0.entered.replace(true)).then(|| Entered(Rc::clone(&self.0)))
    }
}

/// Proof that the owner of a [`Scope`] is in use; see [`Liveness::enter`].
pub struct Entered(Rc<ScopeState>);

impl Drop for Entered {
    fn drop(&mut self) {
        self.0.entered.set(false);
    }
}

impl std::fmt::Debug for Entered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Entered")
    }
}

impl std::fmt::Debug for Liveness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Liveness").field(&self.is_alive()).finish()
    }
}
