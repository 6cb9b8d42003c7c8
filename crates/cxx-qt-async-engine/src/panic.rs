//! Turning panics into values: the payload's message, where it happened, and a backtrace
//! captured on the panicking thread.
//!
//! `catch_unwind` alone loses the location and the stack. A process-wide panic hook, installed
//! once, records both into a thread-local on the threads that ask for it (the worker threads,
//! and the GUI thread while it polls coroutines), and **always** calls the hook that was
//! installed before it: the application's crash reporter, or Rust's default hook (which prints
//! the panic, and the backtrace under `RUST_BACKTRACE`), sees every panic, contained or not.
//! A hook the application installs later, replacing ours, gets ours put back in front of it
//! (at the next drain: one atomic load each), so it too sees every panic, and locations are
//! kept. A record is used only for the panic it was made for (same message, made since the
//! catch began), never for a later one the hook did not see (`resume_unwind`).

use std::any::Any;
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::panic::{self, PanicHookInfo};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;

/// What a caught panic left behind.
#[derive(Debug)]
pub(crate) struct CaughtPanic {
    /// The payload as text (`&str` and `String` payloads; anything else is described).
    pub(crate) message: String,
    /// `file:line:column` of the `panic!`, when the hook saw it.
    pub(crate) location: Option<String>,
    /// The stack of the panicking thread, when the hook saw it.
    pub(crate) backtrace: Option<Box<Backtrace>>,
}

/// What the hook recorded of one panic.
struct Record {
    /// Which panic of this thread it was (see [`mark`]).
    seq: u64,
    message: String,
    location: String,
    backtrace: Backtrace,
}

thread_local! {
    static CAPTURE: Cell<bool> = const { Cell::new(false) };
    /// How many panics the hook saw on this thread.
    static SEEN: Cell<u64> = const { Cell::new(0) };
    static LAST: RefCell<Option<Record>> = const { RefCell::new(None) };
}

/// Our hook is in place: cleared when it is dropped (`set_hook` replaced it, or `take_hook`'s
/// caller dropped it), so the next drain (or caught panic) puts it back in front.
static INSTALLED: AtomicBool = AtomicBool::new(false);
static INSTALLING: Mutex<()> = Mutex::new(());

/// Clears [`INSTALLED`] when the hook that owns it is dropped.
struct Sentinel;

impl Drop for Sentinel {
    fn drop(&mut self) {
        INSTALLED.store(false, Ordering::Release);
    }
}

/// Installs the recording hook, chained to whatever hook is there, unless it is in place. The
/// check is one atomic load: the runtime's installation and every drain call it, so a hook
/// that the application sets later (replacing ours) gets ours put back in front of it, and a
/// coroutine's panic keeps its location.
pub(crate) fn install_hook() {
    if !INSTALLED.load(Ordering::Acquire) {
        reinstall();
    }
}

#[cold]
fn reinstall() {
    // `take_hook` panics on a panicking thread; the next call puts it back.
    if thread::panicking() {
        return;
    }
    let _one = INSTALLING.lock().unwrap_or_else(PoisonError::into_inner);
    if INSTALLED.load(Ordering::Acquire) {
        return;
    }
    let previous = panic::take_hook();
    let sentinel = Sentinel;
    INSTALLED.store(true, Ordering::Release);
    panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
        let _installed = &sentinel;
        record(info);
        previous(info);
    }));
}

/// The hook's own work: count the panic and, on a thread that asked, record it.
fn record(info: &PanicHookInfo<'_>) {
    // try_with: a panic during thread teardown must not panic again in here.
    let Ok(seq) = SEEN.try_with(|s| {
        s.set(s.get() + 1);
        s.get()
    }) else {
        return;
    };
    if CAPTURE.try_with(Cell::get).unwrap_or(false) {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let record = Record {
            seq,
            message: panic_message(info.payload()),
            location,
            backtrace: Backtrace::force_capture(),
        };
        let _ = LAST.try_with(|last| {
            if let Ok(mut last) = last.try_borrow_mut() {
                *last = Some(record);
            }
        });
    }
}

/// Marks this thread as one whose panics are recorded (the hook installed before ours still
/// sees, and prints, every one of them).
pub(crate) struct CaptureScope {
    was: bool,
}

impl CaptureScope {
    pub(crate) fn enter() -> Self {
        Self {
            was: CAPTURE.with(|c| c.replace(true)),
        }
    }
}

impl Drop for CaptureScope {
    fn drop(&mut self) {
        let _ = CAPTURE.try_with(|c| c.set(self.was));
    }
}

/// Where this thread's panics stand: take it before the code whose panic [`caught`] turns into
/// a value, so that only a panic the hook saw after it lends its location.
#[inline]
pub(crate) fn mark() -> u64 {
    SEEN.try_with(Cell::get).unwrap_or(0)
}

/// Builds a [`CaughtPanic`] from a `catch_unwind` payload and what the hook recorded of it: a
/// record is used only if the hook made it after `since` ([`mark`]) and for the same message,
/// so a panic the hook never saw (`resume_unwind`, a hook that replaced ours and does not call
/// it) gets no location rather than an older panic's.
pub(crate) fn caught(payload: &(dyn Any + Send), since: u64) -> CaughtPanic {
    let message = panic_message(payload);
    let record = LAST
        .try_with(|last| last.try_borrow_mut().ok()?.take())
        .ok()
        .flatten()
        .filter(|r| r.seq > since && r.message == message);
    if record.is_none() {
        install_hook(); // ours was replaced: back in front for the next panic
    }
    let (location, backtrace) = match record {
        Some(r) => (Some(r.location), Some(Box::new(r.backtrace))),
        None => (None, None),
    };
    CaughtPanic {
        message,
        location,
        backtrace,
    }
}

/// The text of a panic's payload (what `catch_unwind` returns): the message of `panic!("...")`
/// (a `&str`) or of `panic!("{x}")` (a `String`), else a description. The one place the engine,
/// the Qt layer and their users turn a payload into text.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::panic_message;
///
/// let literal = std::panic::catch_unwind(|| panic!("literal")).unwrap_err();
/// assert_eq!(panic_message(&*literal), "literal");
/// let formatted = std::panic::catch_unwind(|| panic!("{}", 42)).unwrap_err();
/// assert_eq!(panic_message(&*formatted), "42");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a payload that is not text".to_owned()
    }
}
