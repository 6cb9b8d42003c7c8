//! Turning panics into values: the payload's message, where it happened, and a backtrace
//! captured on the panicking thread.
//!
//! `catch_unwind` alone loses the location and the stack. A process-wide panic hook, installed
//! once, records both into a thread-local on the threads that ask for it (the worker threads,
//! and the GUI thread while it polls coroutines), and **always** calls the hook that was
//! installed before it: the application's crash reporter, or Rust's default hook (which prints
//! the panic, and the backtrace under `RUST_BACKTRACE`), sees every panic, contained or not.

use std::any::Any;
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::panic::{self, PanicHookInfo};
use std::sync::Once;

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

thread_local! {
    static CAPTURE: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<Option<(String, Backtrace)>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs the recording hook (once per process), chained to whatever hook was there.
pub(crate) fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            // try_with: a panic during thread teardown must not panic again in here.
            if CAPTURE.try_with(Cell::get).unwrap_or(false) {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                let trace = Backtrace::force_capture();
                let _ = LAST.try_with(|last| *last.borrow_mut() = Some((location, trace)));
            }
            previous(info);
        }));
    });
}

/// Marks this thread as one whose panics are recorded (and not printed by the default hook).
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

/// Builds a [`CaughtPanic`] from a `catch_unwind` payload and what the hook recorded.
pub(crate) fn caught(payload: Box<dyn Any + Send>) -> CaughtPanic {
    let (location, backtrace) = match LAST.with(|last| last.borrow_mut().take()) {
        Some((location, backtrace)) => (Some(location), Some(Box::new(backtrace))),
        None => (None, None),
    };
    CaughtPanic {
        message: panic_message(payload.as_ref()),
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
