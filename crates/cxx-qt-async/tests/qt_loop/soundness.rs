//! `QObjectRef::with` is sound whatever safe code does: each hole a review found gets its claim
//! here, in a real Qt event loop (main thread: `harness = false`; the claims are reported as
//! libtest trials). Each would have lent the object (a second `&mut`, or a destroyed object)
//! before; now each is refused with a panic naming the rule, or, for an object destroyed while
//! lent, the process stops with a message (checked in a child process).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, ExitCode};
use std::rc::Rc;
use std::time::{Duration, Instant};

use cxx::UniquePtr;
use cxx_qt::CxxQtType as _;
use cxx_qt_async::engine::{panic_message, sleep, spawn_blocking, spawn_local, TaskError};
use cxx_qt_async::{QObjectRef, QObjectSpawn, QtRuntime};
use cxx_qt_async_examples::probe::qobject::{new_probe, Probe};
use cxx_qt_lib::QCoreApplication;
use libtest_mimic::{Arguments, Failed, Trial};

/// The environment variable that makes this binary the child of the "destroyed while lent"
/// claim.
const CHILD: &str = "CXX_QT_ASYNC_SOUNDNESS_CHILD";

thread_local! {
    /// A handle kept where no coroutine of its object runs (the "escape").
    static ESCAPED: RefCell<Option<QObjectRef<Probe>>> = const { RefCell::new(None) };
    /// The probe the child destroys from inside `with`.
    static DOOMED: RefCell<Option<UniquePtr<Probe>>> = const { RefCell::new(None) };
    /// The Qt runtime, where a coroutine can reach (and try to drop) it.
    static RUNTIME: RefCell<Option<QtRuntime>> = const { RefCell::new(None) };
}

/// The text of a refusal (a caught panic), or why there was none.
fn refusal<R>(f: impl FnOnce() -> R) -> Result<String, Failed> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => Err("it was not refused: the object was lent".into()),
        Err(payload) => Ok(panic_message(&*payload)),
    }
}

fn expect(holds: bool, why: impl Into<String>) -> Result<(), Failed> {
    if holds {
        Ok(())
    } else {
        Err(why.into().into())
    }
}

/// Waits (bounded, on the event loop) until `done()`.
async fn until(mut done: impl FnMut() -> bool) -> Result<(), Failed> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        if Instant::now() > deadline {
            return Err("timed out".into());
        }
        sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

async fn a_handle_that_escaped_its_coroutine_is_refused_outside_them() -> Result<(), Failed> {
    let mut probe = new_probe();
    probe
        .pin_mut()
        .spawn_local(|this| async move {
            ESCAPED.with(|e| *e.borrow_mut() = Some(this));
        })
        .detach();
    until(|| ESCAPED.with(|e| e.borrow().is_some())).await?;
    let escaped = ESCAPED.with(|e| e.borrow_mut().take()).expect("kept");
    // Here an invokable of the probe would hold `Pin<&mut Probe>` (as this does): a lend now
    // would be a second `&mut`.
    let message = {
        let _held_by_an_invokable = probe.pin_mut();
        refusal(|| escaped.with(|o| o.set_value(1)))?
    };
    expect(
        message.contains("lends the object only to its own coroutines"),
        message.clone(),
    )?;
    expect(*probe.value() == 0, "the object was not touched")
}

async fn another_objects_coroutine_is_refused() -> Result<(), Failed> {
    let (mut first, mut second) = (new_probe(), new_probe());
    let handed = Rc::new(RefCell::new(None));
    let hand = Rc::clone(&handed);
    first
        .pin_mut()
        .spawn_local(move |this| async move {
            *hand.borrow_mut() = Some(this);
        })
        .detach();
    until(|| handed.borrow().is_some()).await?;
    let other: QObjectRef<Probe> = handed.borrow_mut().take().expect("handed over");
    let out = second
        .pin_mut()
        .spawn_local(move |_| async move { other.with(|o| o.set_value(7)) })
        .await;
    let Err(TaskError::Panicked { message, .. }) = out else {
        return Err(format!("the second object's coroutine was lent the first: {out:?}").into());
    };
    expect(
        message.contains("lends the object only to its own coroutines"),
        message.clone(),
    )?;
    expect(*first.value() == 0, "the first object was not touched")
}

async fn a_with_inside_a_with_of_the_same_object_is_refused() -> Result<(), Failed> {
    let mut probe = new_probe();
    let out = probe
        .pin_mut()
        .spawn_local(|this| async move {
            let again = this.clone();
            this.with(|_| again.with(|o| o.set_value(3)))
        })
        .await;
    let Err(TaskError::Panicked { message, .. }) = out else {
        return Err(format!("a second lend was given: {out:?}").into());
    };
    expect(message.contains("inside another `with`"), message)
}

async fn the_cxx_objects_destruction_ends_its_coroutines_whatever_its_rust_fields_do(
) -> Result<(), Failed> {
    let mut probe = new_probe();
    let dropped = Rc::new(Cell::new(false));
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let flag = Flag(Rc::clone(&dropped));
    let resumed = Rc::new(Cell::new(false));
    let resumed_in = Rc::clone(&resumed);
    let parked = probe.pin_mut().spawn_local(move |this| async move {
        let _flag = flag;
        ESCAPED.with(|e| *e.borrow_mut() = Some(this.clone()));
        sleep(Duration::from_secs(3600)).await;
        resumed_in.set(true);
        this.with(|o| o.set_value(9)); // would write into a destroyed object
    });
    until(|| ESCAPED.with(|e| e.borrow().is_some())).await?;
    // What a Rust caller can do to the object's fields: move its (old-style) scope away and
    // keep it alive elsewhere. Before, liveness lived in that field.
    let taken = std::mem::take(&mut probe.pin_mut().rust_mut().legacy);
    drop(probe); // the C++ object goes
    let out = parked.await;
    expect(
        out == Err(TaskError::Cancelled),
        format!("its handle says {out:?}"),
    )?;
    expect(dropped.get(), "its coroutine was dropped")?;
    expect(!resumed.get(), "it never ran past its await")?;
    let kept = ESCAPED.with(|e| e.borrow_mut().take()).expect("kept");
    expect(!kept.is_alive(), "a kept handle sees the object gone")?;
    let message = refusal(|| kept.with(|o| o.set_value(1)))?;
    expect(message.contains("cxx-qt-async rule"), message)?;
    drop(taken);
    Ok(())
}

async fn dropping_the_qt_runtime_inside_a_coroutine_is_refused_and_it_keeps_working(
) -> Result<(), Failed> {
    let out = spawn_local(async {
        let runtime = RUNTIME.with(|r| r.borrow_mut().take());
        drop(runtime); // the runtime that runs this very coroutine
    })
    .await;
    let Err(TaskError::Panicked { message, .. }) = out else {
        return Err(format!("not refused: {out:?}").into());
    };
    expect(
        message.contains("may not be dropped from inside one of its coroutines"),
        message,
    )?;
    // Still installed and working: a job round trip, and a coroutine woken by a timer.
    let answer = spawn_local(async { spawn_blocking(|| 41 + 1).await }).await;
    expect(
        matches!(answer, Ok(Ok(42))),
        format!("after the refusal: {answer:?}"),
    )?;
    sleep(Duration::from_millis(2)).await;
    Ok(())
}

/// The claims, in the order they run (one event loop, one after the other).
type Claim = fn() -> std::pin::Pin<Box<dyn Future<Output = Result<(), Failed>>>>;

const CLAIMS: &[(&str, Claim)] = &[
    (
        "a_handle_that_escaped_its_coroutine_is_refused_outside_them",
        || Box::pin(a_handle_that_escaped_its_coroutine_is_refused_outside_them()),
    ),
    ("another_objects_coroutine_is_refused", || {
        Box::pin(another_objects_coroutine_is_refused())
    }),
    ("a_with_inside_a_with_of_the_same_object_is_refused", || {
        Box::pin(a_with_inside_a_with_of_the_same_object_is_refused())
    }),
    (
        "the_cxx_objects_destruction_ends_its_coroutines_whatever_its_rust_fields_do",
        || Box::pin(the_cxx_objects_destruction_ends_its_coroutines_whatever_its_rust_fields_do()),
    ),
    (
        "dropping_the_qt_runtime_inside_a_coroutine_is_refused_and_it_keeps_working",
        || Box::pin(dropping_the_qt_runtime_inside_a_coroutine_is_refused_and_it_keeps_working()),
    ),
];

const DESTROYED_WHILE_LENT: &str =
    "an_object_destroyed_while_lent_stops_the_process_with_a_message";

/// The child: a probe whose `poked` handler deletes it, emitted inside `with`.
fn destroyed_while_lent_child() -> ! {
    let mut app = QCoreApplication::new();
    let runtime = QtRuntime::install();
    let mut probe = new_probe();
    let _connection = probe.pin_mut().on_poked(|_| {
        // Synchronous: the C++ destructor runs now, inside the emission, inside `with`.
        DOOMED.with(|d| drop(d.borrow_mut().take()));
    });
    probe
        .pin_mut()
        .spawn_local(|this| async move {
            this.with(|mut o| {
                o.as_mut().poked();
                // Had the process gone on, this would read freed memory (AddressSanitizer,
                // scripts/asan.sh, reports it as a heap-use-after-free).
                let value = *o.value();
                eprintln!("UNSOUND: the closure ran on after its object was destroyed ({value})");
            });
        })
        .detach();
    DOOMED.with(|d| *d.borrow_mut() = Some(probe));
    if let Some(app) = app.as_mut() {
        app.exec();
    }
    drop(runtime);
    eprintln!("UNSOUND: the process went on");
    std::process::exit(0)
}

/// Runs this binary as the child and checks how it ended.
fn destroyed_while_lent_claim() -> Result<(), Failed> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("timeout")
        .args(["60", &exe.to_string_lossy()])
        .env(CHILD, "1")
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .map_err(|e| format!("could not run the child: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    use std::os::unix::process::ExitStatusExt as _;
    // `timeout` passes the child's signal on as 128 + signal (SIGABRT: 6).
    let aborted = out.status.signal() == Some(6) || out.status.code() == Some(128 + 6);
    expect(
        aborted && !stderr.contains("UNSOUND"),
        format!("the child ended with {:?}: {stderr}", out.status),
    )?;
    expect(
        stderr.contains("destroyed while QObjectRef::with lent it"),
        format!("the message names what happened: {stderr}"),
    )
}

pub fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        destroyed_while_lent_child();
    }
    let args = Arguments::from_args();
    let mut names: Vec<&str> = CLAIMS.iter().map(|(n, _)| *n).collect();
    names.push(DESTROYED_WHILE_LENT);
    if args.list {
        let trials = names.iter().map(|n| Trial::test(*n, || Ok(()))).collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        // Before Qt or any other thread starts.
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let outcomes: Rc<RefCell<Vec<Result<(), Failed>>>> = Rc::default();
    {
        let mut app = QCoreApplication::new();
        RUNTIME.with(|r| *r.borrow_mut() = Some(QtRuntime::install()));
        let sink = Rc::clone(&outcomes);
        spawn_local(async move {
            for (_, claim) in CLAIMS {
                let outcome = claim().await;
                sink.borrow_mut().push(outcome);
            }
            cxx_qt_async_test_support::quit();
        })
        .detach();
        if let Some(app) = app.as_mut() {
            app.exec();
        }
        // The claim about dropping the runtime left it installed (refused): it goes with the
        // thread. Any other one is dropped here, before the application.
        RUNTIME.with(|r| drop(r.borrow_mut().take()));
    }
    let mut outcomes = std::mem::take(&mut *outcomes.borrow_mut());
    while outcomes.len() < CLAIMS.len() {
        outcomes.push(Err(
            "not reached (an earlier claim hung or the loop quit)".into()
        ));
    }
    outcomes.push(destroyed_while_lent_claim());
    let trials = names
        .into_iter()
        .zip(outcomes)
        .map(|(name, outcome)| Trial::test(name, move || outcome))
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
