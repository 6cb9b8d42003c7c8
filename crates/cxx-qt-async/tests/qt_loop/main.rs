//! The Qt layer's tests that run a real Qt event loop on the process main thread
//! (`harness = false`), one binary: each file was a test binary of its own, each linking Qt and
//! the library's C++. Each group still runs in a process of its own (this binary again, with
//! `QT_LOOP_GROUP` set), one after the other: Qt allows one application per process, a group
//! may leave its runtime installed, and `stream_flood`'s timing claim must not share the CPUs
//! with another group.
//!
//! Arguments (libtest's: a filter, `--list`, `--nocapture`...) go to every group, each
//! reports its own claims as libtest trials. `QT_LOOP_GROUPS=soundness,owners_destroyed` runs
//! only those groups (scripts/asan.sh does). A new Qt-loop test is a module here with a
//! `pub fn main() -> ExitCode` and a line in `GROUPS`.

use std::process::{Command, ExitCode};

mod common;
mod owners_destroyed;
mod soundness;
mod stream_flood;

/// The variable that makes this process one group's.
const GROUP: &str = "QT_LOOP_GROUP";

/// A group's `main`: runs its claims and reports them.
type GroupMain = fn() -> ExitCode;

/// Each group and its `main`, in the order they run.
const GROUPS: &[(&str, GroupMain)] = &[
    ("soundness", soundness::main),
    ("owners_destroyed", owners_destroyed::main),
    ("stream_flood", stream_flood::main),
];

fn main() -> ExitCode {
    if let Some(group) = std::env::var_os(GROUP) {
        let group = group.to_string_lossy();
        let Some((_, main)) = GROUPS.iter().find(|(name, _)| *name == group) else {
            eprintln!("qt_loop: no group {group:?}");
            return ExitCode::FAILURE;
        };
        return main();
    }
    let only: Option<Vec<String>> = std::env::var("QT_LOOP_GROUPS")
        .ok()
        .map(|list| list.split(',').map(|g| g.trim().to_owned()).collect());
    if let Some(only) = &only {
        if let Some(unknown) = only.iter().find(|g| !GROUPS.iter().any(|(n, _)| n == g)) {
            eprintln!("qt_loop: QT_LOOP_GROUPS names no group {unknown:?}");
            return ExitCode::FAILURE;
        }
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut failed = Vec::new();
    for (name, _) in GROUPS {
        if only
            .as_ref()
            .is_some_and(|only| !only.iter().any(|g| g == name))
        {
            continue;
        }
        let status = Command::new(&exe).args(&args).env(GROUP, name).status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => failed.push(format!("{name} ({status})")),
            Err(e) => failed.push(format!("{name} (could not start: {e})")),
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("qt_loop: failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
