//! The live task list: what every coroutine of this thread's runtime is, who owns it, and what
//! it is waiting for. Read it with [`tasks`].
//!
//! Each coroutine has a 24-byte row in a thread-local vector (its label and owner are stored
//! once per run of spawns that share them), so keeping the list costs no allocation per task: a
//! poll updates its row, and the futures a coroutine awaits (jobs, timers, signals, streams)
//! note what they are with [`note_wait`], which writes one thread-local `Cell`.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Identifies a coroutine among all coroutines of its thread, for as long as the thread lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(u64);

impl TaskId {
    /// The id as a number.
    pub fn get(self) -> u64 {
        self.0
    }
}

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
    /// Its label: the one given at spawn ([`crate::Scope::spawn_local_labeled`]), else the
    /// spawn site (`file:line`).
    pub label: String,
    /// Who owns it: the owner label of its [`crate::Scope`] (for a QObject, its type and
    /// a serial number); `None` for a free coroutine ([`crate::spawn_local`]).
    pub owner: Option<String>,
    /// What it is doing.
    pub state: TaskState,
    /// Time since it was spawned.
    pub age: Duration,
    /// How often it was polled (polls that ended; not the one a snapshot is taken from).
    pub polls: u64,
}

/// How a task is named.
pub(crate) enum Label {
    Site(&'static Location<'static>),
    /// A text label, and the spawn site.
    Text(Cow<'static, str>, Option<&'static Location<'static>>),
}

impl Label {
    fn text(&self) -> String {
        match self {
            Label::Site(site) => format!("{}:{}", site.file(), site.line()),
            Label::Text(text, _) => text.to_string(),
        }
    }

    fn site(&self) -> Option<&'static Location<'static>> {
        match self {
            Label::Site(site) => Some(site),
            Label::Text(_, site) => *site,
        }
    }

    fn same_as(&self, other: &Label) -> bool {
        match (self, other) {
            (Self::Site(a), Self::Site(b)) => std::ptr::eq(*a, *b),
            (Self::Text(a, x), Self::Text(b, y)) => {
                a == b
                    && match (x, y) {
                        (Some(x), Some(y)) => std::ptr::eq(*x, *y),
                        (None, None) => true,
                        _ => false,
                    }
            }
            _ => false,
        }
    }
}

/// What a coroutine awaits, as [`note_wait`] records it (shown by [`tasks`] as
/// [`TaskState::Waiting`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
#[non_exhaustive]
pub enum Wait {
    /// A job on the worker pool.
    WorkerJob = 1,
    /// A timer (`sleep`, `interval`).
    Timer,
    /// A signal of the event loop's objects (a Qt signal).
    Signal,
    /// A stream's next item.
    Stream,
    /// A worker's next progress report.
    Progress,
    /// Another coroutine.
    Task,
    /// A task on the tokio runtime (feature `tokio`).
    TokioTask,
}

/// The names of [`Wait`], by value (0: something the engine does not know).
const WAIT_NAMES: [&str; 8] = [
    "other",
    "worker job",
    "timer",
    "signal",
    "stream",
    "progress",
    "coroutine",
    "tokio task",
];

const STARTING: u8 = 0xff;

/// A label and an owner, shared by the tasks that have both (a loop spawning many coroutines
/// from one place stores them once).
struct Meta {
    label: Label,
    owner: Option<Rc<str>>,
    users: u32,
}

/// One task's row: 24 bytes, in a vector (no allocation per task).
#[derive(Clone, Copy)]
struct Slot {
    seq: u64,
    meta: u32,
    spawned_ms: u32,
    polls: u32,
    state: u8,
}

#[derive(Default)]
struct List {
    slots: Vec<Slot>,
    free_slots: Vec<u32>,
    live: usize,
    metas: Vec<Option<Meta>>,
    free_metas: Vec<u32>,
    /// The meta of the latest spawn_local, reused while spawns keep the same label and owner.
    last_meta: Option<u32>,
    next_seq: u64,
    epoch: Option<Instant>,
}

impl List {
    fn epoch(&mut self) -> Instant {
        *self.epoch.get_or_insert_with(Instant::now)
    }

    fn meta_for(&mut self, label: Label, owner: Option<Rc<str>>) -> u32 {
        if let Some(id) = self.last_meta {
            if let Some(meta) = self.metas[id as usize].as_mut() {
                let same_owner = match (&meta.owner, &owner) {
                    (None, None) => true,
                    (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                    _ => false,
                };
                if same_owner && meta.label.same_as(&label) {
                    meta.users += 1;
                    return id;
                }
            }
        }
        let meta = Meta {
            label,
            owner,
            users: 1,
        };
        let id = match self.free_metas.pop() {
            Some(id) => {
                self.metas[id as usize] = Some(meta);
                id
            }
            None => {
                self.metas.push(Some(meta));
                u32::try_from(self.metas.len() - 1).expect("fewer than 2^32 task labels")
            }
        };
        self.last_meta = Some(id);
        id
    }

    fn release_meta(&mut self, id: u32) {
        let slot = &mut self.metas[id as usize];
        if let Some(meta) = slot.as_mut() {
            meta.users -= 1;
            if meta.users == 0 {
                *slot = None;
                self.free_metas.push(id);
                if self.last_meta == Some(id) {
                    self.last_meta = None;
                }
            }
        }
    }
}

thread_local! {
    static LIST: RefCell<List> = RefCell::new(List::default());
    /// What the future being polled right now said it waits for (0 = nothing yet).
    static WAIT: Cell<u8> = const { Cell::new(0) };
    /// The row of the task being polled, plus one (0: none).
    static POLLING: Cell<u32> = const { Cell::new(0) };
}

/// How many tasks are alive (spawned, not yet finished or dropped).
pub(crate) fn live() -> usize {
    LIST.with(|l| l.borrow().live)
}

/// Records a new task; the returned guard removes it when the task's future is dropped. Also
/// returns the task's sequence number (its [`TaskId`]).
pub(crate) fn register(label: Label, owner: Option<Rc<str>>) -> (Registered, u64) {
    LIST.with(|l| {
        let mut list = l.borrow_mut();
        let epoch = list.epoch();
        let meta = list.meta_for(label, owner);
        let seq = list.next_seq + 1;
        list.next_seq = seq;
        let slot = Slot {
            seq,
            meta,
            spawned_ms: u32::try_from(epoch.elapsed().as_millis()).unwrap_or(u32::MAX),
            polls: 0,
            state: STARTING,
        };
        list.live += 1;
        let index = match list.free_slots.pop() {
            Some(index) => {
                list.slots[index as usize] = slot;
                index
            }
            None => {
                list.slots.push(slot);
                u32::try_from(list.slots.len() - 1).expect("fewer than 2^32 live tasks")
            }
        };
        (Registered(index), seq)
    })
}

/// A task's row in the list; dropped with the task's future (on the GUI thread).
pub(crate) struct Registered(u32);

impl Registered {
    /// The task's sequence number (its [`TaskId`]).
    pub(crate) fn seq(&self) -> u64 {
        LIST.try_with(|l| l.try_borrow().map_or(0, |l| l.slots[self.0 as usize].seq))
            .unwrap_or(0)
    }

    /// Brackets one poll of the task (its row is written once, when the poll ends).
    pub(crate) fn polling(&self) -> Polling<'_> {
        let _ = WAIT.try_with(|w| w.set(0));
        let _ = POLLING.try_with(|p| p.set(self.0 + 1));
        Polling(self, Instant::now())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let _ = LIST.try_with(|l| {
            if let Ok(mut list) = l.try_borrow_mut() {
                let meta = list.slots[self.0 as usize].meta;
                list.slots[self.0 as usize].seq = 0; // free
                list.free_slots.push(self.0);
                list.live -= 1;
                list.release_meta(meta);
            }
        });
    }
}

/// Ends a poll: counts it, records what the task now waits for, and names it if it held the
/// thread longer than the slow-poll threshold.
pub(crate) struct Polling<'a>(&'a Registered, Instant);

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        let took = self.1.elapsed();
        let _ = POLLING.try_with(|p| p.set(0));
        let on = WAIT.try_with(Cell::get).unwrap_or(0);
        let slow = SLOW
            .try_with(|s| took >= s.borrow().threshold)
            .unwrap_or(false);
        let offender = LIST
            .try_with(|l| {
                let mut list = l.try_borrow_mut().ok()?;
                let slot = &mut list.slots[self.0 .0 as usize];
                slot.state = on;
                slot.polls = slot.polls.saturating_add(1);
                let slot = *slot;
                let meta = list.metas[slot.meta as usize].as_ref().filter(|_| slow)?;
                Some(SlowPoll {
                    id: TaskId(slot.seq),
                    label: meta.label.text(),
                    owner: meta.owner.as_deref().map(str::to_owned),
                    spawned_at: meta.label.site(),
                    took,
                })
            })
            .ok()
            .flatten();
        // Outside the list's borrow: a log subscriber may look at the task list.
        if let Some(offender) = offender {
            record_slow_poll(offender);
        }
    }
}

/// The default [slow-poll threshold](crate::RuntimeBuilder::slow_poll_threshold): half a frame.
pub const DEFAULT_SLOW_POLL: Duration = Duration::from_millis(8);

/// How many slow polls [`slow_polls`] keeps (the worst of them).
const KEPT_SLOW_POLLS: usize = 16;

/// One poll of a coroutine that held the GUI thread for at least the slow-poll threshold:
/// while it ran, nothing else on the loop (painting, input, timers) could. See [`slow_polls`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SlowPoll {
    /// The coroutine.
    pub id: TaskId,
    /// Its label (as in [`tasks`]).
    pub label: String,
    /// Its owner, if it has one.
    pub owner: Option<String>,
    /// Where it was spawned, when known.
    pub spawned_at: Option<&'static Location<'static>>,
    /// How long that one poll took.
    pub took: Duration,
}

impl fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "coroutine {} \"{}\"", self.id, self.label)?;
        if let Some(owner) = &self.owner {
            write!(f, " of {owner}")?;
        }
        if let Some(site) = self.spawned_at {
            write!(f, " (spawned at {site})")?;
        }
        write!(
            f,
            " held the GUI thread for {:.1} ms in one poll",
            self.took.as_secs_f64() * 1e3
        )
    }
}

struct SlowPolls {
    threshold: Duration,
    count: u64,
    /// The worst recent ones, at most [`KEPT_SLOW_POLLS`], worst first.
    worst: Vec<SlowPoll>,
}

thread_local! {
    static SLOW: RefCell<SlowPolls> = const {
        RefCell::new(SlowPolls { threshold: DEFAULT_SLOW_POLL, count: 0, worst: Vec::new() })
    };
}

/// Sets this thread's slow-poll threshold and forgets earlier slow polls (a runtime's install).
pub(crate) fn reset_slow_polls(threshold: Duration) {
    SLOW.with(|s| {
        let mut s = s.borrow_mut();
        s.threshold = threshold;
        s.count = 0;
        s.worst.clear();
    });
}

fn record_slow_poll(poll: SlowPoll) {
    tracing::warn!(
        target: "cxx_qt_async::slow_poll",
        coroutine = poll.id.get(),
        label = %poll.label,
        owner = poll.owner.as_deref().unwrap_or(""),
        took_ms = poll.took.as_secs_f64() * 1e3,
        "{poll}"
    );
    let _ = SLOW.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            s.count += 1;
            let at = s.worst.partition_point(|p| p.took >= poll.took);
            if at < KEPT_SLOW_POLLS {
                s.worst.insert(at, poll);
                s.worst.truncate(KEPT_SLOW_POLLS);
            }
        }
    });
}

/// How many polls on this thread held it for at least the slow-poll threshold.
pub(crate) fn slow_poll_count() -> u64 {
    SLOW.with(|s| s.borrow().count)
}

/// The worst slow polls of this thread's coroutines since the runtime was installed (at most
/// 16, worst first): each names the coroutine (label, owner, spawn site) and how long its poll
/// held the GUI thread. A poll longer than the runtime's
/// [`slow_poll_threshold`](crate::RuntimeBuilder::slow_poll_threshold) (default 8 ms, half a
/// frame) is also logged as a `tracing` warning (target `cxx_qt_async::slow_poll`) and counted
/// in [`stats`](crate::stats)`().slow_polls`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{slow_polls, stats, testing::FakeLoop, Runtime, Scope};
///
/// let fake = FakeLoop::with_runtime(
///     Runtime::builder().slow_poll_threshold(Duration::from_millis(5)),
/// );
/// let window = Scope::with_owner("MainWindow");
/// window.spawn_local_labeled("load thumbnails", async {
///     std::thread::sleep(Duration::from_millis(20)); // blocking work on the GUI thread: a bug
///     Ok(())
/// });
/// fake.run_until(|| stats().live_coroutines == 0).unwrap();
/// let worst = &slow_polls()[0];
/// assert_eq!(worst.label, "load thumbnails");
/// assert_eq!(worst.owner.as_deref(), Some("MainWindow"));
/// assert!(worst.took >= Duration::from_millis(20));
/// assert_eq!(stats().slow_polls, 1);
/// ```
pub fn slow_polls() -> Vec<SlowPoll> {
    SLOW.with(|s| s.borrow().worst.clone())
}

/// Called by a future that returns `Pending` (the engine's own, the Qt layer's signal waits,
/// yours): tells the task list what the coroutine being polled waits for. The first note of a
/// poll wins (in a `join!`, the first branch).
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll};
/// use cxx_qt_async_engine::{note_wait, Wait};
///
/// fn poll_my_wait(cx: &mut Context<'_>) -> Poll<()> {
///     note_wait(Wait::Signal); // the task list shows "waiting on signal"
///     Poll::Pending
/// }
/// ```
pub fn note_wait(what: Wait) {
    let _ = WAIT.try_with(|w| {
        if w.get() == 0 {
            w.set(what as u8);
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
/// use cxx_qt_async_engine::{sleep, tasks, testing::FakeLoop, Scope, TaskState};
///
/// let fake = FakeLoop::new();
/// let window = Scope::with_owner("MainWindow");
/// window.spawn_local_labeled("autosave", async {
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
    LIST.with(|l| {
        let mut list = l.borrow_mut();
        let since_epoch = list.epoch().elapsed();
        let polling = POLLING.with(Cell::get);
        let mut out: Vec<TaskInfo> = Vec::with_capacity(list.live);
        for (index, slot) in list.slots.iter().enumerate().filter(|(_, s)| s.seq != 0) {
            let Some(meta) = list.metas[slot.meta as usize].as_ref() else {
                continue;
            };
            out.push(TaskInfo {
                id: TaskId(slot.seq),
                label: meta.label.text(),
                owner: meta.owner.as_deref().map(str::to_owned),
                state: match slot.state {
                    _ if polling as usize == index + 1 => TaskState::Running,
                    STARTING => TaskState::Starting,
                    n => TaskState::Waiting {
                        on: WAIT_NAMES.get(usize::from(n)).copied().unwrap_or("other"),
                    },
                },
                age: since_epoch.saturating_sub(Duration::from_millis(u64::from(slot.spawned_ms))),
                polls: u64::from(slot.polls),
            });
        }
        out.sort_by_key(|t| t.id);
        out
    })
}
