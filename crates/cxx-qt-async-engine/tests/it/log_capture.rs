//! The engine's `tracing` events on this thread, captured (a minimal subscriber: the engine's
//! tests need no `tracing-subscriber`).

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Runs `f` with this thread's events captured; returns its value and the events, each as
/// "LEVEL target: message".
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let out = tracing::subscriber::with_default(Capture(Arc::clone(&events)), f);
    let events = events.lock().unwrap().clone();
    (out, events)
}

struct Capture(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let meta = event.metadata();
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {}: {}", meta.level(), meta.target(), message.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
