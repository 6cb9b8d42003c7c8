//! The edges of the engine's API: any `Duration`, the runtime dropped where it may not be, and
//! what shutdown does with every coroutine still parked.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cxx_qt_async_engine::{
    interval, progress_every, sleep, spawn_blocking, spawn_local, testing, testing::FakeLoop,
    timeout, Runtime, TaskError,
};
use futures::StreamExt;
use proptest::prelude::*;

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::MAX),
        Just(Duration::ZERO),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..10_000_000).prop_map(Duration::from_micros),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: if cfg!(miri) { 4 } else { 64 }, ..ProptestConfig::default() })]

    /// Every API that takes a `Duration` saturates: a huge one means "practically never", it
    /// never panics with an overflow.
    #[test]
    fn every_api_that_takes_a_duration_saturates(d in any_duration()) {
        let fake = FakeLoop::with_runtime(
            Runtime::builder()
                .drain_budget(d)
                .slow_poll_threshold(d)
                .shutdown_wait(d.min(Duration::from_secs(5))),
        );
        let out = fake.block_on(spawn_local(async move {
            let timed = timeout(d, async { 7 }).await;
            let (reporter, mut watch) = progress_every::<u32>(d);
            reporter.report(1);
            drop(reporter);
            let seen = watch.next().await;
            let slept = timeout(Duration::from_millis(1), sleep(d)).await.is_ok();
            let ticked = !d.is_zero()
                && timeout(Duration::from_millis(1), interval(d).next()).await.is_ok();
            (timed, seen, slept, ticked)
        }));
        let (timed, seen, slept, ticked) = out.unwrap();
        prop_assert_eq!(timed, Ok(7));
        prop_assert_eq!(seen, Some(1));
        if d.is_zero() {
            prop_assert!(slept, "a zero sleep completes");
        }
        if d >= Duration::from_millis(50) {
            prop_assert!(!slept && !ticked, "a long sleep or period is not cut short");
        }
        fake.advance(d); // virtual time saturates too
        fake.advance(d);
    }
}

#[test]
fn dropping_the_runtime_inside_a_coroutine_is_refused_without_a_panic_and_the_runtime_lives_on() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = Rc::new(RefCell::new(Some(fake.install(Runtime::builder()))));
    let inside = Rc::clone(&runtime);
    let err = fake
        .block_on(spawn_local(async move {
            drop(inside.borrow_mut().take()); // the runtime that runs this very coroutine
        }))
        .unwrap_err();
    let TaskError::Refused { rule, .. } = err else {
        panic!("refused (the coroutine ends), got {err:?}")
    };
    assert!(
        rule.contains("may not be dropped from inside one of its coroutines"),
        "{rule}"
    );
    assert!(rule.contains("cxx-qt-async rule"), "{rule}");
    // Still installed and working: a job round trip.
    assert_eq!(
        fake.block_on(spawn_local(async { spawn_blocking(|| 41 + 1).await }))
            .unwrap()
            .unwrap(),
        42
    );
}

#[test]
fn shutdown_drops_every_parked_coroutine_on_the_gui_thread() {
    // Parked on a timer, on a running job, and never polled: every one's destructors run,
    // on this (the GUI) thread, when the runtime is dropped.
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(Runtime::builder().shutdown_wait(Duration::from_secs(5)));
    let dropped = Arc::new(AtomicUsize::new(0));
    let gui = std::thread::current().id();
    let on_gui = Arc::new(AtomicUsize::new(0));
    let guard = |dropped: &Arc<AtomicUsize>, on_gui: &Arc<AtomicUsize>| {
        let (dropped, on_gui) = (Arc::clone(dropped), Arc::clone(on_gui));
        scopeguard(move || {
            if std::thread::current().id() == gui {
                on_gui.fetch_add(1, Ordering::SeqCst);
            }
            dropped.fetch_add(1, Ordering::SeqCst);
        })
    };
    let g = guard(&dropped, &on_gui);
    spawn_local(async move {
        let _g = g;
        sleep(Duration::from_secs(3600)).await;
    })
    .detach();
    let g = guard(&dropped, &on_gui);
    let (started_tx, started) = std::sync::mpsc::channel();
    spawn_local(async move {
        let _g = g;
        let _ = spawn_blocking(move || {
            started_tx.send(()).unwrap();
            // Still running when shutdown begins: its end wakes the coroutine from a worker.
            std::thread::sleep(Duration::from_millis(50));
        })
        .await;
        std::future::pending::<()>().await;
    })
    .detach();
    fake.turn(); // both parked
    started.recv_timeout(testing::DEFAULT_TIMEOUT).unwrap();
    let g = guard(&dropped, &on_gui);
    spawn_local(async move {
        let _g = g;
    })
    .detach(); // never polled
    drop(runtime);
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        3,
        "every coroutine's destructors ran"
    );
    assert_eq!(on_gui.load(Ordering::SeqCst), 3, "all on the GUI thread");
}

/// Runs `f` when dropped.
fn scopeguard(f: impl FnOnce() + 'static) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}
