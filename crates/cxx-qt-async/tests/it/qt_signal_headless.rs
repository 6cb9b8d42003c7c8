//! Awaiting a signal, headless: `next_emission` with a stand-in for a Qt signal (a handler list
//! and a connection guard), driven by the fake loop. The real Qt signal path is covered by the
//! GUI tests (the "ask mid-job" dialog).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cxx_qt_async::engine::{sleep, spawn_local, tasks, testing::FakeLoop, Task, TaskState};
use cxx_qt_async::{next_emission, Emitter, SignalGone};

type Handler = Box<dyn FnMut(bool)>;

/// A signal with one argument: connected handlers, called in order on `emit`.
#[derive(Default)]
struct FakeSignal {
    handlers: RefCell<Vec<Option<Handler>>>,
}

impl FakeSignal {
    fn connect(self: &Rc<Self>, mut tx: Emitter<bool>) -> Connection {
        let mut handlers = self.handlers.borrow_mut();
        handlers.push(Some(Box::new(move |yes| tx.emit(yes))));
        Connection {
            signal: Rc::clone(self),
            slot: handlers.len() - 1,
        }
    }

    /// Calls every connected handler; returns how many were called.
    fn emit(&self, yes: bool) -> usize {
        let mut called = 0;
        for handler in self.handlers.borrow_mut().iter_mut().flatten() {
            handler(yes);
            called += 1;
        }
        called
    }

    fn connected(&self) -> usize {
        self.handlers.borrow().iter().flatten().count()
    }

    /// The signal's object is destroyed: every connection (and its handler) goes.
    fn destroy(&self) {
        self.handlers.borrow_mut().clear();
    }
}

/// Disconnects on drop, like `QMetaObjectConnectionGuard`.
struct Connection {
    signal: Rc<FakeSignal>,
    slot: usize,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(handler) = self.signal.handlers.borrow_mut().get_mut(self.slot) {
            *handler = None;
        }
    }
}

/// A fake loop, a signal, and a coroutine awaiting the signal's next emission.
fn awaiting() -> (FakeLoop, Rc<FakeSignal>, Task<Result<bool, SignalGone>>) {
    let fake = FakeLoop::new();
    let signal = Rc::new(FakeSignal::default());
    let s = Rc::clone(&signal);
    let answer = spawn_local(async move { next_emission(|tx| s.connect(tx)).await });
    (fake, signal, answer)
}

#[test]
fn awaiting_a_signal_resumes_with_its_arguments_and_disconnects() {
    let (fake, signal, answer) = awaiting();
    fake.turn();
    assert_eq!(signal.connected(), 1, "connected while waiting");
    assert_eq!(tasks()[0].state, TaskState::Waiting { on: "signal" });
    signal.emit(true);
    assert_eq!(fake.block_on(answer).unwrap(), Ok(true));
    assert_eq!(
        signal.connected(),
        0,
        "disconnected once the emission arrived"
    );
}

#[test]
fn the_event_loop_keeps_running_while_a_coroutine_awaits_a_signal() {
    let (fake, signal, answer) = awaiting();
    // Another coroutine gets through three timer ticks meanwhile: no nested loop, no block.
    let ticks = fake
        .block_on(spawn_local(async {
            for _ in 0..3 {
                sleep(Duration::from_millis(2)).await;
            }
            3
        }))
        .unwrap();
    assert_eq!(ticks, 3);
    assert!(!answer.is_finished());
    signal.emit(false);
    assert_eq!(fake.block_on(answer).unwrap(), Ok(false));
}

#[test]
fn dropping_the_wait_disconnects() {
    let (fake, signal, answer) = awaiting();
    fake.turn();
    assert_eq!(signal.connected(), 1);
    drop(answer); // e.g. the dialog's owner was destroyed
    fake.turn(); // a cancelled coroutine's future is dropped at the next drain
    assert_eq!(signal.connected(), 0);
    assert_eq!(signal.emit(true), 0, "nobody listens any more");
}

#[test]
fn object_destroyed_before_emitting_gives_signal_gone() {
    let (fake, signal, answer) = awaiting();
    fake.turn();
    signal.destroy();
    assert_eq!(fake.block_on(answer).unwrap(), Err(SignalGone));
}

#[test]
fn only_the_first_emission_counts() {
    let (fake, signal, answer) = awaiting();
    fake.turn();
    signal.emit(false);
    signal.emit(true);
    assert_eq!(fake.block_on(answer).unwrap(), Ok(false));
}
