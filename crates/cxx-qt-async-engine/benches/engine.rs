//! Engine micro-benchmarks without Qt, on the headless `FakeLoop`: quick figures to catch
//! regressions in the executor's own costs.
//!
//! `cargo bench --bench engine` prints one line per figure:
//! * `spawn_local`: cost of `spawn_local` for a trivial coroutine (spawn loop only), and of spawn + first poll
//!   + completion (the drains included);
//! * `wake_to_poll`: from a worker thread waking a suspended coroutine to that coroutine running
//!   on the loop thread (p50/p99 over many round trips; includes the fake loop's condvar wake-up,
//!   which a Qt loop replaces with its own event wake-up);
//! * `drain`: how many ready coroutines one drain budget gets through (polls per second).
//!
//! With no arguments at all (`cargo test`; this target has `test = true`) it runs with tiny
//! counts as a smoke test.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use cxx_qt_async_engine::{spawn_local, stats, testing::FakeLoop, Runtime};
use futures::channel::oneshot;

/// Nearest-rank percentile: element `ceil(p*n) - 1` of the sorted samples (0 when empty).
fn pct(samples: &[f64], p: f64) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let k = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1));
    v.get(k - 1).copied().unwrap_or(0.0)
}

fn bench_spawn(n: usize) {
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(1));
    let start = Instant::now();
    let handles: Vec<_> = (0..n).map(|i| spawn_local(async move { i })).collect();
    let spawned = start.elapsed();
    fake.run_until(|| handles.iter().all(|h| h.is_finished()))
        .expect("all coroutines finish");
    let finished = start.elapsed();
    drop(handles);
    println!(
        "engine=spawn n={n} spawn_ns={:.1} spawn_poll_complete_ns={:.1}",
        spawned.as_nanos() as f64 / n as f64,
        finished.as_nanos() as f64 / n as f64
    );
}

fn bench_wake_to_poll(n: usize) {
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(1));
    // A helper thread wakes the coroutine and records when; the coroutine records when it runs.
    let (to_helper, helper_rx) = mpsc::channel::<oneshot::Sender<Instant>>();
    let helper = thread::spawn(move || {
        for tx in helper_rx {
            let _ = tx.send(Instant::now());
        }
    });
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let (tx, rx) = oneshot::channel::<Instant>();
        let coroutine = spawn_local(async move {
            let woken_at = rx.await.expect("sent");
            Instant::now() - woken_at
        });
        fake.turn(); // first poll: suspended on the channel
        to_helper.send(tx).expect("helper alive");
        let latency = fake.block_on(coroutine).expect("finished");
        samples.push(latency.as_secs_f64() * 1e6);
    }
    drop(to_helper);
    helper.join().expect("helper");
    println!(
        "engine=wake_to_poll n={n} p50_us={:.2} p99_us={:.2}",
        pct(&samples, 0.5),
        pct(&samples, 0.99)
    );
}

fn bench_drain(n: usize) {
    let budget = Duration::from_millis(1);
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(1).drain_budget(budget));
    for _ in 0..n {
        spawn_local(async { std::hint::black_box(0u64) }).detach();
    }
    let polls_before = stats().polls;
    let start = Instant::now();
    fake.turn(); // one drain: as many as the budget allows
    let one = start.elapsed();
    let polls = stats().polls - polls_before;
    fake.run_until(|| stats().live_coroutines == 0)
        .expect("the rest drains");
    println!(
        "engine=drain n={n} budget_us={} polls_in_one_drain={polls} drain_us={:.0} polls_per_s={:.0}",
        budget.as_micros(),
        one.as_secs_f64() * 1e6,
        polls as f64 / one.as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.is_empty();
    let scale = if smoke { 100 } else { 1 };
    bench_spawn(100_000 / scale);
    bench_wake_to_poll(20_000 / scale);
    bench_drain(200_000 / scale);
    if smoke {
        println!("\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n");
    }
}
