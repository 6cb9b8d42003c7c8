//! The live task list: what every coroutine of this thread's runtime is, who owns it, and what
//! it is waiting for. Read it with [`tasks`].
//!
//! Each coroutine has a 40-byte row in a thread-local vector (its label and owner are stored
//! once per run of spawns that share them), so keeping the list costs no allocation per task: a
//! poll updates its row, and the futures a coroutine awaits (jobs, timers, signals, streams)
//! note what they are with [`note_wait`], which writes one thread-local `Cell`.
//!
//! A row also keeps a waker of its coroutine once the coroutine first parks (returns `Pending`):
//! with the ready queues (where a coroutine that never parked is), the list is the runtime's
//! register of every live coroutine, which shutdown wakes to drop them all, whoever holds their
//! handles or wakers (as tokio's `OwnedTasks`).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

use super::pool::JobLane;

/// Identifies a coroutine among all coroutines of its thread, for as long as the thread lives.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_local, tasks, testing::FakeLoop};
///
/// let _fake = FakeLoop::new();
/// let a = spawn_local(async {});
/// let b = spawn_local(async {});
/// assert_ne!(a.id(), b.id());
/// assert!(tasks().iter().any(|t| t.id == a.id()));
/// println!("task #{}", a.id().get());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(u64);

impl TaskId {
    pub(crate) fn from_seq(seq: u64) -> Self {
        Self(seq)
    }

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
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, spawn_local, tasks, testing::FakeLoop, TaskState};
///
/// let fake = FakeLoop::new();
/// let nap = spawn_local(sleep(Duration::from_secs(60)));
/// assert_eq!(tasks()[0].state, TaskState::Starting);
/// fake.turn(); // first poll: up to its first await
/// assert_eq!(tasks()[0].state, TaskState::Waiting { on: "timer" });
/// drop(nap);
/// ```
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
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{sleep, spawn_local, tasks, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let nap = spawn_local(sleep(std::time::Duration::from_secs(60)));
/// fake.turn();
/// for info in tasks() {
///     let (label, state, polls, age) = (&info.label, info.state, info.polls, info.age);
///     println!("{:?} {label}: {state:?} after {polls} polls, {age:?} old", info.id);
/// }
/// assert_eq!(tasks()[0].id, nap.id());
/// ```
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
    /// Time since it first ran (zero while it is [`TaskState::Starting`]: it runs at the next
    /// drain).
    pub age: Duration,
    /// How often it was polled (polls that ended; not the one a snapshot is taken from).
    pub polls: u64,
}

/// How a task is named.
pub(crate) enum Label {
    Site(&'static Location<'static>),
    /// A text label, and the spawn site.
    Text(Cow<'static, str>, &'static Location<'static>),
}

impl Label {
    fn text(&self) -> String {
        match self {
            Label::Site(site) => format!("{}:{}", site.file(), site.line()),
            Label::Text(text, _) => text.to_string(),
        }
    }

    pub(crate) fn site(&self) -> &'static Location<'static> {
        match self {
            Label::Site(site) | Label::Text(_, site) => site,
        }
    }

    fn same_as(&self, other: &Label) -> bool {
        // The same address is the same site (the fast path); different addresses may still be
        // one site: neither the compiler nor Miri promises one `Location` per call site.
        let same_site = |a: &Location<'_>, b: &Location<'_>| std::ptr::eq(a, b) || a == b;
        match (self, other) {
            (Self::Site(a), Self::Site(b)) => same_site(a, b),
            (Self::Text(a, x), Self::Text(b, y)) => a == b && same_site(x, y),
            _ => false,
        }
    }
}

/// What a coroutine awaits, as [`note_wait`] records it (shown by [`tasks`] as
/// [`TaskState::Waiting`]).
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
/// use cxx_qt_async_engine::integration::{note_wait, Wait};
///
/// /// An integration's future: the task list shows its coroutine waiting for a signal.
/// struct NextClick;
///
/// impl Future for NextClick {
///     type Output = ();
///     fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
///         note_wait(Wait::Signal);
///         Poll::Pending // (a real one would keep the waker and be woken)
///     }
/// }
/// ```
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
/// from one place stores them once), and their lane in the worker pool: the coroutines that
/// share a meta are one submitter (made at their first job).
struct Meta {
    label: Label,
    owner: Option<Rc<str>>,
    users: u32,
    lane: Option<Arc<JobLane>>,
}

/// One task's row: 40 bytes, in a vector (no allocation per task).
struct Slot {
    seq: u64,
    /// Wakes the task (shutdown ends every live one with it); kept from its first park on.
    waker: Option<Waker>,
    meta: u32,
    /// When it first ran, in ms since the list's epoch (set by its first poll).
    started_ms: u32,
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

    /// Now (the drain's latest clock reading, else the clock), in ms since the epoch.
    fn now_ms(&mut self) -> u32 {
        let now = CLOCK.with(Cell::get).unwrap_or_else(Instant::now);
        let since = now.saturating_duration_since(self.epoch());
        // Whole seconds and the millisecond part: no 128-bit division on this path (a first poll).
        u32::try_from(since.as_secs().saturating_mul(1000) + u64::from(since.subsec_millis()))
            .unwrap_or(u32::MAX)
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
            lane: None,
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
    /// The task the last run polled and its meta; `true` when the task has since finished and
    /// its meta's release waits for the next run (so that a coroutine that finished in that
    /// poll can still be named as a slow one).
    static LAST: Cell<Option<(u64, u32, bool)>> = const { Cell::new(None) };
    /// The drain's latest clock reading.
    static CLOCK: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The coroutine being polled on this thread right now, if any.
pub(crate) fn polled_now() -> Option<TaskId> {
    let index = POLLING.try_with(Cell::get).ok()?.checked_sub(1)?;
    LIST.try_with(|l| {
        let list = l.try_borrow().ok()?;
        Some(TaskId(list.slots.get(index as usize)?.seq))
    })
    .ok()
    .flatten()
}

/// A fresh sequence number (a [`TaskId`]) for a task that gets no row (a refused spawn).
pub(crate) fn next_seq() -> u64 {
    LIST.try_with(|l| {
        let mut list = l.try_borrow_mut().ok()?;
        list.next_seq += 1;
        Some(list.next_seq)
    })
    .ok()
    .flatten()
    .unwrap_or_else(|| {
        // The list is busy or gone (thread teardown): numbers from the top, never a live id.
        thread_local!(static SPARE: Cell<u64> = const { Cell::new(u64::MAX) });
        SPARE
            .try_with(|s| s.replace(s.get() - 1))
            .unwrap_or(u64::MAX)
    })
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
        let meta = list.meta_for(label, owner);
        let seq = list.next_seq + 1;
        list.next_seq = seq;
        let slot = Slot {
            seq,
            waker: None,
            meta,
            started_ms: 0,
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

    /// Where the task was spawned.
    pub(crate) fn site(&self) -> &'static Location<'static> {
        LIST.try_with(|l| {
            let list = l.try_borrow().ok()?;
            let meta = list.slots.get(self.0 as usize)?.meta;
            Some(list.metas.get(meta as usize)?.as_ref()?.label.site())
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| Location::caller())
    }

    /// Brackets one poll of the task (its row is written once, when the poll ends).
    pub(crate) fn polling(&self) -> Polling<'_> {
        let _ = WAIT.try_with(|w| w.set(0));
        let _ = POLLING.try_with(|p| p.set(self.0 + 1));
        Polling {
            registered: self,
            parked: None,
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        // Dropped after the list is released (a waker's drop is async-task's code).
        let _waker = LIST.try_with(|l| {
            let mut list = l.try_borrow_mut().ok()?;
            let slot = &mut list.slots[self.0 as usize];
            let (seq, meta, waker) = (slot.seq, slot.meta, slot.waker.take());
            slot.seq = 0; // free
            list.free_slots.push(self.0);
            list.live -= 1;
            match LAST.with(Cell::get) {
                // Polled by the run that is ending: the drain may still name it.
                Some((last, m, false)) if last == seq => {
                    LAST.with(|l| l.set(Some((last, m, true))));
                }
                _ => list.release_meta(meta),
            }
            waker
        });
    }
}

/// Takes the wakers of every live task out of their rows (shutdown wakes them all).
pub(crate) fn take_live_wakers() -> Vec<Waker> {
    LIST.try_with(|l| {
        let Ok(mut list) = l.try_borrow_mut() else {
            return Vec::new();
        };
        list.slots
            .iter_mut()
            .filter(|s| s.seq != 0)
            .filter_map(|s| s.waker.take())
            .collect()
    })
    .unwrap_or_default()
}

/// Ends a poll: counts it and records what the task now waits for (the first poll also stamps
/// the task's start with the drain's clock).
pub(crate) struct Polling<'a> {
    registered: &'a Registered,
    /// The poll returned `Pending`: the task's own waker (the row keeps a clone, see [`Slot`]).
    parked: Option<&'a Waker>,
}

impl<'a> Polling<'a> {
    /// The poll returned `Pending`; `waker` is the task's own. Its first park makes the row keep
    /// a clone: from then on the task is parked where only a waker reaches it (until then it is
    /// in the ready queue), and the runtime's shutdown wakes it with that clone.
    pub(crate) fn parked(&mut self, waker: &'a Waker) {
        self.parked = Some(waker);
    }
}

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        let index = self.registered.0;
        let _ = POLLING.try_with(|p| p.set(0));
        let on = WAIT.try_with(Cell::get).unwrap_or(0);
        let _ = LIST.try_with(|l| {
            if let Ok(mut list) = l.try_borrow_mut() {
                let first = list.slots[index as usize].state == STARTING;
                let stamp = first.then(|| list.now_ms());
                let slot = &mut list.slots[index as usize];
                slot.state = on;
                slot.polls = slot.polls.saturating_add(1);
                if let (Some(waker), None) = (self.parked, &slot.waker) {
                    slot.waker = Some(waker.clone()); // async-task's: a reference count
                }
                if let Some(ms) = stamp {
                    slot.started_ms = ms;
                }
                let (seq, meta) = (slot.seq, slot.meta);
                LAST.with(|l| l.set(Some((seq, meta, false))));
            }
        });
    }
}

/// Forgets which coroutine the last run polled (before the next run; a run that only drops a
/// cancelled coroutine polls nothing).
pub(crate) fn clear_last_polled() {
    if let Some((_, meta, true)) = LAST.with(Cell::take) {
        // It finished in that run: its meta's release was left for now.
        let _ = LIST.try_with(|l| {
            if let Ok(mut list) = l.try_borrow_mut() {
                list.release_meta(meta);
            }
        });
    }
}

/// What the slow-poll recorder names: the coroutine polled by the run that just ended.
pub(crate) struct Polled {
    pub(crate) id: TaskId,
    pub(crate) label: String,
    pub(crate) owner: Option<String>,
    pub(crate) spawned_at: Option<&'static Location<'static>>,
}

/// The coroutine polled by the run that just ended, if that run polled one.
pub(crate) fn last_polled() -> Option<Polled> {
    let (seq, meta, _) = LAST.try_with(Cell::get).ok()??;
    LIST.try_with(|l| {
        let list = l.try_borrow().ok()?;
        let meta = list.metas.get(meta as usize)?.as_ref()?;
        Some(Polled {
            id: TaskId(seq),
            label: meta.label.text(),
            owner: meta.owner.as_deref().map(str::to_owned),
            spawned_at: Some(meta.label.site()),
        })
    })
    .ok()
    .flatten()
}

/// Runs `f` with the pool lane of the coroutine being polled: the lane its jobs queue in, shared
/// by the coroutines spawned in a row from the same place by the same owner (the ones that share
/// its label and owner), so a loop that spawns a coroutine per item is one submitter. `None`
/// outside a poll (jobs submitted from plain code share the pool's default lane).
pub(crate) fn with_current_lane<R>(f: impl FnOnce(Option<&Arc<JobLane>>) -> R) -> R {
    let polling = POLLING.try_with(Cell::get).unwrap_or(0).checked_sub(1);
    let Some(index) = polling else {
        return f(None);
    };
    let mut f = Some(f);
    let done = LIST
        .try_with(|l| {
            let mut list = l.try_borrow_mut().ok()?;
            let meta = list.slots.get(index as usize)?.meta;
            let meta = list.metas.get_mut(meta as usize)?.as_mut()?;
            let lane = meta.lane.get_or_insert_with(Arc::default);
            // `f` only queues the job: it never reaches the task list.
            Some((f.take()?)(Some(lane)))
        })
        .ok()
        .flatten();
    match (done, f) {
        (Some(out), _) => out,
        (None, Some(f)) => f(None),
        (None, None) => unreachable!("`f` runs once"),
    }
}

/// The drain's latest clock reading, which first polls stamp their task's start with.
pub(crate) fn set_clock(now: Instant) {
    let _ = CLOCK.try_with(|c| c.set(Some(now)));
}

/// Called by a future that returns `Pending` (the engine's own, the Qt layer's signal waits,
/// yours): tells the task list what the coroutine being polled waits for. The first note of a
/// poll wins (in a `join!`, the first branch).
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll};
/// use cxx_qt_async_engine::integration::{note_wait, Wait};
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
/// the live coroutines; keeping the list costs each coroutine a 40-byte row, no allocation.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, tasks, testing::FakeLoop, Scope, TaskState};
///
/// let fake = FakeLoop::new();
/// let window = Scope::with_owner("MainWindow");
/// let autosave = window.spawn_local_labeled("autosave", sleep(Duration::from_secs(60)));
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
                age: match slot.state {
                    STARTING => Duration::ZERO,
                    _ => since_epoch
                        .saturating_sub(Duration::from_millis(u64::from(slot.started_ms))),
                },
                polls: u64::from(slot.polls),
            });
        }
        out.sort_by_key(|t| t.id);
        out
    })
}
