//! Time on the GUI thread, headless: sleeps and intervals are driven by the loop, never by
//! threads, and die with their futures.

use std::cell::RefCell;
use std::rc::Rc;
use std::thread;
use std::time::{Duration, Instant};

use cxx_qt_async_engine::{interval, sleep, sleep_until, spawn_local, stats, testing::FakeLoop};
use futures::StreamExt;

#[test]
fn sleep_resumes_on_the_loop_thread_no_earlier_than_its_deadline() {
    let fake = FakeLoop::new();
    let started = Instant::now();
    let loop_thread = thread::current().id();
    let resumed_on = fake
        .block_on(spawn_local(async {
            sleep(Duration::from_millis(30)).await;
            thread::current().id()
        }))
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(30));
    assert_eq!(resumed_on, loop_thread);
}

#[test]
fn dropping_a_sleeping_coroutine_removes_its_timer() {
    let fake = FakeLoop::new();
    let handle = spawn_local(sleep(Duration::from_secs(3600)));
    fake.turn();
    assert_eq!(stats().pending_timers, 1);
    drop(handle);
    fake.run_until(|| stats().live_coroutines == 0).unwrap();
    assert_eq!(stats().pending_timers, 0);
}

#[test]
fn sleeps_fire_in_deadline_order() {
    let fake = FakeLoop::new();
    let order = Rc::new(RefCell::new(Vec::new()));
    // Deadlines from one instant, far enough ahead that all three are pending at their first
    // poll, however slowly the coroutines start (Miri runs them hundreds of times slower).
    let start = Instant::now()
        + if cfg!(miri) {
            Duration::from_secs(3)
        } else {
            Duration::ZERO
        };
    let handles: Vec<_> = [30u64, 10, 20]
        .into_iter()
        .map(|ms| {
            let order = order.clone();
            spawn_local(async move {
                sleep_until(start + Duration::from_millis(ms)).await;
                order.borrow_mut().push(ms);
            })
        })
        .collect();
    for h in handles {
        fake.block_on(h).unwrap();
    }
    assert_eq!(*order.borrow(), vec![10, 20, 30]);
}

#[test]
fn interval_skips_missed_ticks_instead_of_bursting() {
    let fake = FakeLoop::new();
    let period = Duration::from_millis(5);
    // The instant each tick was scheduled for, and when the GUI thread's stall ended.
    let ticks = Rc::new(RefCell::new(Vec::<Instant>::new()));
    let stall_end = Rc::new(RefCell::new(None::<Instant>));
    let (t, end) = (ticks.clone(), stall_end.clone());
    let handle = spawn_local(async move {
        let mut every = interval(period);
        while let Some(at) = every.next().await {
            t.borrow_mut().push(at);
            if t.borrow().len() == 1 {
                // The GUI thread is busy for 6 periods right after the first tick.
                thread::sleep(period * 6);
                *end.borrow_mut() = Some(Instant::now());
            }
            if t.borrow().len() == 3 {
                break;
            }
        }
    });
    fake.block_on(handle).unwrap();
    let ticks = ticks.borrow();
    let stall_end = stall_end.borrow().unwrap();
    // The tick that was due during the stall is delivered late, once; a bursting interval would
    // then deliver the other missed ticks (scheduled during the stall) back to back. Skipping
    // ones are scheduled after the stall.
    assert!(
        ticks[2] >= stall_end,
        "the tick after the late one was scheduled after the stall, not during it: {:?} after the stall",
        ticks[2].checked_duration_since(stall_end).map_or_else(
            || format!("-{:?}", stall_end - ticks[2]),
            |d| format!("{d:?}")
        )
    );
}

#[test]
fn shutdown_drops_detached_coroutines_parked_on_a_timer() {
    struct Dropped(Rc<RefCell<u32>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            *self.0.borrow_mut() += 1;
        }
    }
    let drops = Rc::new(RefCell::new(0));
    let fake = FakeLoop::new();
    for _ in 0..3 {
        let guard = Dropped(drops.clone());
        spawn_local(async move {
            let _guard = guard;
            sleep(Duration::from_secs(3600)).await;
        })
        .detach();
    }
    // Let each coroutine run to its sleep: from now on only the timer's waker holds it.
    fake.run_until(|| stats().pending_timers == 3).unwrap();
    assert_eq!(*drops.borrow(), 0);
    drop(fake); // the runtime shuts down
    assert_eq!(
        *drops.borrow(),
        3,
        "every detached coroutine was dropped, its destructors run, at shutdown"
    );
}

#[test]
fn lag_meter_sees_a_blocked_loop() {
    use cxx_qt_async_engine::LagMeter;
    let fake = FakeLoop::new();
    let meter = LagMeter::start(Duration::from_millis(2), 1000);
    fake.block_on(spawn_local(sleep(Duration::from_millis(20))))
        .unwrap();
    // Block the GUI thread for 30 ms inside a coroutine, then let the meter tick again.
    fake.block_on(spawn_local(async {
        thread::sleep(Duration::from_millis(30))
    }))
    .unwrap();
    let before = meter.snapshot().samples;
    fake.run_until(|| meter.snapshot().samples > before)
        .unwrap();
    let lag = meter.snapshot();
    assert!(lag.max_ms >= 25.0, "the 30 ms block shows: {lag:?}");
}

#[test]
fn virtual_time_completes_an_hour_long_sleep_at_once() {
    let fake = FakeLoop::new();
    let started = Instant::now();
    let nap = spawn_local(async {
        sleep(Duration::from_secs(3600)).await;
        "rested"
    });
    assert!(fake.turn(), "the coroutine reached its sleep");
    assert!(!nap.is_finished());
    fake.advance(Duration::from_secs(3599));
    fake.turn();
    assert!(!nap.is_finished(), "not before its deadline");
    fake.advance(Duration::from_secs(1));
    assert_eq!(fake.block_on(nap).unwrap(), "rested");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn virtual_time_gives_an_interval_one_tick_per_period_advanced() {
    let fake = FakeLoop::new();
    let ticks = Rc::new(RefCell::new(0u32));
    let seen = ticks.clone();
    let _ticking = spawn_local(async move {
        let mut every = interval(Duration::from_secs(60));
        while every.next().await.is_some() {
            *seen.borrow_mut() += 1;
        }
    });
    fake.turn();
    for minute in 1..=5u32 {
        fake.advance(Duration::from_secs(60));
        fake.run_until(|| *ticks.borrow() == minute).unwrap();
    }
    assert_eq!(*ticks.borrow(), 5, "exactly one tick per minute advanced");
}

#[test]
fn virtual_time_expires_a_timeout_without_waiting_for_it() {
    use cxx_qt_async_engine::{timeout, TimedOut};
    let fake = FakeLoop::new();
    let started = Instant::now();
    let waiting = spawn_local(timeout(
        Duration::from_secs(600),
        std::future::pending::<()>(),
    ));
    fake.turn();
    fake.advance(Duration::from_secs(600));
    let outcome = fake.block_on(waiting).unwrap();
    assert!(matches!(outcome, Err(TimedOut { .. })), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
