//! No panic lost, no hang: a panic in a coroutine's destructor (on `cancel()`, on its owner's
//! death, on a plain handle drop, at shutdown) is caught and goes to whoever awaits the
//! coroutine, else to the report hook; a report hook may panic or replace itself; panics keep
//! their location and payload.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cxx_qt_async_engine::{
    set_report_hook, sleep, spawn_local, testing::FakeLoop, Runtime, Scope, TaskError,
};

use crate::child::in_child;

/// Panics with its message when dropped.
struct PanicsOnDrop(&'static str);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("{}", self.0);
    }
}

/// Parks forever, holding a guard that panics when dropped.
async fn parked_with(guard: PanicsOnDrop) {
    let _guard = guard;
    std::future::pending::<()>().await;
}

fn panic_message_of<T: std::fmt::Debug>(out: Result<T, TaskError>) -> String {
    match out {
        Err(TaskError::Panicked { message, .. }) => message,
        other => panic!("expected a panic, got {other:?}"),
    }
}

/// Every report the hook got, as text (set in a child process: the hook is process-wide).
fn collect_reports() -> Arc<Mutex<Vec<String>>> {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&reports);
    set_report_hook(move |report| sink.lock().unwrap().push(report.to_string()));
    reports
}

#[test]
fn cancelling_a_coroutine_whose_destructor_panics_resolves_to_that_panic() {
    in_child(
        module_path!(),
        "cancelling_a_coroutine_whose_destructor_panics_resolves_to_that_panic",
        || {
            let fake = FakeLoop::new();
            let victim = spawn_local(parked_with(PanicsOnDrop("destructor panic on cancel")));
            fake.turn(); // parked
            let out = fake
                .block_on(spawn_local(async move { victim.cancel().await }))
                .unwrap();
            match out {
                Some(Err(TaskError::Panicked { message, .. })) => {
                    assert_eq!(message, "destructor panic on cancel")
                }
                other => panic!("expected the destructor's panic, got {other:?}"),
            }
        },
    );
}

#[test]
fn a_scope_forgets_its_coroutine_whose_destructor_panicked_on_cancel() {
    in_child(
        module_path!(),
        "a_scope_forgets_its_coroutine_whose_destructor_panicked_on_cancel",
        || {
            let fake = FakeLoop::new();
            let scope = Scope::new();
            let victim = scope.spawn_local(parked_with(PanicsOnDrop("scoped destructor panic")));
            fake.turn();
            assert_eq!(scope.len(), 1);
            let _ = fake.block_on(spawn_local(async move { victim.cancel().await }));
            assert!(scope.is_empty(), "its scope still counts it");
        },
    );
}

#[test]
fn a_destructor_panic_of_a_coroutine_dropped_with_its_handle_reaches_the_report_hook() {
    in_child(
        module_path!(),
        "a_destructor_panic_of_a_coroutine_dropped_with_its_handle_reaches_the_report_hook",
        || {
            let reports = collect_reports();
            let fake = FakeLoop::new();
            let victim = spawn_local(parked_with(PanicsOnDrop("destructor panic on drop")));
            fake.turn();
            drop(victim); // dropped at the next drain
            fake.run_until(|| !reports.lock().unwrap().is_empty())
                .unwrap_or_else(|_| panic!("nothing reported"));
            let reports = reports.lock().unwrap();
            assert!(
                reports[0].contains("panicked: destructor panic on drop"),
                "{reports:?}"
            );
            // The app lives on.
            assert_eq!(fake.block_on(spawn_local(async { 1 })), Ok(1));
        },
    );
}

#[test]
fn a_destructor_panic_of_a_coroutine_whose_owner_went_reaches_its_handle() {
    let fake = FakeLoop::new();
    let scope = Scope::new();
    let victim = scope.spawn_local(parked_with(PanicsOnDrop("destructor panic, owner gone")));
    fake.turn();
    drop(scope);
    assert_eq!(
        panic_message_of(fake.block_on(victim)),
        "destructor panic, owner gone"
    );
}

#[test]
fn a_destructor_panic_of_a_finished_coroutine_reaches_its_handle() {
    /// Ready at once; panics when dropped (after it gave its value).
    struct ReadyThenPanics;
    impl std::future::Future for ReadyThenPanics {
        type Output = u32;
        fn poll(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<u32> {
            std::task::Poll::Ready(1)
        }
    }
    impl Drop for ReadyThenPanics {
        fn drop(&mut self) {
            panic!("dropped after its value");
        }
    }
    let fake = FakeLoop::new();
    let out = fake.block_on(spawn_local(ReadyThenPanics));
    assert_eq!(panic_message_of(out), "dropped after its value");
}

#[test]
fn a_destructor_panic_at_shutdown_reaches_the_handle_held_across_it() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(Runtime::builder());
    let victim = spawn_local(async {
        let _guard = PanicsOnDrop("destructor panic at shutdown");
        sleep(Duration::from_secs(3600)).await;
    });
    fake.turn();
    drop(runtime);
    let out = fake
        .try_block_on(victim)
        .expect("the handle resolves after shutdown");
    assert_eq!(panic_message_of(out), "destructor panic at shutdown");
}

#[test]
fn a_destructor_panic_at_shutdown_of_a_detached_coroutine_reaches_the_report_hook() {
    in_child(
        module_path!(),
        "a_destructor_panic_at_shutdown_of_a_detached_coroutine_reaches_the_report_hook",
        || {
            let reports = collect_reports();
            let fake = FakeLoop::new_uninstalled();
            let runtime = fake.install(Runtime::builder());
            spawn_local(async {
                let _guard = PanicsOnDrop("detached destructor panic at shutdown");
                sleep(Duration::from_secs(3600)).await;
            })
            .detach();
            fake.turn();
            drop(runtime);
            let reports = reports.lock().unwrap();
            assert!(
                reports
                    .iter()
                    .any(|r| r.contains("panicked: detached destructor panic at shutdown")),
                "{reports:?}"
            );
        },
    );
}

#[test]
fn a_task_whose_coroutine_never_ran_before_shutdown_resolves_to_cancelled() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(Runtime::builder());
    let never_polled = spawn_local(async { 1 });
    drop(runtime);
    assert_eq!(
        fake.try_block_on(never_polled).unwrap(),
        Err(TaskError::Cancelled)
    );
}

#[test]
fn a_report_hook_that_panics_is_caught_and_the_app_lives_on() {
    in_child(
        module_path!(),
        "a_report_hook_that_panics_is_caught_and_the_app_lives_on",
        || {
            let calls = Arc::new(Mutex::new(0));
            let count = Arc::clone(&calls);
            set_report_hook(move |_| {
                *count.lock().unwrap() += 1;
                panic!("the report hook itself panicked");
            });
            let fake = FakeLoop::new();
            spawn_local(async { anyhow::Result::<()>::Err(anyhow::anyhow!("a failure")) }).detach();
            spawn_local(async { panic!("a detached panic") }).detach();
            fake.run_until(|| *calls.lock().unwrap() == 2).unwrap();
            assert_eq!(
                fake.block_on(spawn_local(async { 2 })),
                Ok(2),
                "the app lives on"
            );
        },
    );
}

#[test]
fn a_report_hook_may_replace_itself() {
    in_child(module_path!(), "a_report_hook_may_replace_itself", || {
        let reports = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&reports);
        set_report_hook(move |report| {
            sink.lock().unwrap().push(format!("first: {report}"));
            let sink = Arc::clone(&sink);
            set_report_hook(move |report| sink.lock().unwrap().push(format!("second: {report}")));
        });
        let fake = FakeLoop::new();
        spawn_local(async { panic!("one") }).detach();
        fake.run_until(|| reports.lock().unwrap().len() == 1)
            .unwrap();
        spawn_local(async { panic!("two") }).detach();
        fake.run_until(|| reports.lock().unwrap().len() == 2)
            .unwrap();
        let reports = reports.lock().unwrap();
        assert!(
            reports[0].starts_with("first:") && reports[0].contains("one"),
            "{reports:?}"
        );
        assert!(
            reports[1].starts_with("second:") && reports[1].contains("two"),
            "{reports:?}"
        );
    });
}

#[test]
fn a_panic_hook_installed_after_the_runtime_keeps_the_panics_location() {
    in_child(
        module_path!(),
        "a_panic_hook_installed_after_the_runtime_keeps_the_panics_location",
        || {
            let fake = FakeLoop::new();
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&seen);
            // The application's crash reporter, set after the runtime (it replaces the hook).
            std::panic::set_hook(Box::new(move |info| {
                sink.lock()
                    .unwrap()
                    .push(cxx_qt_async_engine::panic_message(info.payload()));
            }));
            let line = line!() + 1;
            let out = fake.block_on(spawn_local(async { panic!("after the new hook") }));
            match out {
                Err(TaskError::Panicked {
                    message, location, ..
                }) => {
                    assert_eq!(message, "after the new hook");
                    let location = location.expect("a location");
                    assert!(
                        location.contains(&format!("engine_destructors.rs:{line}:")),
                        "{location}"
                    );
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(
                *seen.lock().unwrap(),
                ["after the new hook"],
                "the application's hook saw it"
            );
        },
    );
}

#[test]
fn a_resumed_panic_never_gets_an_older_panics_location() {
    let fake = FakeLoop::new();
    // A panic the coroutine catches itself: the hook records it, nobody takes the record.
    let caught = fake.block_on(spawn_local(async {
        std::panic::catch_unwind(|| panic!("caught by the coroutine")).is_err()
    }));
    assert_eq!(caught, Ok(true));
    // A panic the hook never sees.
    let out = fake.block_on(spawn_local(async {
        std::panic::resume_unwind(Box::new("resumed, no hook"))
    }));
    match out {
        Err(TaskError::Panicked {
            message, location, ..
        }) => {
            assert_eq!(message, "resumed, no hook");
            assert_eq!(location, None, "not the earlier panic's location");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_coroutines_panic_payload_can_be_re_raised() {
    #[derive(Debug, PartialEq)]
    struct Crash(u32);
    let fake = FakeLoop::new();
    let err = fake
        .block_on(spawn_local(async { std::panic::panic_any(Crash(7)) }))
        .unwrap_err();
    let copy = err.clone();
    assert_eq!(err, copy, "clones compare equal");
    let payload = err.into_panic();
    assert_eq!(payload.downcast_ref::<Crash>(), Some(&Crash(7)));
    let resumed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        std::panic::resume_unwind(payload)
    }))
    .unwrap_err();
    assert_eq!(resumed.downcast_ref::<Crash>(), Some(&Crash(7)));
    // The clone's payload was taken: it re-raises the message.
    assert!(copy.into_panic().downcast_ref::<String>().is_some());
}

#[test]
fn a_coroutines_own_error_is_not_a_panic_to_re_raise() {
    let fake = FakeLoop::new();
    let scope = Scope::new();
    let nap = scope.spawn_local(sleep(Duration::from_secs(60)));
    drop(scope);
    let err = fake.block_on(nap).unwrap_err();
    assert!(err.is_cancelled() && !err.is_panic());
    assert_eq!(err.try_into_panic().unwrap_err(), TaskError::Cancelled);
}
