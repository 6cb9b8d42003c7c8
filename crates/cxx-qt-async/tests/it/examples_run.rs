//! Each example runs, offscreen, with `--demo`: it clicks its own buttons, prints what its
//! window shows and quits with status 0 (bounded: a hang fails). So the examples cannot rot.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The example binary `name`, built by `cargo test` beside this test (target/<profile>/examples).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    profile_dir.join("examples").join(name)
}

/// Reads `pipe` to its end on a thread of its own; the thread returns what it read.
fn read_all(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Runs an example with `--demo` offscreen; returns its exit status and what it printed.
fn run_demo(name: &str) -> (bool, String) {
    let runtime_dir = std::env::temp_dir().join(format!(
        "cxx-qt-async-example-{name}-{}",
        std::process::id()
    ));
    let mut folder = std::fs::DirBuilder::new();
    // Private (0700), as Qt requires of a runtime folder: with any other mode Qt ignores it
    // and makes /tmp/runtime-$USER instead, which nobody removes.
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
    folder.create(&runtime_dir).unwrap();
    let mut child = Command::new(example(name))
        .arg("--demo")
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the example {name} starts: {e}"));
    // Both pipes are read while the example runs: a child whose output fills a pipe (64 KiB)
    // would otherwise block in its write and never quit.
    let stdout = read_all(child.stdout.take().expect("piped stdout"));
    let stderr = read_all(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&runtime_dir);
            panic!("the example {name} did not quit within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let _ = std::fs::remove_dir_all(&runtime_dir);
    let text = String::from_utf8_lossy(&stdout).into_owned() + &String::from_utf8_lossy(&stderr);
    assert!(
        !text.contains("QStandardPaths"),
        "Qt used the test's private runtime folder: {text}"
    );
    (status.success(), text)
}

#[test]
fn handle_click_shows_both_chained_results_and_a_jobs_error() {
    let (ok, text) = run_demo("handle_click");
    assert!(ok, "exit status 0: {text}");
    assert!(
        text.contains("demo: task2 returned: 264 | error: job awaited at "),
        "{text}"
    );
    assert!(
        text.contains("reading the greeting: No such file or directory"),
        "{text}"
    );
}

#[test]
fn async_job_refuses_bad_input_and_shows_the_count() {
    let (ok, text) = run_demo("async_job");
    assert!(ok, "exit status 0: {text}");
    assert!(
        text.contains("demo: refused: type a whole number from 2 to 1000000000"),
        "{text}"
    );
    assert!(
        text.contains("demo: done 17984 primes below 200000"),
        "{text}"
    );
}
