//! The rules the Qt layer enforces at run time, headless (no Qt event loop needed to check them).

use cxx_qt_async::engine::testing::FakeLoop;
use cxx_qt_async::engine::TaskError;
use cxx_qt_async::QObjectSpawn;
use cxx_qt_async_examples::probe::qobject::new_probe;

#[test]
fn qobjects_refuse_a_runtime_that_is_not_the_qt_one_naming_the_rule() {
    // An engine runtime installed by hand: its drains are run by whoever installed it, so a
    // QObject's coroutines (which borrow the object) are not spawned on it. Refused without a
    // panic (a spawn is usually made inside an invokable, behind cxx's shim).
    let fake = FakeLoop::new();
    let mut probe = new_probe();
    let task = probe.pin_mut().spawn_local(|_| async { "ran" });
    match fake.block_on(task) {
        Err(TaskError::Refused { rule, .. }) => {
            assert!(rule.contains("cxx-qt-async rule"), "{rule}");
            assert!(rule.contains("QtRuntime"), "{rule}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
