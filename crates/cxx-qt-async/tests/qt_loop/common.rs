//! What the Qt-loop tests share: running a QML snippet in a real Qt event loop on the main
//! thread, and reporting the claims measured in that one run as libtest trials.

use std::process::ExitCode;

use cxx_qt_async::QtRuntimeBuilder;
use cxx_qt_lib::{QByteArray, QCoreApplication, QQmlApplicationEngine, QUrl};
use libtest_mimic::{Arguments, Failed, Trial};

/// A claim's outcome: `Ok` when it holds, else the reason.
pub fn claim(holds: bool, why: String) -> Result<(), Failed> {
    if holds {
        Ok(())
    } else {
        Err(why.into())
    }
}

/// Lists the claims `names` (`--list`), or runs `measure` once and reports each of its
/// outcomes under its name.
pub fn report(
    names: &[&'static str],
    measure: impl FnOnce() -> Vec<Result<(), Failed>>,
) -> ExitCode {
    let args = Arguments::from_args();
    if args.list {
        let trials = names.iter().map(|n| Trial::test(*n, || Ok(()))).collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }
    let outcomes = measure();
    assert_eq!(outcomes.len(), names.len(), "one outcome per claim");
    let trials = names
        .iter()
        .zip(outcomes)
        .map(|(name, outcome)| Trial::test(*name, move || outcome))
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

/// How long one QML run may take at most (a million items and ten thousand objects take a few
/// seconds; a debug build on a busy machine, tens).
const QML_RUN_BOUND: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs `qml` (named `file` in messages) in a `QCoreApplication` with the runtime `runtime`
/// until it quits; calls `after_loop` once the QML objects are gone and before the runtime
/// shuts down; returns the exit code the QML gave `Qt.exit`.
pub fn run_qml(qml: &str, file: &str, runtime: QtRuntimeBuilder, after_loop: impl FnOnce()) -> i32 {
    // Bounded: QML that never calls Qt.exit (a job that never finishes) would hold the event
    // loop, and the test run, for ever. The watchdog ends the process instead: a failure.
    let name = file.to_owned();
    std::thread::spawn(move || {
        std::thread::sleep(QML_RUN_BOUND);
        eprintln!("{name}: the Qt event loop still ran after {QML_RUN_BOUND:?}; aborting");
        std::process::abort();
    });
    let mut app = QCoreApplication::new();
    let runtime = runtime.install();
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load_data(
            &QByteArray::from(qml),
            &QUrl::from(format!("file:///{file}").as_str()),
        );
    }
    let code = app.as_mut().map_or(-1, |app| app.exec());
    drop(engine);
    after_loop();
    drop(runtime);
    drop(app);
    code
}
