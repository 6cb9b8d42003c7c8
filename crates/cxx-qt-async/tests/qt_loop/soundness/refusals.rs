//! Refusals end the offending coroutine, never the app: inside a signal handler, inside an
//! invokable (behind cxx's shims), and dropping the runtime anywhere.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cxx::UniquePtr;
use cxx_qt::CxxQtType as _;
use cxx_qt_async::engine::{self, sleep, spawn_blocking, spawn_local, TaskError};
use cxx_qt_async::{LendRefused, QObjectBox, QObjectSpawn, QtRuntime};
use cxx_qt_async_examples::probe::qobject::{new_probe, Probe};
use cxx_qt_async_examples::probe::KEPT;
use cxx_qt_lib::QCoreApplication;

use super::harness::{expect, load_qml_adopting, qml_probe, until, Outcome, RUNTIME};
use super::lends::{refused_with, value_of};

thread_local! {
    /// What the lend inside a signal handler returned.
    static HANDLER_SAW: RefCell<Option<Result<(), LendRefused>>> = const { RefCell::new(None) };
}

/// The runtime still works: a job round trip, and a coroutine woken by a timer.
async fn still_working() -> Outcome {
    let answer = spawn_local(async { spawn_blocking(|| 41 + 1).await }).await;
    expect(
        matches!(answer, Ok(Ok(42))),
        format!("a job after the refusal: {answer:?}"),
    )?;
    sleep(Duration::from_millis(2)).await;
    Ok(())
}

/// A signal emitted inside `with` reaches a handler that asks for a lend of the same object:
/// the handler gets the refusal (a panic there aborted the process, behind cxx's shim), the
/// coroutine ends, and the app lives on.
pub async fn a_with_refused_inside_a_signal_handler_ends_the_coroutine_and_the_app_lives_on(
) -> Outcome {
    let probe = qml_probe().await?;
    KEPT.with(|k| *k.borrow_mut() = Some(probe.clone()));
    let out = probe
        .spawn_local(|this| async move {
            this.with(|mut o| {
                let _connection = o.as_mut().on_poked(|_| {
                    let lent =
                        KEPT.with(|k| k.borrow().as_ref().map(|h| h.with(|o| o.set_value(3))));
                    HANDLER_SAW.with(|s| *s.borrow_mut() = lent);
                });
                o.as_mut().poked();
            })
        })
        .await;
    KEPT.with(|k| k.borrow_mut().take());
    let saw = HANDLER_SAW.with(|s| s.borrow_mut().take());
    expect(
        saw == Some(Err(LendRefused::AlreadyLent)),
        format!("the handler's lend: {saw:?}"),
    )?;
    refused_with(&out, "inside another `with`")?;
    let value = value_of(&probe).await?;
    expect(value == 0, format!("the object was touched: {value}"))?;
    still_working().await
}

/// QML calls an invokable of one probe that uses a handle of another, kept outside its
/// coroutines: refused there (a panic aborted the process, behind cxx's shim), the invokable
/// returns, and the app lives on.
pub async fn an_escaped_handle_used_from_an_invokable_is_refused_and_the_app_lives_on() -> Outcome {
    let escaped = qml_probe().await?;
    KEPT.with(|k| *k.borrow_mut() = Some(escaped.clone()));
    // The timer calls the invokable from the event loop, outside any coroutine; the caller
    // records what it returned (1: lent, 2: refused) in its own value.
    let caller = load_qml_adopting(
        "import QtQml\nimport CxxQtAsyncExamples\n\
         QtObject {\n\
           property Probe caller: Probe { Component.onCompleted: adopt() }\n\
           property Timer call: Timer {\n\
             interval: 1; running: true\n\
             onTriggered: caller.value = caller.use_kept_handle() ? 1 : 2\n\
           }\n\
         }",
    )
    .await?;
    let mut answer = 0;
    for _ in 0..2000 {
        answer = value_of(&caller).await?;
        if answer != 0 {
            break;
        }
        sleep(Duration::from_millis(1)).await;
    }
    KEPT.with(|k| k.borrow_mut().take());
    expect(
        answer == 2,
        format!("the invokable's lend (1 lent, 2 refused): {answer}"),
    )?;
    let value = value_of(&escaped).await?;
    expect(
        value == 0,
        format!("the escaped object was touched: {value}"),
    )?;
    still_working().await
}

/// A coroutine drops the runtime that runs it: refused without a panic (the coroutine ends
/// refused), and the runtime keeps working.
pub async fn dropping_the_qt_runtime_inside_a_coroutine_is_refused_and_it_keeps_working() -> Outcome
{
    let out = spawn_local(async {
        let runtime = RUNTIME.with(|r| r.borrow_mut().take());
        drop(runtime); // the runtime that runs this very coroutine
        "went on"
    })
    .await;
    refused_with(&out, "may not be dropped from inside one of its coroutines")?;
    still_working().await
}

/// A coroutine that owns the runtime panics: the runtime is dropped during the unwind (a panic
/// in `Drop` while unwinding aborted the process); the coroutine ends, the app lives on.
pub async fn a_coroutine_that_owns_the_runtime_and_panics_ends_panicked_and_the_app_lives_on(
) -> Outcome {
    let out = spawn_local(async {
        let _runtime = RUNTIME.with(|r| r.borrow_mut().take());
        if engine::has_runtime() {
            panic!("the coroutine that owns the runtime panics");
        }
    })
    .await;
    expect(
        matches!(
            out,
            Err(TaskError::Panicked { .. } | TaskError::Refused { .. })
        ),
        format!("the coroutine: {out:?}"),
    )?;
    still_working().await
}

/// A QObject's backing struct owns the runtime, and the object is destroyed inside a drain:
/// the runtime's drop runs inside the C++ destructor (where a panic aborted the process), is
/// refused, and the runtime keeps working.
pub async fn a_runtime_dropped_by_a_cpp_destructor_inside_a_drain_is_refused() -> Outcome {
    let boxed = Rc::new(RefCell::new(Some(QObjectBox::new(new_probe()))));
    let handle = boxed.borrow().as_ref().expect("a box").handle();
    let armed = handle
        .spawn_local(|this| async move {
            let runtime = RUNTIME.with(|r| r.borrow_mut().take());
            this.with(|mut o| {
                o.as_mut().rust_mut().on_drop = Some(Box::new(move || drop(runtime)));
            })
        })
        .await;
    expect(matches!(armed, Ok(Ok(()))), format!("{armed:?}"))?;
    let owner = Rc::clone(&boxed);
    let out = spawn_local(async move {
        // C++ destructor -> the backing struct's drop -> QtRuntime::drop, inside a drain.
        drop(owner.borrow_mut().take());
        "went on"
    })
    .await;
    refused_with(&out, "may not be dropped from inside one of its coroutines")?;
    until(|| !handle.is_alive()).await?;
    still_working().await
}

thread_local! {
    /// The bare probe the guard spawns on, and what its spawn gave.
    static OTHER: RefCell<Option<UniquePtr<Probe>>> = const { RefCell::new(None) };
    static LATE_SPAWN: RefCell<Option<Result<(), TaskError>>> = const { RefCell::new(None) };
}

/// Spawns on [`OTHER`] when dropped.
struct SpawnOnDrop;

impl Drop for SpawnOnDrop {
    fn drop(&mut self) {
        OTHER.with(|other| {
            if let Some(other) = other.borrow_mut().as_mut() {
                let task = other.pin_mut().spawn_local(|_| async {});
                let finished = task.is_finished();
                let out = futures::executor::block_on(async move {
                    if finished {
                        task.await
                    } else {
                        task.detach();
                        Ok(())
                    }
                });
                LATE_SPAWN.with(|l| *l.borrow_mut() = Some(out));
            }
        });
    }
}

/// The runtime's shutdown drops a coroutine whose destructor spawns on a QObject: refused
/// (before, it installed a second, implicit runtime that never drained).
pub fn a_spawn_while_the_qt_runtime_shuts_down_installs_no_second_runtime() -> Outcome {
    let mut app = QCoreApplication::new();
    let runtime = QtRuntime::install();
    OTHER.with(|o| *o.borrow_mut() = Some(new_probe()));
    // Parked on a timer: the runtime's shutdown drops it (and so runs its guard).
    spawn_local(async {
        let _guard = SpawnOnDrop;
        sleep(Duration::from_secs(3600)).await;
    })
    .detach();
    spawn_local(async {
        sleep(Duration::from_millis(20)).await;
        cxx_qt_async_test_support::quit();
    })
    .detach();
    if let Some(app) = app.as_mut() {
        app.exec();
    }
    drop(runtime);
    let second = engine::has_runtime();
    let late = LATE_SPAWN.with(|l| l.borrow_mut().take());
    OTHER.with(|o| o.borrow_mut().take());
    drop(app);
    expect(
        !second,
        "a second runtime was installed while the first shut down",
    )?;
    expect(
        matches!(late, Some(Err(TaskError::Refused { .. }))),
        format!("the spawn during the shutdown: {late:?}"),
    )
}
