//! Refusals: a misuse the library refuses ends the offending coroutine (its handle says
//! `Refused`, naming the rule) instead of panicking, and is logged; outside a coroutine it is
//! only logged. A refused spawn is a handle resolved at once, runtime or not.

use cxx_qt_async_engine::integration::{refuse, refused_task};
use cxx_qt_async_engine::{spawn_local, testing::FakeLoop, yield_now, Scope, TaskError};
use std::cell::Cell;
use std::rc::Rc;

use crate::log_capture::capture;

/// Counts its own drop, and whether that was on the thread that made it.
struct Guard {
    drops: Rc<Cell<u32>>,
    made_on: std::thread::ThreadId,
}

impl Drop for Guard {
    fn drop(&mut self) {
        assert_eq!(std::thread::current().id(), self.made_on);
        self.drops.set(self.drops.get() + 1);
    }
}

fn guard(drops: &Rc<Cell<u32>>) -> Guard {
    Guard {
        drops: Rc::clone(drops),
        made_on: std::thread::current().id(),
    }
}

fn rule_of(out: Result<impl std::fmt::Debug, TaskError>) -> String {
    match out {
        Err(TaskError::Refused { rule, .. }) => rule,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_refusal_inside_a_coroutine_ends_it_once_its_poll_returns_and_its_handle_names_the_rule() {
    let fake = FakeLoop::new();
    let drops = Rc::new(Cell::new(0));
    let (g, went_on, resumed) = (
        guard(&drops),
        Rc::new(Cell::new(false)),
        Rc::new(Cell::new(false)),
    );
    let (w, r) = (Rc::clone(&went_on), Rc::clone(&resumed));
    let task = spawn_local(async move {
        let _g = g;
        assert!(
            refuse("test rule: no widget twice"),
            "a coroutine was being polled"
        );
        w.set(true); // the refused call returned: the poll goes on to its next await
        yield_now().await; // Pending once: the poll ends here
        r.set(true);
    });
    assert_eq!(rule_of(fake.block_on(task)), "test rule: no widget twice");
    assert!(went_on.get(), "the poll ran on after the refused call");
    assert!(!resumed.get(), "never polled again");
    assert_eq!(drops.get(), 1, "its future was dropped, on this thread");
}

#[test]
fn a_refusal_wins_over_the_value_its_poll_returned() {
    let fake = FakeLoop::new();
    let task = spawn_local(async {
        refuse("test rule: the value is suspect");
        7
    });
    assert_eq!(
        rule_of(fake.block_on(task)),
        "test rule: the value is suspect"
    );
}

#[test]
fn a_refusal_ends_only_the_coroutine_being_polled() {
    let fake = FakeLoop::new();
    let scope = Scope::new();
    let offender = scope.spawn_local(async {
        refuse("test rule: only me");
    });
    let bystander = scope.spawn_local(async {
        yield_now().await;
        "fine"
    });
    assert_eq!(rule_of(fake.block_on(offender)), "test rule: only me");
    assert_eq!(fake.block_on(bystander), Ok("fine"));
}

#[test]
fn a_refusal_outside_any_coroutine_is_only_logged() {
    let fake = FakeLoop::new();
    let (refused, log) = capture(|| refuse("test rule: not in a coroutine"));
    assert!(!refused);
    assert!(
        log.iter()
            .any(|l| l.starts_with("ERROR cxx_qt_async_engine:")
                && l.contains("test rule: not in a coroutine")),
        "{log:?}"
    );
    // Nothing pending: the next coroutine is not ended by it.
    assert_eq!(fake.block_on(spawn_local(async { 1 })), Ok(1));
}

#[test]
fn a_refusal_inside_a_coroutine_is_logged_with_the_rule_and_the_coroutine() {
    let fake = FakeLoop::new();
    let task = spawn_local(async {
        refuse("test rule: logged");
    });
    let id = task.id();
    let (out, log) = capture(|| fake.block_on(task));
    assert_eq!(rule_of(out), "test rule: logged");
    assert!(
        log.iter()
            .any(|l| l.starts_with("ERROR cxx_qt_async_engine:")
                && l.contains("test rule: logged")
                && l.contains(&id.to_string())),
        "{log:?}"
    );
}

#[test]
fn a_refused_coroutine_shows_the_rule_in_its_error() {
    let fake = FakeLoop::new();
    let err = fake
        .block_on(spawn_local(async {
            refuse("test rule: shown");
        }))
        .unwrap_err();
    assert_eq!(err.to_string(), "coroutine ended: test rule: shown");
}

#[test]
fn a_refused_spawn_resolves_at_once_on_a_thread_without_a_runtime() {
    std::thread::spawn(|| {
        assert!(!cxx_qt_async_engine::has_runtime());
        let task = refused_task::<Rc<u32>>("test rule: no spawn here");
        assert!(task.is_finished());
        let out = futures::executor::block_on(task);
        assert_eq!(rule_of(out), "test rule: no spawn here");
    })
    .join()
    .unwrap();
}

#[test]
fn a_refused_spawns_cancel_gives_its_refusal() {
    let fake = FakeLoop::new();
    let out = fake.block_on(refused_task::<u32>("test rule: cancelled refusal").cancel());
    match out {
        Some(Err(TaskError::Refused { rule, .. })) => {
            assert_eq!(rule, "test rule: cancelled refusal")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_spawn_is_logged() {
    let (task, log) = capture(|| refused_task::<()>("test rule: refused spawn"));
    drop(task);
    assert!(
        log.iter()
            .any(|l| l.starts_with("ERROR cxx_qt_async_engine:")
                && l.contains("test rule: refused spawn")),
        "{log:?}"
    );
}
