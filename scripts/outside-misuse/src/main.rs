//! Each misuse of cxx-qt-async's public API that an outside review tried (issue 24), run in a
//! child process of its own: `misuse CASE` prints `refused: CASE: ...` when the library
//! refused it and the app lived on, `UNSOUND: ...` when it did not; a crash or a hang shows as
//! the child's status. `misuse` alone runs every case and exits non-zero unless each was
//! refused cleanly.

mod victim;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use cxx::UniquePtr;
use cxx_qt::CxxQtType as _;
use cxx_qt_async::engine::{set_report_hook, sleep, spawn_blocking, spawn_local, TaskError};
use cxx_qt_async::{LendRefused, QObjectBox, QObjectRef, QObjectSpawn, QtRuntime};
use cxx_qt_lib::{QByteArray, QGuiApplication, QQmlApplicationEngine, QString, QUrl};
use victim::qobject::{new_victim, Victim};
use victim::{ADOPTED, KEPT};

type Outcome = Result<String, String>;
type Case = fn() -> Pin<Box<dyn Future<Output = Outcome>>>;

thread_local! {
    static RUNTIME: RefCell<Option<QtRuntime>> = const { RefCell::new(None) };
    static ENGINES: RefCell<Vec<UniquePtr<QQmlApplicationEngine>>> = const { RefCell::new(Vec::new()) };
    static SEEN: RefCell<Option<Result<(), LendRefused>>> = const { RefCell::new(None) };
}

fn load(qml: &str) {
    let mut engine = QQmlApplicationEngine::new();
    if let Some(e) = engine.as_mut() {
        e.load_data(&QByteArray::from(qml), &QUrl::from("file:///misuse.qml"));
    }
    ENGINES.with(|e| e.borrow_mut().push(engine));
}

/// A victim made by QML, handed over by its `adopt()`.
async fn qml_victim(extra: &str) -> Result<QObjectRef<Victim>, String> {
    let before = ADOPTED.with(|a| a.borrow().len());
    load(&format!(
        "import QtQml\nimport Misuse\nQtObject {{ property Victim v: Victim {{ Component.onCompleted: adopt() }}\n{extra} }}"
    ));
    for _ in 0..5000 {
        if let Some(v) = ADOPTED.with(|a| a.borrow().get(before).cloned()) {
            return Ok(v);
        }
        sleep(Duration::from_millis(1)).await;
    }
    Err("no victim was adopted".into())
}

fn refused<T: std::fmt::Debug>(out: Result<T, TaskError>) -> Outcome {
    match out {
        Err(e @ TaskError::Refused { .. }) => Ok(e.to_string()),
        other => Err(format!("UNSOUND: not refused: {other:?}")),
    }
}

/// A free coroutine holds a bare UniquePtr's pin_mut() across an await.
async fn pin_mut_across_await() -> Outcome {
    let owner = Rc::new(RefCell::new(new_victim()));
    let o = Rc::clone(&owner);
    #[allow(clippy::await_holding_refcell_ref)]
    let holder = spawn_local(async move {
        let mut guard = o.borrow_mut();
        let held = guard.pin_mut();
        let before = *held.value();
        sleep(Duration::from_millis(20)).await;
        before == *held.value()
    });
    let lend = owner.borrow_mut().pin_mut().spawn_local(|this| async move {
        sleep(Duration::from_millis(5)).await;
        this.with(|o| o.set_value(5))
    });
    let out = refused(lend.await)?;
    if !holder.await.unwrap_or(false) {
        return Err("UNSOUND: the value changed under a live Pin<&mut>".into());
    }
    Ok(out)
}

/// The object's own coroutine holds its owner's pin_mut() (through an Rc) and asks for a lend.
async fn owner_through_rc() -> Outcome {
    let owner = Rc::new(RefCell::new(new_victim()));
    let o = Rc::clone(&owner);
    let task = owner.borrow_mut().pin_mut().spawn_local(move |this| async move {
        let mut guard = o.borrow_mut();
        let _held = guard.pin_mut();
        this.with(|o| o.set_value(7))
    });
    refused(task.await)
}

/// A &field of the backing struct is held across an await while a lend would replace it.
async fn field_across_await() -> Outcome {
    let owner = Rc::new(RefCell::new(new_victim()));
    let o = Rc::clone(&owner);
    #[allow(clippy::await_holding_refcell_ref)]
    let reader = spawn_local(async move {
        let guard = o.borrow();
        let text: &QString = &guard.as_ref().expect("a victim").rust().text;
        let before = text.to_string();
        sleep(Duration::from_millis(20)).await;
        before == text.to_string()
    });
    let lend = owner.borrow_mut().pin_mut().spawn_local(|this| async move {
        sleep(Duration::from_millis(5)).await;
        this.with(|mut o| o.as_mut().rust_mut().text = QString::from("replaced, freeing the old"))
    });
    let out = refused(lend.await)?;
    if !reader.await.unwrap_or(false) {
        return Err("UNSOUND: the borrowed field was replaced".into());
    }
    Ok(out)
}

/// The backing struct's Drop asks for a lend while the object is destroyed.
async fn lend_from_drop() -> Outcome {
    let boxed = Rc::new(RefCell::new(Some(QObjectBox::new(new_victim()))));
    let handle = boxed.borrow().as_ref().expect("boxed").handle();
    let owner = Rc::clone(&boxed);
    let task = handle.spawn_local(move |this| async move {
        this.with(|mut o| {
            let kept = this.clone();
            o.as_mut().rust_mut().on_drop = Some(Box::new(move || {
                let lent = kept.with(|o| o.text().to_string()).map(|_| ());
                SEEN.with(|s| *s.borrow_mut() = Some(lent));
            }));
        })?;
        drop(owner.borrow_mut().take());
        Ok::<_, LendRefused>(())
    });
    let _ = task.await;
    match SEEN.with(|s| s.borrow_mut().take()) {
        Some(Err(e)) => Ok(e.to_string()),
        other => Err(format!("UNSOUND: the Drop's lend: {other:?}")),
    }
}

/// A signal handler asks for a lend of the object whose `with` emitted the signal.
async fn with_in_a_signal_handler() -> Outcome {
    let v = qml_victim("").await?;
    KEPT.with(|k| *k.borrow_mut() = Some(v.clone()));
    let task = v.spawn_local(|this| async move {
        this.with(|mut o| {
            let _c = o.as_mut().on_poked(|_| {
                let lent = KEPT.with(|k| k.borrow().as_ref().map(|h| h.with(|o| o.set_value(3))));
                SEEN.with(|s| *s.borrow_mut() = lent);
            });
            o.as_mut().poked();
        })
    });
    let out = refused(task.await)?;
    match SEEN.with(|s| s.borrow_mut().take()) {
        Some(Err(_)) => Ok(out),
        other => Err(format!("UNSOUND: the handler's lend: {other:?}")),
    }
}

/// QML calls an invokable that uses a handle kept outside its object's coroutines.
async fn escaped_handle_in_an_invokable() -> Outcome {
    let escaped = qml_victim("").await?;
    KEPT.with(|k| *k.borrow_mut() = Some(escaped));
    let caller = qml_victim(
        "property Timer t: Timer { interval: 1; running: true; onTriggered: v.value = v.use_kept() ? 1 : 2 }",
    )
    .await?;
    for _ in 0..5000 {
        let value = caller
            .spawn_local(|this| async move { this.with(|o| *o.value()) })
            .await;
        match value {
            Ok(Ok(2)) => return Ok("the invokable was refused the lend".into()),
            Ok(Ok(1)) => return Err("UNSOUND: the invokable was lent the object".into()),
            _ => sleep(Duration::from_millis(1)).await,
        }
    }
    Err("the invokable never ran".into())
}

/// A coroutine drops the runtime that runs it.
async fn runtime_dropped_in_a_coroutine() -> Outcome {
    refused(spawn_local(async { drop(RUNTIME.with(|r| r.borrow_mut().take())) }).await)
}

/// A coroutine that owns the runtime panics (the runtime is dropped during the unwind).
async fn runtime_dropped_while_unwinding() -> Outcome {
    let out = spawn_local(async {
        let _runtime = RUNTIME.with(|r| r.borrow_mut().take());
        panic!("the owner of the runtime panics");
    })
    .await;
    match out {
        Err(e) => Ok(e.to_string()),
        Ok(()) => Err("the coroutine ended normally".into()),
    }
}

/// A QObject whose backing struct owns the runtime is destroyed inside a drain.
async fn runtime_dropped_by_a_cpp_destructor() -> Outcome {
    let boxed = Rc::new(RefCell::new(Some(QObjectBox::new(new_victim()))));
    let handle = boxed.borrow().as_ref().expect("boxed").handle();
    let _ = handle
        .spawn_local(|this| async move {
            let runtime = RUNTIME.with(|r| r.borrow_mut().take());
            this.with(|mut o| o.as_mut().rust_mut().on_drop = Some(Box::new(move || drop(runtime))))
        })
        .await;
    let owner = Rc::clone(&boxed);
    refused(spawn_local(async move { drop(owner.borrow_mut().take()) }).await)
}

/// `cancel().await` on a coroutine whose destructor panics.
async fn panicking_destructor_on_cancel() -> Outcome {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("a destructor that panics");
        }
    }
    let task = spawn_local(async {
        let _bomb = Bomb;
        std::future::pending::<()>().await
    });
    sleep(Duration::from_millis(2)).await;
    match task.cancel().await {
        Some(Err(e)) if e.is_panic() => Ok(e.to_string()),
        other => Err(format!("cancel() gave {other:?}")),
    }
}

/// A report hook that panics, and one that replaces itself.
async fn report_hook_panics_and_replaces_itself() -> Outcome {
    set_report_hook(|_| {
        set_report_hook(|_| panic!("a report hook that panics"));
    });
    for _ in 0..2 {
        spawn_local(async { panic!("reported") }).detach();
        sleep(Duration::from_millis(5)).await;
    }
    // Still alive: a job round trip.
    match spawn_local(async { spawn_blocking(|| 1 + 1).await }).await {
        Ok(Ok(2)) => Ok("the hook's panic was contained".into()),
        other => Err(format!("after the hooks: {other:?}")),
    }
}

const CASES: &[(&str, Case)] = &[
    ("pin_mut_across_await", || Box::pin(pin_mut_across_await())),
    ("owner_through_rc", || Box::pin(owner_through_rc())),
    ("field_across_await", || Box::pin(field_across_await())),
    ("lend_from_drop", || Box::pin(lend_from_drop())),
    ("with_in_a_signal_handler", || Box::pin(with_in_a_signal_handler())),
    ("escaped_handle_in_an_invokable", || Box::pin(escaped_handle_in_an_invokable())),
    ("runtime_dropped_in_a_coroutine", || Box::pin(runtime_dropped_in_a_coroutine())),
    ("runtime_dropped_while_unwinding", || Box::pin(runtime_dropped_while_unwinding())),
    ("runtime_dropped_by_a_cpp_destructor", || Box::pin(runtime_dropped_by_a_cpp_destructor())),
    ("panicking_destructor_on_cancel", || Box::pin(panicking_destructor_on_cancel())),
    ("report_hook_panics_and_replaces_itself", || Box::pin(report_hook_panics_and_replaces_itself())),
];

/// What must not compile.
#[cfg(feature = "compile-fail-box-pin-mut")]
#[allow(dead_code)]
fn box_gives_no_pin_mut(mut boxed: QObjectBox<Victim>) {
    let _held = boxed.pin_mut();
}
#[cfg(feature = "compile-fail-task-send")]
#[allow(dead_code)]
fn task_stays_on_its_thread() {
    fn send<T: Send>(_: T) {}
    send(spawn_local(async {}));
}
#[cfg(feature = "compile-fail-handle-in-a-handler")]
#[allow(dead_code)]
fn handle_stays_out_of_handlers(this: QObjectRef<Victim>, mut o: Pin<&mut Victim>) {
    let _c = o.as_mut().on_poked(move |_| drop(this.clone()));
}

fn run_case(name: &str, case: Case) -> ! {
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(60));
        eprintln!("misuse: hung for 60 s");
        std::process::exit(124);
    });
    cxx_qt::init_crate!(misuse);
    cxx_qt::init_qml_module!("Misuse");
    cxx_qt_async::init_qml();
    let mut app = QGuiApplication::new();
    RUNTIME.with(|r| *r.borrow_mut() = Some(QtRuntime::install()));
    let outcome: Rc<RefCell<Option<Outcome>>> = Rc::default();
    let sink = Rc::clone(&outcome);
    spawn_local(async move {
        let out = case().await;
        *sink.borrow_mut() = Some(out);
        load("import QtQml\nQtObject { Component.onCompleted: Qt.exit(0) }");
    })
    .detach();
    if let Some(app) = app.as_mut() {
        app.exec();
    }
    ENGINES.with(|e| e.borrow_mut().clear());
    RUNTIME.with(|r| drop(r.borrow_mut().take()));
    let out = outcome.borrow_mut().take();
    match out {
        Some(Ok(why)) => {
            println!("refused: {name}: {why}");
            std::process::exit(0)
        }
        Some(Err(why)) => {
            println!("{why}");
            std::process::exit(1)
        }
        None => {
            println!("UNSOUND: {name}: the loop ended before the case");
            std::process::exit(1)
        }
    }
}

fn main() {
    if let Some(name) = std::env::args().nth(1) {
        let case = CASES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
        run_case(&name, case.expect("a case name"));
    }
    let exe = std::env::current_exe().expect("own path");
    let mut failed = 0;
    for (name, _) in CASES {
        let out = std::process::Command::new(&exe)
            .arg(name)
            .output()
            .expect("a child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let clean = out.status.success()
            && stdout.contains(&format!("refused: {name}"))
            && !stdout.contains("UNSOUND");
        if clean {
            print!("{stdout}");
        } else {
            failed += 1;
            println!(
                "FAILED: {name}: {:?}\n{stdout}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    println!("misuse: {} cases, {failed} not refused cleanly", CASES.len());
    std::process::exit(i32::from(failed > 0));
}
