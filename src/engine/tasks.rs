//! The live task list: what every coroutine of this thread's runtime is, who owns it, and what
//! it is waiting for. Read it with [`tasks`].
//!
//! Each coroutine carries one small [`Entry`] (shared with a thread-local list), so a snapshot
//! costs nothing while nobody takes one: a poll updates two `Cell`s of its own entry, and the
//! futures a coroutine awaits (jobs, timers, signals, streams) note what they are with
//! [`note_wait`], which writes one thread-local `Cell`.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Identifies a coroutine among all coroutines of its thread, for as long as the thread lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a coroutine is doing at the moment of the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskState {
    /// Spawned, not yet polled (it first runs at the next drain).
    Starting,
    /// Being polled right now: the snapshot was taken from inside this coroutine.
    Running,
    /// Suspended at an await; `on` names what it awaits ("worker job", "timer", "signal",
    /// "stream", "progress", "coroutine"), or is "other" for a future the engine does not know.
    Waiting {
        /// What the coroutine awaits.
        on: &'static str,
    },
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Starting => f.write_str("starting"),
            Self::Running => f.write_str("running"),
            Self::Waiting { on } => write!(f, "waiting on {on}"),
        }
    }
}

/// One coroutine in a [`tasks`] snapshot.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskInfo {
    /// Its id (spawn order).
    pub id: TaskId,
    /// Its label: the one given at spawn ([`crate::engine::Scope::spawn_labeled`]), else the
    /// spawn site (`file:line`).
    pub label: String,
    /// Who owns it: the owner label of its [`crate::engine::Scope`] (for a QObject, its type and
    /// a serial number); `None` for a free coroutine ([`crate::engine::spawn`]).
    pub owner: Option<String>,
    /// What it is doing.
    pub state: TaskState,
    /// Time since it was spawned.
    pub age: Duration,
    /// How often it was polled.
    pub polls: u64,
}

/// How a task is named.
pub(crate) enum Label {
    Site(&'static Location<'static>),
    Text(Cow<'static, str>),
}

/// What a task's future carries: its row of the task list.
pub(crate) struct Entry {
    id: u64,
    label: Label,
    owner: Option<Rc<str>>,
    spawned: Instant,
    polls: Cell<u64>,
    running: Cell<bool>,
    waiting_on: Cell<&'static str>,
}

thread_local! {
    static LIST: RefCell<BTreeMap<u64, Rc<Entry>>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT: Cell<u64> = const { Cell::new(1) };
    /// What the future being polled right now said it waits for ("" = nothing yet).
    static WAIT: Cell<&'static str> = const { Cell::new("") };
}

/// Records a new task; the returned guard removes it when the task's future is dropped.
pub(crate) fn register(label: Label, owner: Option<Rc<str>>) -> Registered {
    let id = NEXT.with(|n| n.replace(n.get() + 1));
    let entry = Rc::new(Entry {
        id,
        label,
        owner,
        spawned: Instant::now(),
        polls: Cell::new(0),
        running: Cell::new(false),
        waiting_on: Cell::new(""),
    });
    LIST.with(|l| l.borrow_mut().insert(id, Rc::clone(&entry)));
    Registered(entry)
}

/// A task's membership in the list; dropped with the task's future (on the GUI thread).
pub(crate) struct Registered(Rc<Entry>);

impl Registered {
    /// Brackets one poll of the task.
    pub(crate) fn polling(&self) -> Polling<'_> {
        self.0.running.set(true);
        self.0.polls.set(self.0.polls.get() + 1);
        let _ = WAIT.try_with(|w| w.set(""));
        Polling(&self.0)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let _ = LIST.try_with(|l| {
            if let Ok(mut list) = l.try_borrow_mut() {
                list.remove(&self.0.id);
            }
        });
    }
}

/// Ends a poll: records what the task now waits for.
pub(crate) struct Polling<'a>(&'a Entry);

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        self.0.running.set(false);
        let on = WAIT.try_with(Cell::get).unwrap_or("");
        self.0
            .waiting_on
            .set(if on.is_empty() { "other" } else { on });
    }
}

/// Called by an engine future that returns `Pending`: tells the task list what the coroutine
/// being polled waits for. The first note of a poll wins (the outermost await of a `join!` is
/// usually the one that matters least, and the first leaf is polled first).
pub(crate) fn note_wait(what: &'static str) {
    let _ = WAIT.try_with(|w| {
        if w.get().is_empty() {
            w.set(what);
        }
    });
}

/// A snapshot of this thread's coroutines, oldest first.
///
/// Available to the app (the dashboard's task list) and to tests. Taking it costs one pass over
/// the live coroutines; keeping the list costs each coroutine one small allocation.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async::engine::{sleep, tasks, testing::FakeLoop, Scope, TaskState};
///
/// let fake = FakeLoop::new();
/// let window = Scope::with_owner("MainWindow");
/// window.spawn_labeled("autosave", async {
///     sleep(Duration::from_secs(60)).await;
///     Ok(())
/// });
/// fake.turn(); // the coroutine runs up to its first await
///
/// let list = tasks();
/// assert_eq!(list.len(), 1);
/// assert_eq!(list[0].label, "autosave");
/// assert_eq!(list[0].owner.as_deref(), Some("MainWindow"));
/// assert_eq!(list[0].state, TaskState::Waiting { on: "timer" });
/// drop(window);
/// fake.turn(); // cancelled coroutines are dropped at the next drain
/// assert!(tasks().is_empty(), "an owner's coroutines go with it");
/// ```
pub fn tasks() -> Vec<TaskInfo> {
    let now = Instant::now();
    LIST.with(|l| {
        l.borrow()
            .values()
            .map(|e| TaskInfo {
                id: TaskId(e.id),
                label: match &e.label {
                    Label::Site(site) => format!("{}:{}", site.file(), site.line()),
                    Label::Text(text) => text.to_string(),
                },
                owner: e.owner.as_deref().map(str::to_owned),
                state: if e.running.get() {
                    TaskState::Running
                } else if e.polls.get() == 0 {
                    TaskState::Starting
                } else {
                    TaskState::Waiting {
                        on: e.waiting_on.get(),
                    }
                },
                age: now.saturating_duration_since(e.spawned),
                polls: e.polls.get(),
            })
            .collect()
    })
}
