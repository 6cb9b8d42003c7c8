//! The slow-poll recorder: the coroutines whose single poll held the GUI thread too long.
//!
//! The drain reads the clock once after every poll (the same reading checks its time budget)
//! and hands each poll's duration here; a poll at or over the threshold is named after the
//! coroutine the task list says was polled, logged, counted and kept among the worst.

use std::cell::RefCell;
use std::fmt;
use std::panic::Location;
use std::time::Duration;

use super::tasks::{self, TaskId};

/// The default [slow-poll threshold](crate::RuntimeBuilder::slow_poll_threshold): half a frame.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{testing::FakeLoop, Runtime, DEFAULT_SLOW_POLL};
///
/// // A laxer threshold than the default, for a machine known to be slow.
/// let laxer = Runtime::builder().slow_poll_threshold(DEFAULT_SLOW_POLL * 4);
/// let fake = FakeLoop::with_runtime(laxer);
/// # drop(fake);
/// ```
pub const DEFAULT_SLOW_POLL: Duration = Duration::from_millis(8);

/// How many slow polls [`slow_polls`] keeps (the worst of them).
const KEPT: usize = 16;

/// One poll of a coroutine that held the GUI thread for at least the slow-poll threshold:
/// while it ran, nothing else on the loop (painting, input, timers) could. See [`slow_polls`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{slow_polls, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// fake.block_on(spawn_local(async { std::thread::sleep(Duration::from_millis(20)) })).unwrap();
/// let worst = &slow_polls()[0];
/// assert!(worst.took >= Duration::from_millis(20));
/// println!("{} held the thread {:?} (spawned at {:?})", worst.label, worst.took, worst.spawned_at);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SlowPoll {
    /// The coroutine.
    pub id: TaskId,
    /// Its label (as in [`tasks`](crate::tasks)).
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

struct Recorder {
    threshold: Duration,
    count: u64,
    /// The worst recent ones, at most [`KEPT`], worst first.
    worst: Vec<SlowPoll>,
}

thread_local! {
    static RECORDER: RefCell<Recorder> = const {
        RefCell::new(Recorder { threshold: DEFAULT_SLOW_POLL, count: 0, worst: Vec::new() })
    };
}

/// Sets this thread's threshold and forgets earlier slow polls (a runtime's install).
pub(crate) fn reset(threshold: Duration) {
    RECORDER.with(|r| {
        let mut r = r.borrow_mut();
        r.threshold = threshold;
        r.count = 0;
        r.worst.clear();
    });
}

/// This thread's threshold.
pub(crate) fn threshold() -> Duration {
    RECORDER.with(|r| r.borrow().threshold)
}

/// A run of a task took `took`, at or over the threshold: name the coroutine the task list says
/// was polled (a run that only dropped a cancelled coroutine has none and is not named).
pub(crate) fn record(took: Duration) {
    let Some(polled) = tasks::last_polled() else {
        return;
    };
    let poll = SlowPoll {
        id: polled.id,
        label: polled.label,
        owner: polled.owner,
        spawned_at: polled.spawned_at,
        took,
    };
    tracing::warn!(
        target: "cxx_qt_async::slow_poll",
        coroutine = poll.id.get(),
        label = %poll.label,
        owner = poll.owner.as_deref().unwrap_or(""),
        took_ms = poll.took.as_secs_f64() * 1e3,
        "{poll}"
    );
    let _ = RECORDER.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.count += 1;
            let at = r.worst.partition_point(|p| p.took >= poll.took);
            if at < KEPT {
                r.worst.insert(at, poll);
                r.worst.truncate(KEPT);
            }
        }
    });
}

/// How many polls on this thread held it for at least the slow-poll threshold.
pub(crate) fn count() -> u64 {
    RECORDER.with(|r| r.borrow().count)
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
/// let load = window.spawn_local_labeled("load thumbnails", async {
///     std::thread::sleep(Duration::from_millis(20)); // blocking work on the GUI thread: a bug
/// });
/// load.detach();
/// fake.run_until(|| stats().live_coroutines == 0).unwrap();
/// let worst = &slow_polls()[0];
/// assert_eq!(worst.label, "load thumbnails");
/// assert_eq!(worst.owner.as_deref(), Some("MainWindow"));
/// assert!(worst.took >= Duration::from_millis(20));
/// assert_eq!(stats().slow_polls, 1);
/// ```
pub fn slow_polls() -> Vec<SlowPoll> {
    RECORDER.with(|r| r.borrow().worst.clone())
}
