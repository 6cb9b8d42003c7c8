//! The GUI-thread executor, headless: where coroutines resume, how wakes are coalesced, how a
//! drain yields to the loop, and who may spawn and drain.

use std::cell::Cell;
use std::rc::Rc;
use std::thread;
use std::time::{Duration, Instant};

use cxx_qt_async_engine::{
    spawn_blocking, spawn_local, stats, testing::FakeLoop, Runtime, TaskError, GUI_THREAD_RULE,
};
use futures::channel::oneshot;

/// Counts its own drop.
struct DropCounter(Rc<Cell<u32>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
fn coroutine_resumes_on_the_loop_thread_after_a_worker_job() {
    let fake = FakeLoop::new();
    let loop_thread = thread::current().id();
    let handle = spawn_local(async move {
        let (job_thread, value) = spawn_blocking(|| (thread::current().id(), 41 + 1))
            .await
            .unwrap();
        (job_thread, thread::current().id(), value)
    });
    let (job_thread, resumed_on, value) = fake.block_on(handle).unwrap();
    assert_ne!(job_thread, loop_thread, "the job ran on a worker");
    assert_eq!(
        resumed_on, loop_thread,
        "the coroutine resumed on the loop thread"
    );
    assert_eq!(value, 42);
}

#[test]
fn spawn_never_polls_inline_the_first_poll_is_at_the_next_drain() {
    let fake = FakeLoop::new();
    let polled = Rc::new(Cell::new(0));
    let p = polled.clone();
    spawn_local(async move { p.set(p.get() + 1) }).detach();
    assert_eq!(polled.get(), 0, "not polled by spawn itself");
    assert!(fake.drain_pending(), "spawning asked the loop for a drain");
    assert!(fake.turn());
    assert_eq!(polled.get(), 1);
}

#[test]
fn wakes_from_many_threads_coalesce_into_one_loop_wake() {
    // A budget no drain here can spend (even under miri): this test is about wakes only.
    let fake = FakeLoop::with_runtime(Runtime::builder().drain_budget(Duration::from_secs(60)));
    let coroutines = 16;
    let finished = Rc::new(Cell::new(0));
    let mut senders = Vec::new();
    for _ in 0..coroutines {
        let (tx, rx) = oneshot::channel::<()>();
        senders.push(tx);
        let f = finished.clone();
        spawn_local(async move {
            rx.await.unwrap();
            f.set(f.get() + 1);
        })
        .detach();
    }
    assert!(
        fake.turn(),
        "first drain: every coroutine suspends on its channel"
    );
    assert_eq!(finished.get(), 0);
    let wakes_before = fake.wakes();
    // Four threads wake four coroutines each, all while the loop is not draining.
    thread::scope(|s| {
        while !senders.is_empty() {
            let chunk: Vec<_> = senders.drain(..4).collect();
            s.spawn(move || {
                for tx in chunk {
                    tx.send(()).unwrap();
                }
            });
        }
    });
    assert_eq!(
        fake.wakes() - wakes_before,
        1,
        "16 wakes from 4 threads posted exactly one loop wake"
    );
    let polls_before = stats().polls;
    assert!(fake.turn());
    assert_eq!(finished.get(), coroutines, "one drain resumed all of them");
    assert_eq!(stats().polls - polls_before, 16, "one poll each");
    assert!(!fake.drain_pending(), "nothing left to do, nothing posted");
}

#[test]
fn drain_returns_to_the_loop_when_its_budget_is_spent() {
    let fake = FakeLoop::with_runtime(Runtime::builder().drain_budget(Duration::from_millis(1)));
    let total = 64;
    let finished = Rc::new(Cell::new(0));
    for _ in 0..total {
        let f = finished.clone();
        spawn_local(async move {
            // 250 µs of GUI-thread work without an await.
            let start = Instant::now();
            while start.elapsed() < Duration::from_micros(250) {
                std::hint::spin_loop();
            }
            f.set(f.get() + 1);
        })
        .detach();
    }
    let yields_before = stats().budget_yields;
    assert!(fake.turn());
    let after_one = finished.get();
    assert!(
        after_one > 0 && after_one < total,
        "one drain ran some but not all: {after_one} of {total}"
    );
    assert_eq!(stats().budget_yields - yields_before, 1);
    assert!(
        fake.drain_pending(),
        "the drain re-armed the loop for the rest"
    );
    // The loop gets control back between drains: count the turns it takes.
    let mut turns = 1;
    while finished.get() < total {
        assert!(fake.turn(), "each drain re-arms until the work is done");
        turns += 1;
        assert!(turns <= total, "no progress");
    }
    assert!(turns > 1, "the work was spread over {turns} drains");
}

/// Runs `f` on a fresh thread while this (GUI) thread has a runtime; returns its panic message.
fn panic_off_the_gui_thread(f: impl FnOnce() + Send + 'static) -> String {
    let _fake = FakeLoop::new();
    panic_message(thread::spawn(f).join().unwrap_err())
}

#[test]
fn spawn_off_the_gui_thread_panics_naming_the_rule() {
    let message = panic_off_the_gui_thread(|| spawn_local(async {}).detach());
    assert!(
        message.contains("spawn_local() called on thread"),
        "{message}"
    );
    assert!(message.contains(GUI_THREAD_RULE), "{message}");
}

#[test]
fn a_drain_from_inside_a_coroutine_panics_naming_the_rule() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(Runtime::builder());
    let drainer = runtime.drainer();
    let outcome = fake.block_on(spawn_local(async move { drainer.drain() }));
    match outcome {
        Err(TaskError::Panicked { message, .. }) => {
            assert!(message.contains("drains never nest"), "{message}");
            assert!(message.contains(GUI_THREAD_RULE), "{message}");
        }
        other => panic!("the nested drain was refused: {other:?}"),
    }
    drop(runtime);
}

#[test]
fn dropping_a_coroutine_handle_cancels_it_at_its_suspension_point() {
    let fake = FakeLoop::new();
    let polls = Rc::new(Cell::new(0));
    let drops = Rc::new(Cell::new(0));
    let (p, d) = (polls.clone(), drops.clone());
    let (_tx, rx) = oneshot::channel::<()>();
    let handle = spawn_local(async move {
        let _guard = DropCounter(d);
        p.set(p.get() + 1);
        let _ = rx.await; // never sent
        p.set(p.get() + 1);
    });
    fake.turn();
    assert_eq!((polls.get(), drops.get()), (1, 0), "suspended, alive");
    let live = stats().live_coroutines;
    drop(handle);
    fake.run_until(|| drops.get() == 1).unwrap();
    assert_eq!(polls.get(), 1, "never polled again");
    assert_eq!(stats().live_coroutines, live - 1);
}

#[test]
fn coroutine_panic_is_contained_and_the_executor_carries_on() {
    let fake = FakeLoop::new();
    let bad = spawn_local(async {
        let v: Vec<u8> = Vec::new();
        v[usize::from(v.is_empty()) + 1]
    });
    let good = spawn_local(async { "still here" });
    match fake.block_on(bad) {
        Err(TaskError::Panicked {
            message, location, ..
        }) => {
            assert!(message.contains("index out of bounds"), "{message}");
            assert!(
                location
                    .as_deref()
                    .unwrap_or("")
                    .contains("engine_executor.rs"),
                "{location:?}"
            );
        }
        other => panic!("expected a contained panic, got {other:?}"),
    }
    assert_eq!(fake.block_on(good), Ok("still here"));
}

#[test]
fn detached_coroutine_runs_to_completion_without_its_handle() {
    let fake = FakeLoop::new();
    let done = Rc::new(Cell::new(false));
    let d = done.clone();
    spawn_local(async move {
        spawn_blocking(|| thread::sleep(Duration::from_millis(2)))
            .await
            .unwrap();
        d.set(true);
    })
    .detach();
    fake.run_until(|| done.get()).unwrap();
}

#[test]
fn joining_many_finished_handles_yields_between_batches() {
    // A budget no drain here can spend (even under miri): this test is about the coop budget.
    let fake = FakeLoop::with_runtime(Runtime::builder().drain_budget(Duration::from_secs(60)));
    let handles: Vec<_> = (0..1000u32)
        .map(|i| spawn_local(async move { i }))
        .collect();
    // All 1000 finish first (in one drain natively; Miri on a loaded machine may need more).
    fake.run_until(|| handles.iter().all(|h| h.is_finished()))
        .unwrap();
    let joiner = spawn_local(async move {
        let mut sum = 0u64;
        for handle in handles {
            sum += u64::from(handle.await.unwrap());
        }
        sum
    });
    let polls_before = stats().polls;
    assert_eq!(fake.block_on(joiner).unwrap(), 999 * 1000 / 2);
    // 1000 ready results at 128 per poll: the joiner went back to the drain loop (where the
    // time budget is checked) at least 7 times instead of taking all 1000 in one poll.
    let joiner_polls = stats().polls - polls_before;
    assert!(joiner_polls >= 8, "joined in {joiner_polls} polls");
}

#[test]
fn yield_now_lets_a_long_stretch_of_gui_work_return_to_the_loop_between_chunks() {
    use cxx_qt_async_engine::yield_now;
    // A 1 ms budget, as by default (under Miri the default is longer).
    let fake = FakeLoop::with_runtime(Runtime::builder().drain_budget(Duration::from_millis(1)));
    let before = stats().drains;
    let chunks = fake
        .block_on(spawn_local(async {
            let mut chunks = 0u32;
            for _ in 0..20 {
                // About 2 ms of GUI-thread work per chunk, more than a drain's 1 ms budget.
                let until = std::time::Instant::now() + std::time::Duration::from_millis(2);
                while std::time::Instant::now() < until {}
                chunks += 1;
                yield_now().await;
            }
            chunks
        }))
        .unwrap();
    assert_eq!(chunks, 20);
    let drains = stats().drains - before;
    assert!(
        drains >= 20,
        "each chunk ran in its own drain (the loop got a turn in between): {drains} drains"
    );
}

#[test]
fn a_drain_that_unwinds_leaves_the_executor_working() {
    use std::future::Future;
    use std::sync::Arc;
    use std::task::{Context, Wake, Waker};

    /// A foreign waker that panics when woken (a broken integration).
    struct Exploding;
    impl Wake for Exploding {
        fn wake(self: Arc<Self>) {
            panic!("this waker explodes");
        }
    }

    let fake = FakeLoop::new();
    // A timer registered with the exploding waker: it is woken inside the next drain.
    let mut parked = Box::pin(cxx_qt_async_engine::sleep(Duration::from_millis(50)));
    let waker = Waker::from(Arc::new(Exploding));
    assert!(parked
        .as_mut()
        .poll(&mut Context::from_waker(&waker))
        .is_pending());
    thread::sleep(Duration::from_millis(60));
    // Work is queued (the latch is armed) when the drain unwinds.
    let queued = spawn_local(async { "queued before the unwind" });
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fake.turn();
    }));
    assert!(
        unwound.is_err(),
        "the drain unwound through the waker's panic"
    );
    // The executor still drains and its timers still fire.
    let slept = fake.block_on(spawn_local(async {
        cxx_qt_async_engine::sleep(Duration::from_millis(5)).await;
        "slept"
    }));
    assert_eq!(slept.unwrap(), "slept");
    assert_eq!(fake.block_on(queued).unwrap(), "queued before the unwind");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "leaks the coroutine on purpose: dropping it off its thread is what must not happen"
)]
fn a_coroutine_woken_off_the_gui_thread_after_shutdown_is_never_dropped_there() {
    /// Records the thread it is dropped on.
    struct WhereDropped(std::sync::Arc<std::sync::Mutex<Option<thread::ThreadId>>>);
    impl Drop for WhereDropped {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = Some(thread::current().id());
        }
    }
    let dropped_on = std::sync::Arc::new(std::sync::Mutex::new(None));
    let fake = FakeLoop::new();
    let (tx, rx) = oneshot::channel::<()>();
    let guard = WhereDropped(dropped_on.clone());
    // A !Send coroutine (it holds an Rc) parked on a channel whose sender another thread has.
    spawn_local(async move {
        let _guard = guard;
        let _not_send = Rc::new(());
        let _ = rx.await;
    })
    .detach();
    assert!(fake.turn(), "the coroutine ran to its await");
    drop(fake); // the runtime shuts down; the coroutine is parked, not queued
    let waker_thread = thread::spawn(move || {
        let _ = tx.send(()); // wakes the coroutine from this thread
        thread::current().id()
    })
    .join()
    .unwrap();
    assert_ne!(
        *dropped_on.lock().unwrap(),
        Some(waker_thread),
        "the coroutine's future was never dropped off its thread"
    );
}

#[test]
fn awaiting_cancel_resolves_after_the_coroutine_is_dropped() {
    let fake = FakeLoop::new();
    let drops = Rc::new(Cell::new(0));
    let counter = DropCounter(drops.clone());
    let (_keep_open, never) = oneshot::channel::<()>();
    let waiting = spawn_local(async move {
        let _counter = counter;
        let _ = never.await;
    });
    assert!(fake.turn(), "the coroutine ran to its await");
    let seen = drops.clone();
    let (output, drops_when_resolved) = fake
        .block_on(spawn_local(async move {
            let output = waiting.cancel().await;
            (output, seen.get())
        }))
        .unwrap();
    assert!(output.is_none(), "it had not finished: no output");
    assert_eq!(drops_when_resolved, 1, "dropped before cancel() resolved");
}

#[test]
fn awaiting_cancel_of_a_finished_coroutine_gives_its_output() {
    let fake = FakeLoop::new();
    let done = spawn_local(async { 7 });
    fake.run_until(|| done.is_finished()).unwrap();
    let output = fake.block_on(done.cancel());
    assert!(matches!(output, Some(Ok(7))), "{output:?}");
}
