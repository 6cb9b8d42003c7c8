//! Timers start no threads. Alone in its binary, so no other test's runtime changes the
//! process's thread count while it counts.

use std::time::Duration;

use cxx_qt_async_engine::{sleep, spawn_local, stats, testing::FakeLoop};

fn thread_count() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a Threads: line")
}

#[test]
#[cfg_attr(
    miri,
    ignore = "counts OS threads in /proc, which Miri's threads are not"
)]
fn a_thousand_sleeping_coroutines_start_no_thread() {
    let fake = FakeLoop::new();
    // A first coroutine: with the `tokio` feature, the runtime starts tokio's threads once,
    // at the first drain; those are not per timer.
    fake.block_on(spawn_local(async {})).unwrap();
    let before = thread_count();
    let handles: Vec<_> = (0..1000u64)
        .map(|i| spawn_local(sleep(Duration::from_millis(5 + i % 20))))
        .collect();
    // Every coroutine still alive is waiting on its own timer.
    fake.run_until(|| stats().pending_timers == stats().live_coroutines)
        .unwrap();
    assert!(stats().pending_timers > 900, "{:?}", stats());
    assert_eq!(
        thread_count(),
        before,
        "timers are entries in a map, not threads"
    );
    for h in handles {
        fake.block_on(h).unwrap();
    }
    assert_eq!(stats().pending_timers, 0);
}
