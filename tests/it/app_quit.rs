//! The real `async-jobs` process, driven through X input with xdotool: quitting while a long
//! job and a fan-out of 100 000 small jobs run cancels both, waits at most the shutdown bound,
//! and exits with status 0.
//!
//! Needs an X server: under `scripts/test.sh` (Xvfb) it runs directly; without `DISPLAY` the
//! test reruns itself inside `scripts/with-xvfb.sh`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The runtime's default bounded wait for workers at shutdown.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(1);
/// Slack on top of the bound for the process to tear Qt down and exit (a hang takes forever).
const EXIT_SLACK: Duration = Duration::from_secs(4);

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool runs (scripts/deps.sh installs it)");
    assert!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Kills the app if the test fails half-way.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits up to `within` for a stderr line containing `needle`; returns when it was seen.
fn line_within(
    lines: &mpsc::Receiver<String>,
    needle: &str,
    log: &mut Vec<String>,
    within: Duration,
) -> Option<Instant> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).ok()?;
        let hit = line.contains(needle);
        log.push(line);
        if hit {
            return Some(Instant::now());
        }
    }
}

/// Waits for a stderr line containing `needle` (60 s at most); returns when it was seen.
fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str, log: &mut Vec<String>) -> Instant {
    line_within(lines, needle, log, Duration::from_secs(60))
        .unwrap_or_else(|| panic!("no log line with {needle:?}; the log:\n{}", log.join("\n")))
}

/// Gives the window `input` (a person's clicks and keys) until the app logs `needle`: until its
/// first frame the window may drop input, and a fixed pause would be too short on a slow
/// machine. Five tries at most, 10 s each.
fn input_until_logged(
    lines: &mpsc::Receiver<String>,
    needle: &str,
    log: &mut Vec<String>,
    input: impl Fn(),
) -> Instant {
    for attempt in 1..=5 {
        input();
        if let Some(at) = line_within(lines, needle, log, Duration::from_secs(10)) {
            return at;
        }
        eprintln!("app_quit: no {needle:?} 10 s after the input (try {attempt} of 5)");
    }
    panic!(
        "no log line with {needle:?} after 5 tries; the log:\n{}",
        log.join("\n")
    )
}

#[test]
fn quitting_with_a_job_running_cancels_it_and_exits_0_within_the_bound() {
    if std::env::var_os("DISPLAY").is_none() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/with-xvfb.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                // Its name in the tests/it binary: module::function.
                "app_quit::quitting_with_a_job_running_cancels_it_and_exits_0_within_the_bound",
                "--nocapture",
            ])
            .output()
            .expect("scripts/with-xvfb.sh runs");
        let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        // It ran, and it was this very test that ran (a wrong name runs none, and passes).
        assert!(
            out.status.success() && text.contains("test result: ok. 1 passed"),
            "the test under Xvfb failed ({}):\n{text}",
            out.status
        );
        return;
    }
    let config_dir = tempfile::Builder::new()
        .prefix("async-jobs-quit-")
        .tempdir()
        .expect("a temp folder"); // removed when the test ends
    let config = config_dir.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_async-jobs"))
        .args(["--threads", "2"])
        .env("RUST_LOG", "info")
        .env("ASYNC_JOBS_CONFIG_DIR", config)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the app starts");
    let stderr = child.stderr.take().unwrap();
    let mut app = App(child);
    let (tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    wait_for_line(&lines, "runtime installed", &mut log);

    let window = xdotool(&["search", "--sync", "--name", "^Async Jobs$"]);
    let window = window.lines().next().unwrap().to_owned();
    // Like a person: click the first kind of job ("Hash a file", top left), which focuses the
    // list; Down twice picks "Compute", Tab goes to its N; type a large one, Enter. Real input
    // (XTEST), to the window under the pointer. Again if nothing started (the first frame).
    input_until_logged(&lines, "job started", &mut log, || {
        xdotool(&["mousemove", "--window", &window, "100", "84", "click", "1"]);
        thread::sleep(Duration::from_millis(300)); // pacing, like a person's
        xdotool(&["key", "--delay", "80", "Down", "Down", "Tab", "ctrl+a"]);
        xdotool(&["type", "--delay", "20", "2000000000"]);
        xdotool(&["key", "Return"]);
    });
    assert!(
        log.last().unwrap().contains("kind=\"primes\""),
        "the compute job started: {}",
        log.last().unwrap()
    );
    thread::sleep(Duration::from_millis(500)); // the sieve runs on a worker a while
                                               // And a fan-out of 100 000 small jobs: thousands of them are in flight at Ctrl+Q.
    input_until_logged(&lines, "job started", &mut log, || {
        xdotool(&["mousemove", "--window", &window, "100", "84", "click", "1"]);
        thread::sleep(Duration::from_millis(300)); // pacing, like a person's
        xdotool(&[
            "key", "--delay", "80", "Down", "Down", "Down", "Down", "Tab", "ctrl+a",
        ]);
        xdotool(&["type", "--delay", "20", "100000"]);
        xdotool(&["key", "Return"]);
    });
    assert!(
        log.last().unwrap().contains("kind=\"fanout\""),
        "the fan-out started: {}",
        log.last().unwrap()
    );
    thread::sleep(Duration::from_millis(100));

    let asked = Instant::now();
    xdotool(&["key", "ctrl+q"]);
    let deadline = asked + SHUTDOWN_BOUND + EXIT_SLACK;
    let status = loop {
        if let Some(status) = app.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running {:?} after Ctrl+Q",
            asked.elapsed()
        );
        thread::sleep(Duration::from_millis(10));
    };
    let took = asked.elapsed();
    // The rest of the log.
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(500)) {
        log.push(line);
    }
    let log = log.join("\n");
    eprintln!("Ctrl+Q to exit: {took:?}, {status}");
    assert_eq!(status.code(), Some(0), "exit status; the log:\n{log}");
    assert!(
        log.matches("job cancelled").count() >= 2,
        "both jobs were cancelled:\n{log}"
    );
    assert!(
        !log.contains("job done"),
        "the job did not run to its end:\n{log}"
    );
    assert!(
        !log.contains("panicked"),
        "nothing panicked on the way out:\n{log}"
    );
}
