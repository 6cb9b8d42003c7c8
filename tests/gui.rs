//! GUI tests: the real `AsyncJobs` QML window, driven by Qt Quick Test with real mouse and key
//! events (tests/qml/tst_*.qml), reported in libtest's format.
//!
//! Qt must own the process main thread, so this target has `harness = false`. Qt Quick Test runs
//! every test function once, in one QGuiApplication; this harness then reports each function as
//! a libtest trial with its real outcome. Run it under an X server (scripts/test.sh starts Xvfb);
//! without `DISPLAY` it falls back to Qt's offscreen platform and says so.
//!
//! On failure, the window as it was at the end of the test is saved to
//! `target/gui-screens/<test>.png` (screenshots of passing tests are removed).

use std::collections::BTreeMap;
use std::ffi::c_int;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};

#[path = "support/http_server.rs"]
mod http_server;

/// How Qt Quick Test names our TestCase in its output: `<runner name>::<TestCase name>`.
const CASE: &str = "async_jobs_gui::AsyncJobs";

fn qml_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qml")
}

fn screens_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/gui-screens")
}

/// The test functions declared in the QML test files, in file order.
fn declared_tests() -> Vec<String> {
    let mut names = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(qml_dir())
        .expect("tests/qml exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tst_"))
        })
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable QML test file");
        for line in text.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("function test_") {
                if let Some(name) = rest.split('(').next() {
                    names.push(format!("test_{name}"));
                }
            }
        }
    }
    names
}

/// Runs Qt Quick Test once; returns each function's outcome (`Err` with Qt's message).
fn run_quick_tests() -> (BTreeMap<String, Result<(), String>>, c_int, String) {
    let results_dir = tempfile::Builder::new()
        .prefix("async-jobs-gui-")
        .tempdir()
        .expect("a temp folder");
    let results_file = results_dir.path().join("results.txt");
    let mut args = vec![
        "gui".to_owned(),
        "-import".to_owned(),
        "qrc:/qt/qml".to_owned(),
        "-o".to_owned(),
        format!("{},txt", results_file.display()),
        "-o".to_owned(),
        "-,txt".to_owned(),
    ];
    // GUI_TESTS=test_a,test_b runs only those functions (Qt Quick Test's own selection).
    if let Ok(only) = std::env::var("GUI_TESTS") {
        args.extend(
            only.split(',')
                .map(|name| format!("AsyncJobs::{}", name.trim())),
        );
    }
    let failures = cxx_qt_async_test_support::quick_test_main(&args, &qml_dir());
    let text = std::fs::read_to_string(&results_file).unwrap_or_default();
    drop(results_dir);
    let mut outcomes = BTreeMap::new();
    let prefix_pass = format!("PASS   : {CASE}::");
    let prefix_fail = format!("FAIL!  : {CASE}::");
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix(&prefix_pass) {
            let name = rest.split('(').next().unwrap_or(rest).to_owned();
            outcomes.entry(name).or_insert(Ok(()));
        } else if let Some(rest) = line.strip_prefix(&prefix_fail) {
            let name = rest.split('(').next().unwrap_or(rest).to_owned();
            let mut message = rest.to_owned();
            while let Some(next) = lines.peek() {
                if next.starts_with("   ") {
                    message.push('\n');
                    message.push_str(next.trim());
                    lines.next();
                } else {
                    break;
                }
            }
            outcomes.insert(name, Err(message));
        }
    }
    (outcomes, failures, text)
}

fn main() -> std::process::ExitCode {
    let mut args = Arguments::from_args();
    args.test_threads = Some(1);
    let names = declared_tests();
    if args.list {
        let trials = names
            .into_iter()
            .map(|n| Trial::test(n, || Ok(())))
            .collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }
    // The renderer the app picks for this machine (before Qt or another thread starts).
    async_jobs::choose_quick_backend();
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("QT_QPA_PLATFORM").is_none() {
        eprintln!("gui tests: no DISPLAY; using QT_QPA_PLATFORM=offscreen (scripts/test.sh runs them under Xvfb)");
        // Set before Qt or any other thread starts.
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    // What the temp folder holds before the run: the run must leave nothing else behind.
    let temp_before = temp_entries();
    let temp_dir = |prefix: &str| {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("a temp folder") // private (0700), removed below
    };
    let xdg = std::env::var_os("XDG_RUNTIME_DIR").is_none().then(|| {
        let dir = temp_dir("async-jobs-xdg-");
        std::env::set_var("XDG_RUNTIME_DIR", dir.path());
        dir
    });
    let _ = std::fs::create_dir_all(screens_dir());
    // A private config folder: the tests see no remembered folder of a person's own runs, and
    // what the jobs write (the Ask job's output) goes there.
    let config = temp_dir("async-jobs-config-");
    std::env::set_var("ASYNC_JOBS_CONFIG_DIR", config.path());
    // The download tests' server and folder, handed to QML as TestEnv.GUI_TEST_*.
    let server = http_server::start();
    let downloads = temp_dir("async-jobs-downloads-");
    std::env::set_var("GUI_TEST_SERVER", &server.url);
    std::env::set_var("GUI_TEST_BIG_SHA256", &server.big_sha256);
    std::env::set_var("GUI_TEST_REFUSED_URL", http_server::refused_url());
    std::env::set_var("GUI_TEST_DOWNLOADS", downloads.path());
    // A stalled server is given up on after 1 s instead of 30.
    std::env::set_var("ASYNC_JOBS_STALL_TIMEOUT_SECS", "1");
    async_jobs::init_qml();
    async_jobs::jobs::register_all();
    let (outcomes, failures, text) = run_quick_tests();
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
    let left_behind: Vec<String> = temp_entries().difference(&temp_before).cloned().collect();
    if outcomes.is_empty() {
        eprintln!(
            "gui tests: Qt Quick Test reported nothing (exit {failures}); its output:\n{text}"
        );
    }
    let selected: Option<Vec<String>> = std::env::var("GUI_TESTS")
        .ok()
        .map(|only| only.split(',').map(|n| n.trim().to_owned()).collect());
    let mut trials: Vec<Trial> = names
        .into_iter()
        .map(|name| {
            if selected.as_ref().is_some_and(|only| !only.contains(&name)) {
                return Trial::test(name, || Ok(())).with_ignored_flag(true);
            }
            let outcome = outcomes
                .get(&name)
                .cloned()
                .unwrap_or_else(|| Err("Qt Quick Test did not report this function".to_owned()));
            let screenshot = screens_dir().join(format!("{name}.png"));
            if outcome.is_ok() {
                let _ = std::fs::remove_file(&screenshot);
            }
            Trial::test(name, move || {
                outcome.map_err(|message| {
                    Failed::from(format!("{message}\nscreenshot: {}", screenshot.display()))
                })
            })
        })
        .collect();
    trials.push(Trial::test(
        "downloads_leave_no_partial_file",
        move || match partial.as_slice() {
            [] => Ok(()),
            left => Err(format!("partial files left: {left:?}").into()),
        },
    ));
    trials.push(Trial::test(
        "the_gui_run_leaves_nothing_in_the_temp_folder",
        move || match left_behind.as_slice() {
            [] => Ok(()),
            left => Err(format!("left in {}: {left:?}", std::env::temp_dir().display()).into()),
        },
    ));
    libtest_mimic::run(&args, trials).exit_code()
}

/// The names in the temp folder that this app, its tests or Qt could have made (other programs,
/// a compiler running beside the tests say, have their own names and are not counted).
fn temp_entries() -> std::collections::BTreeSet<String> {
    let ours = |name: &str| {
        let lower = name.to_lowercase();
        [
            "async-jobs",
            "async_jobs",
            "cxx-qt",
            "cxx_qt",
            "qt",
            "qml",
            "runtime-",
        ]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
    };
    std::fs::read_dir(std::env::temp_dir())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| ours(name))
                .collect()
        })
        .unwrap_or_default()
}
