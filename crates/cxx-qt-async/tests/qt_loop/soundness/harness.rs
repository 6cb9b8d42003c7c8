//! Runs each claim in a child process of this binary, inside a real Qt event loop, and reports
//! the claims as libtest trials (libtest-mimic).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use cxx::UniquePtr;
use cxx_qt_async::engine::{sleep, spawn_local};
use cxx_qt_async::{QObjectRef, QtRuntime};
use cxx_qt_async_examples::probe::qobject::Probe;
use cxx_qt_async_examples::probe::ADOPTED;
use cxx_qt_lib::{QByteArray, QCoreApplication, QQmlApplicationEngine, QUrl};
use libtest_mimic::{Arguments, Trial};

/// A claim's outcome: `Err` says why it does not hold.
pub type Outcome = Result<(), String>;

/// A claim that runs inside the event loop.
pub type InLoopClaim = fn() -> Pin<Box<dyn Future<Output = Outcome>>>;

/// How a claim runs in its child process.
#[derive(Clone, Copy)]
pub enum Claim {
    /// A coroutine on the child's event loop (a `QCoreApplication` with a `QtRuntime`, kept in
    /// [`RUNTIME`]); the claim holds when it returns `Ok`, and the process ends normally.
    InLoop(InLoopClaim),
    /// The whole child process; the claim holds when it returns `Ok`.
    Process(fn() -> Outcome),
    /// The child must stop the process (SIGABRT) with `message` on standard error, and never
    /// print `UNSOUND`.
    Stops {
        /// Sets up and runs the event loop.
        run: fn(),
        /// What standard error must say.
        message: &'static str,
    },
}

/// The environment variable that names the claim a child runs.
const CHILD: &str = "CXX_QT_ASYNC_SOUNDNESS_CLAIM";
/// What a child prints when its claim holds.
const HOLDS: &str = "CLAIM HOLDS";

thread_local! {
    /// The child's Qt runtime, where a coroutine can reach (and try to drop) it.
    pub static RUNTIME: RefCell<Option<QtRuntime>> = const { RefCell::new(None) };
    /// QML engines the claims loaded, dropped after the event loop.
    pub static ENGINES: RefCell<Vec<UniquePtr<QQmlApplicationEngine>>> = const { RefCell::new(Vec::new()) };
}

/// `Ok` when `holds`, else `why`.
pub fn expect(holds: bool, why: impl Into<String>) -> Outcome {
    if holds {
        Ok(())
    } else {
        Err(why.into())
    }
}

/// Waits (bounded, on the event loop) until `done()`.
pub async fn until(mut done: impl FnMut() -> bool) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        if Instant::now() > deadline {
            return Err("timed out waiting".into());
        }
        sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

/// Loads `qml` (which imports CxxQtAsyncExamples and QtQml) in a new QML engine kept until the
/// loop ends.
pub fn load_qml(qml: &str) {
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load_data(&QByteArray::from(qml), &QUrl::from("file:///soundness.qml"));
    }
    ENGINES.with(|e| e.borrow_mut().push(engine));
}

/// Loads `qml`, one of whose probes calls `adopt()`; that probe's handle.
pub async fn load_qml_adopting(qml: &str) -> Result<QObjectRef<Probe>, String> {
    let before = ADOPTED.with(|a| a.borrow().len());
    load_qml(qml);
    until(|| ADOPTED.with(|a| a.borrow().len() > before)).await?;
    Ok(ADOPTED.with(|a| a.borrow()[before].clone()))
}

/// A probe made by QML (a child of the loaded root), handed over by its `adopt()`.
pub async fn qml_probe() -> Result<QObjectRef<Probe>, String> {
    load_qml_adopting(
        "import QtQml\nimport CxxQtAsyncExamples\n\
         QtObject { property Probe probe: Probe { Component.onCompleted: adopt() } }",
    )
    .await
}

/// Runs the claim `name` in this (child) process and exits.
fn run_child(name: &str, claim: Claim) -> ! {
    // The watchdog: a claim that hangs fails instead of holding the run.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(60));
        eprintln!("the claim still ran after 60 s; aborting");
        std::process::abort();
    });
    cxx_qt_async_examples::init_qml();
    let outcome = match claim {
        Claim::InLoop(claim) => in_loop(claim),
        Claim::Process(claim) => claim(),
        Claim::Stops { run, .. } => {
            run();
            Err("UNSOUND: the process went on".into())
        }
    };
    match outcome {
        Ok(()) => {
            eprintln!("{HOLDS}: {name}");
            std::process::exit(0)
        }
        Err(why) => {
            eprintln!("CLAIM FAILED: {name}: {why}");
            std::process::exit(1)
        }
    }
}

/// Runs `claim` as a coroutine on a fresh event loop; its outcome once the loop has quit.
fn in_loop(claim: InLoopClaim) -> Outcome {
    let outcome = std::rc::Rc::new(RefCell::new(None));
    {
        let mut app = QCoreApplication::new();
        RUNTIME.with(|r| *r.borrow_mut() = Some(QtRuntime::install()));
        let sink = std::rc::Rc::clone(&outcome);
        spawn_local(async move {
            let out = claim().await;
            *sink.borrow_mut() = Some(out);
            cxx_qt_async_test_support::quit();
        })
        .detach();
        if let Some(app) = app.as_mut() {
            app.exec();
        }
        ENGINES.with(|e| e.borrow_mut().clear());
        // A claim may have left the runtime installed (a refused drop): it goes with the
        // process. Any other one is dropped here, before the application.
        RUNTIME.with(|r| drop(r.borrow_mut().take()));
    }
    let out = outcome.borrow_mut().take();
    out.unwrap_or_else(|| Err("the claim never finished (the loop quit first)".into()))
}

/// Runs this binary as the child of claim `name` and checks how it ended.
fn check_child(name: &str, claim: Claim) -> Outcome {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("timeout")
        .args(["90", &exe.to_string_lossy()])
        .env(CHILD, name)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .map_err(|e| format!("could not run the child: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("UNSOUND") || stderr.contains("ERROR: AddressSanitizer") {
        return Err(format!("the child saw unsound behaviour: {stderr}"));
    }
    match claim {
        Claim::Stops { message, .. } => {
            use std::os::unix::process::ExitStatusExt as _;
            // `timeout` passes the child's signal on as 128 + signal (SIGABRT: 6).
            let aborted = out.status.signal() == Some(6) || out.status.code() == Some(128 + 6);
            expect(
                aborted && stderr.contains(message),
                format!(
                    "expected a stop saying {message:?}; the child ended with {:?}: {stderr}",
                    out.status
                ),
            )
        }
        Claim::InLoop(_) | Claim::Process(_) => expect(
            out.status.success() && stderr.contains(HOLDS),
            format!("the child ended with {:?}: {stderr}", out.status),
        ),
    }
}

/// The test binary's main: a child runs its claim; the parent runs every claim's child.
pub fn main(claims: &'static [(&'static str, Claim)]) -> ExitCode {
    if let Ok(name) = std::env::var(CHILD) {
        let Some((_, claim)) = claims.iter().find(|(n, _)| *n == name) else {
            eprintln!("no claim named {name}");
            std::process::exit(2);
        };
        run_child(&name, *claim);
    }
    let args = Arguments::from_args();
    let trials = claims
        .iter()
        .map(|(name, claim)| Trial::test(*name, move || Ok(check_child(name, *claim)?)))
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
