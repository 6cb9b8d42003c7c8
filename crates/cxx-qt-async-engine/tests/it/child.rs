//! Runs a test's body in a child process of this test binary: for claims whose failure is an
//! abort (which would take every test of the binary down) or that set a process-wide hook.

use std::process::Command;

const CHILD: &str = "CXX_QT_ASYNC_ENGINE_TEST_CHILD";

/// Runs `body` in a child process that runs only the test `test` of module `module` (give it
/// `module_path!()`), bounded by 60 s; the test fails if the child did not exit successfully
/// (an abort, a panic, a hang). Under Miri, which cannot spawn processes, `body` runs here.
pub fn in_child(module: &str, test: &str, body: impl FnOnce()) {
    if cfg!(miri) || std::env::var_os(CHILD).is_some() {
        body();
        return;
    }
    let module = module.split_once("::").map_or("", |(_crate, path)| path);
    let name = format!("{module}::{test}");
    let name = name.as_str();
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new("timeout")
        .args(["60", &exe.to_string_lossy(), "--exact", name, "--nocapture"])
        .args(["--test-threads", "1"])
        .env(CHILD, "1")
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the child ({name}) ended with {:?}:\n{stderr}\n{stdout}",
        out.status
    );
}
