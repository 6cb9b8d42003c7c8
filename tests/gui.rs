//! GUI tests: the real `AsyncJobs` QML window, driven by Qt Quick Test with real mouse and key
//! events (tests/qml/tst_*.qml), reported in libtest's format.
//!
//! Qt must own the process main thread, so this target has `harness = false`. Qt Quick Test runs
//! every test function once, in one QGuiApplication, and writes its JUnit XML report; this
//! harness then reports each function Qt Quick Test ran as a libtest trial with its real outcome
//! (a function Qt skipped is reported as ignored, an expected failure as passed). Run it under an
//! X server (scripts/test.sh starts Xvfb); without `DISPLAY` it falls back to Qt's offscreen
//! platform and says so.
//!
//! The test functions are known only from Qt Quick Test's own report, so `--list` lists this
//! harness's own checks alone. `GUI_TESTS=test_a,test_b` runs only those functions.
//!
//! On failure, the window as it was at the end of the test is saved to
//! `target/gui-screens/<test>.png` (screenshots of passing tests are removed).

use std::ffi::c_int;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};

#[path = "support/http_server.rs"]
#[allow(dead_code)] // `start` and the running server's fields are the bench's (benches/app.rs)
mod http_server;

/// The name Qt Quick Test gives the run (the `<testsuite>` of its report).
const RUNNER: &str = "async_jobs_gui";
/// The `name` of the QML TestCase; Qt Quick Test selects functions as `<TestCase>::<function>`.
const TEST_CASE: &str = "AsyncJobs";
/// Qt Quick Test's own steps around the test functions.
const INIT_CLEANUP: [&str; 2] = ["initTestCase", "cleanupTestCase"];

fn qml_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qml")
}

fn screens_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/gui-screens")
}

/// How Qt Quick Test ended one test function.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Passed (an expected failure, `expectFail`, counts as passed, as in QtTest).
    Passed,
    /// Failed (a failure or an error), with Qt's message.
    Failed(String),
    /// Skipped (`skip()`), with Qt's message.
    Skipped(String),
}

/// What Qt Quick Test's JUnit XML report says.
#[derive(Debug, Default)]
struct Report {
    /// The run's name (`<testsuite name=...>`).
    suite: String,
    /// Each function in the order Qt ran it (`initTestCase` and `cleanupTestCase` too).
    functions: Vec<(String, Outcome)>,
    /// The report's own totals (`<testsuite tests= failures= errors= skipped=>`).
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

/// Reads Qt Quick Test's JUnit XML report (`-o FILE,junitxml`).
fn read_report(xml: &str) -> Result<Report, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("not XML: {e}"))?;
    let suite = doc.root_element();
    if suite.tag_name().name() != "testsuite" {
        return Err(format!(
            "<{}> instead of <testsuite>",
            suite.tag_name().name()
        ));
    }
    let count = |attribute: &str| -> Result<usize, String> {
        suite
            .attribute(attribute)
            .unwrap_or("0")
            .parse()
            .map_err(|e| format!("<testsuite {attribute}=...>: {e}"))
    };
    let mut report = Report {
        suite: suite.attribute("name").unwrap_or_default().to_owned(),
        tests: count("tests")?,
        failures: count("failures")?,
        errors: count("errors")?,
        skipped: count("skipped")?,
        ..Report::default()
    };
    for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
        let full = case
            .attribute("name")
            .ok_or("a <testcase> without a name")?;
        // `AsyncJobs::test_x` or `test_x`, depending on Qt's version.
        let name = full.rsplit("::").next().unwrap_or(full).to_owned();
        let message = |node: roxmltree::Node| {
            let mut text = node.attribute("message").unwrap_or_default().to_owned();
            if let Some(body) = node.text().map(str::trim).filter(|t| !t.is_empty()) {
                text.push('\n');
                text.push_str(body);
            }
            text
        };
        let mut outcome = Outcome::Passed;
        for child in case.children().filter(roxmltree::Node::is_element) {
            match child.tag_name().name() {
                "failure" | "error" => {
                    let previous = match outcome {
                        Outcome::Failed(text) => text + "\n",
                        _ => String::new(),
                    };
                    outcome = Outcome::Failed(previous + &message(child));
                }
                "skipped" if !matches!(outcome, Outcome::Failed(_)) => {
                    outcome = Outcome::Skipped(message(child));
                }
                _ => {}
            }
        }
        report.functions.push((name, outcome));
    }
    Ok(report)
}

/// Runs Qt Quick Test once (the functions `only`, or all); returns its report (or why there is
/// none), the number of failures it returned, and the report's text.
fn run_quick_tests(only: Option<&[String]>) -> (Result<Report, String>, c_int, String) {
    let results_dir = tempfile::Builder::new()
        .prefix("async-jobs-gui-")
        .tempdir()
        .expect("a temp folder");
    let results_file = results_dir.path().join("results.xml");
    let mut args = vec![
        "gui".to_owned(),
        "-import".to_owned(),
        "qrc:/qt/qml".to_owned(),
        "-o".to_owned(),
        format!("{},junitxml", results_file.display()),
        // What a person reads as it runs.
        "-o".to_owned(),
        "-,txt".to_owned(),
    ];
    if let Some(only) = only {
        args.extend(only.iter().map(|name| format!("{TEST_CASE}::{name}")));
    }
    let failures = cxx_qt_async_test_support::quick_test_main(&args, &qml_dir());
    let text = std::fs::read_to_string(&results_file).unwrap_or_default();
    drop(results_dir);
    let report = if text.is_empty() {
        Err("Qt Quick Test wrote no report".to_owned())
    } else {
        read_report(&text)
    };
    (report, failures, text)
}

/// Whether the run as a whole holds together: a report, its steps around the functions passed,
/// its totals agree with the functions it lists and with what `quick_test_main` returned, and
/// every selected function was run.
fn run_holds_together(
    report: &Report,
    failures: c_int,
    selected: Option<&[String]>,
) -> Result<(), String> {
    let mut problems = Vec::new();
    if report.suite != RUNNER {
        problems.push(format!("a report of {:?}, not of {RUNNER}", report.suite));
    }
    for step in INIT_CLEANUP {
        match report.functions.iter().find(|(name, _)| name == step) {
            Some((_, Outcome::Passed)) => {}
            Some((_, outcome)) => problems.push(format!("{step}: {outcome:?}")),
            None => problems.push(format!("{step} was not run")),
        }
    }
    let failed = report
        .functions
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed(_)))
        .count();
    let skipped = report
        .functions
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Skipped(_)))
        .count();
    if report.tests != report.functions.len()
        || report.failures + report.errors < failed
        || report.skipped != skipped
    {
        problems.push(format!(
            "the report's totals (tests {}, failures {}, errors {}, skipped {}) do not match its \
             {} functions ({failed} failed, {skipped} skipped)",
            report.tests,
            report.failures,
            report.errors,
            report.skipped,
            report.functions.len()
        ));
    }
    if (failures == 0) != (failed == 0) {
        problems.push(format!(
            "Qt Quick Test returned {failures} failures, its report lists {failed}"
        ));
    }
    let test_functions = report
        .functions
        .iter()
        .filter(|(name, _)| !INIT_CLEANUP.contains(&name.as_str()))
        .count();
    if test_functions == 0 {
        problems.push("no test function was run".to_owned());
    }
    for name in selected.unwrap_or_default() {
        if !report.functions.iter().any(|(n, _)| n == name) {
            problems.push(format!("{name} was selected (GUI_TESTS) but not run"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// `std::env::set_var`, refused once this process runs a second thread (setting the environment
/// while another thread may read it is undefined behaviour on glibc).
fn set_env(name: &str, value: impl AsRef<std::ffi::OsStr>) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let threads = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse::<usize>().ok());
    assert!(
        threads.is_none_or(|n| n == 1),
        "gui tests: {name} set while {threads:?} threads run; set the environment before any thread starts"
    );
    std::env::set_var(name, value);
}

fn main() -> std::process::ExitCode {
    let mut args = Arguments::from_args();
    // Trials run on the main thread, one after the other (Qt's objects are gone by then).
    args.test_threads = Some(1);
    let own_checks = [
        "downloads_leave_no_partial_file",
        "the_gui_run_leaves_nothing_in_the_temp_folder",
        "the_qt_quick_test_run_holds_together",
    ];
    if args.list {
        let trials = own_checks
            .iter()
            .map(|n| Trial::test(*n, || Ok(())))
            .collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }
    // Everything this process puts in its environment is set here, before Qt or any other
    // thread starts (`set_var` is unsound once other threads run): the renderer the app picks
    // for this machine, the platform, the folders, and the test server's address (bound to its
    // port now, serving only below).
    async_jobs::choose_quick_backend();
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("QT_QPA_PLATFORM").is_none() {
        eprintln!("gui tests: no DISPLAY; using QT_QPA_PLATFORM=offscreen (scripts/test.sh runs them under Xvfb)");
        set_env("QT_QPA_PLATFORM", "offscreen");
    }
    // A temp folder of this run's own (TMPDIR, which Qt and tempfile follow): whatever is left
    // in it at the end, the app, Qt or these tests failed to clean up. In the shared one, another
    // run beside this one (a second scripts/test.sh, another worktree's) would count too.
    let run_temp = tempfile::Builder::new()
        .prefix("async-jobs-gui-run-")
        .tempdir()
        .expect("a temp folder"); // private (0700), removed below
    set_env("TMPDIR", run_temp.path());
    let temp_dir = |prefix: &str| {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("a temp folder") // private (0700), removed below
    };
    let xdg = std::env::var_os("XDG_RUNTIME_DIR").is_none().then(|| {
        let dir = temp_dir("async-jobs-xdg-");
        set_env("XDG_RUNTIME_DIR", dir.path());
        dir
    });
    let _ = std::fs::create_dir_all(screens_dir());
    // A private config folder: the tests see no remembered folder of a person's own runs, and
    // what the jobs write (the Ask job's output) goes there.
    let config = temp_dir("async-jobs-config-");
    set_env("ASYNC_JOBS_CONFIG_DIR", config.path());
    // The download tests' server and folder, handed to QML as TestEnv.GUI_TEST_*.
    let bound = http_server::bind();
    let downloads = temp_dir("async-jobs-downloads-");
    set_env("GUI_TEST_SERVER", &bound.url);
    set_env("GUI_TEST_BIG_SHA256", &bound.big_sha256);
    set_env("GUI_TEST_REFUSED_URL", http_server::refused_url());
    set_env("GUI_TEST_DOWNLOADS", downloads.path());
    // A stalled server is given up on after 1 s instead of 30.
    set_env("ASYNC_JOBS_STALL_TIMEOUT_SECS", "1");
    // GUI_TESTS=test_a,test_b runs only those functions (Qt Quick Test's own selection).
    let selected: Option<Vec<String>> = std::env::var("GUI_TESTS").ok().map(|only| {
        only.split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect()
    });

    // From here on threads run: the server's, then Qt's and the runtime's.
    let server = bound.serve();
    async_jobs::init_qml();
    async_jobs::jobs::register_all();
    let (report, failures, text) = run_quick_tests(selected.as_deref());
    drop(server);
    // Cancelled and failed downloads leave no partial file.
    let partial: Vec<String> = std::fs::read_dir(downloads.path())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".part"))
                .collect()
        })
        .unwrap_or_default();
    drop(downloads);
    // The QML objects spawned coroutines, which installed a runtime on this thread.
    cxx_qt_async::shutdown_implicit_runtime();
    drop(config);
    drop(xdg);
    let left_behind: Vec<String> = std::fs::read_dir(run_temp.path())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let run_temp_path = run_temp.path().to_owned();
    drop(run_temp);

    let report = report.unwrap_or_else(|why| {
        eprintln!("gui tests: {why} (Qt Quick Test returned {failures}); the report:\n{text}");
        Report::default()
    });
    let holds = run_holds_together(&report, failures, selected.as_deref());
    let mut trials: Vec<Trial> = report
        .functions
        .into_iter()
        .filter(|(name, _)| !INIT_CLEANUP.contains(&name.as_str()))
        .map(|(name, outcome)| {
            let screenshot = screens_dir().join(format!("{name}.png"));
            match outcome {
                Outcome::Passed => {
                    let _ = std::fs::remove_file(&screenshot);
                    Trial::test(name, || Ok(()))
                }
                Outcome::Skipped(why) => {
                    eprintln!("gui tests: {name} skipped: {why}");
                    Trial::test(name, || Ok(())).with_ignored_flag(true)
                }
                Outcome::Failed(message) => Trial::test(name, move || {
                    Err(Failed::from(format!(
                        "{message}\nscreenshot: {}",
                        screenshot.display()
                    )))
                }),
            }
        })
        .collect();
    trials.push(Trial::test(own_checks[0], move || {
        match partial.as_slice() {
            [] => Ok(()),
            left => Err(format!("partial files left: {left:?}").into()),
        }
    }));
    trials.push(Trial::test(own_checks[1], move || {
        match left_behind.as_slice() {
            [] => Ok(()),
            left => Err(format!("left in {}: {left:?}", run_temp_path.display()).into()),
        }
    }));
    trials.push(Trial::test(own_checks[2], move || {
        holds.map_err(Failed::from)
    }));
    libtest_mimic::run(&args, trials).exit_code()
}
