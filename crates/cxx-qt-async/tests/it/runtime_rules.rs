//! The rules the Qt layer enforces at run time, headless (no Qt event loop needed to check them).

use cxx_qt_async::engine::testing::FakeLoop;

#[test]
#[allow(deprecated)] // ensure_runtime stays one release; spawn_local calls the same check
fn qobjects_refuse_a_runtime_that_is_not_the_qt_one_naming_the_rule() {
    // An engine runtime installed by hand: its drains are run by whoever installed it, so a
    // QObject's coroutines (which borrow the object) must not be spawned on it.
    let _fake = FakeLoop::new();
    let payload = std::panic::catch_unwind(cxx_qt_async::ensure_runtime)
        .expect_err("ensure_runtime refused the bare engine runtime");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    assert!(message.contains("cxx-qt-async rule"), "{message}");
    assert!(message.contains("QtRuntime"), "{message}");
}
