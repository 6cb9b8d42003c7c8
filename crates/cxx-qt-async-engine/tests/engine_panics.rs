//! No panic is lost: the application's own panic hook (installed before the runtime) sees every
//! panic the engine contains, and each still becomes the awaiting task's error; a failure
//! nobody awaits goes to the report hook.
//!
//! The panic hook is process-wide: this binary's tests each look only for their own messages.

use std::sync::{Mutex, OnceLock};

use cxx_qt_async_engine::{
    panic_message, set_report_hook, spawn_blocking, spawn_local, testing::FakeLoop, JobError,
    Scope, TaskError,
};

/// Every panic message the application's hook saw, in this process.
fn seen() -> &'static Mutex<Vec<String>> {
    static SEEN: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SEEN.get_or_init(|| {
        // The application's hook, installed before any runtime: the engine's chains to it.
        // It chains to the default one in turn (so a failing test still prints its panic).
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = panic_message(info.payload());
            seen().lock().unwrap().push(message);
            default(info);
        }));
        Mutex::new(Vec::new())
    })
}

fn saw(message: &str) -> bool {
    seen().lock().unwrap().iter().any(|m| m == message)
}

/// Every coroutine report in this process, as text (one report hook, set once: the tests of
/// this binary run at the same time, each looks for its own reports).
fn reports() -> &'static Mutex<Vec<String>> {
    static REPORTS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        set_report_hook(|report| reports().lock().unwrap().push(report.to_string()));
        Mutex::new(Vec::new())
    })
}

fn reported(needle: &str) -> bool {
    reports().lock().unwrap().iter().any(|r| r.contains(needle))
}

#[test]
fn the_applications_own_hook_sees_a_job_panic_and_the_await_gets_it() {
    seen();
    let fake = FakeLoop::new();
    let err = fake
        .block_on(spawn_blocking(|| -> u32 {
            panic!("job panic seen by the app")
        }))
        .unwrap_err();
    assert!(
        matches!(&err, JobError::Panicked { message, .. } if message == "job panic seen by the app"),
        "{err}"
    );
    assert!(saw("job panic seen by the app"));
}

#[test]
fn the_applications_own_hook_sees_a_coroutine_panic_and_the_handle_gets_it() {
    seen();
    let fake = FakeLoop::new();
    let err = fake
        .block_on(spawn_local(async {
            panic!("coroutine panic seen by the app")
        }))
        .unwrap_err();
    assert!(
        matches!(&err, TaskError::Panicked { message, location: Some(_), .. } if message == "coroutine panic seen by the app"),
        "{err:?}"
    );
    assert!(saw("coroutine panic seen by the app"));
}

#[test]
fn a_literal_panic_message_is_kept_whole() {
    // `panic!("literal")` carries a `&str` payload, `panic!("{x}")` a `String`: both read back.
    seen();
    let fake = FakeLoop::new();
    let err = fake
        .block_on(spawn_local(async { panic!("a literal") }))
        .unwrap_err();
    assert_eq!(
        err.to_string().split(" (at ").next(),
        Some("coroutine panicked: a literal")
    );
}

#[test]
fn a_detached_coroutines_error_and_panic_reach_the_report_hook() {
    seen();
    reports();
    let fake = FakeLoop::new();
    let scope = Scope::new();
    scope
        .spawn_local(async { anyhow::Result::<()>::Err(anyhow::anyhow!("nobody awaited this")) })
        .detach();
    spawn_local(async { panic!("nobody awaited this panic") }).detach();
    fake.run_until(|| {
        reported("failed: nobody awaited this") && reported("panicked: nobody awaited this panic")
    })
    .unwrap_or_else(|_| panic!("reported: {:?}", reports().lock().unwrap()));
}

#[test]
fn a_detached_refused_coroutine_reaches_the_report_hook() {
    seen();
    reports();
    let fake = FakeLoop::new();
    spawn_local(async {
        cxx_qt_async_engine::integration::refuse("report rule: detached and refused");
    })
    .detach();
    cxx_qt_async_engine::integration::refused_task::<()>("report rule: a refused spawn, detached")
        .detach();
    fake.run_until(|| {
        reported("was ended: report rule: detached and refused")
            && reported("was ended: report rule: a refused spawn, detached")
    })
    .unwrap_or_else(|_| panic!("reported: {:?}", reports().lock().unwrap()));
}
