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
//! * `poll`: what one more poll of a coroutine costs (a coroutine that yields N times, in
//!   drains of a budget it never spends: ns per poll).
//! * `fanout`: N coroutines spawned in a loop, each awaiting one trivial job (`i + 1`), the
//!   workload of the peers' `fanout` without Qt: completions per second, and the memory each
//!   in-flight coroutine costs (the allocator's figure, `mallinfo2`, before and after the
//!   spawn loop).
//! * `fairness`: one coroutine queues a batch of N jobs of about 20 µs each (N = 0, 1 000,
//!   100 000), then another coroutine submits one quick job: how long that job waited from its
//!   submission to its start (the pool serves its submitters in turn, so this stays near one job
//!   length whatever N is), and the batch's throughput beside it (jobs per second, which the
//!   turn-taking must not cost).
//!
//! With no arguments at all (`cargo test`; this target has `test = true`) it runs with tiny
//! counts as a smoke test.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use cxx_qt_async_engine::{
    percentile, spawn_blocking, spawn_local, stats, testing::FakeLoop, Runtime,
};
use futures::channel::oneshot;

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
        percentile(&samples, 0.5),
        percentile(&samples, 0.99)
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

fn bench_poll(n: u32) {
    let fake = FakeLoop::with_runtime(
        Runtime::builder()
            .worker_threads(1)
            .drain_budget(Duration::from_secs(3600)),
    );
    let yields = spawn_local(async move {
        for _ in 0..n {
            cxx_qt_async_engine::yield_now().await;
        }
    });
    let polls_before = stats().polls;
    let start = Instant::now();
    fake.block_on(yields).expect("the coroutine");
    let took = start.elapsed();
    let polls = stats().polls - polls_before;
    println!(
        "engine=poll n={n} polls={polls} poll_ns={:.1}",
        took.as_nanos() as f64 / polls as f64
    );
}

fn bench_fanout(n: u64) {
    let fake = FakeLoop::new();
    let started = Instant::now();
    let handles: Vec<_> = (0..n)
        .map(|i| spawn_local(async move { spawn_blocking(move || i + 1).await }))
        .collect();
    let spawned = started.elapsed();
    let mut sum = 0u64;
    let all = spawn_local(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await.expect("a coroutine").expect("a job");
        }
        sum
    });
    sum += fake.block_on(all).expect("the join");
    let took = started.elapsed();
    assert_eq!(sum, n * (n + 1) / 2, "every job's result, once");
    println!(
        "engine=fanout n={n} total_s={:.4} ops_per_s={:.0} spawn_ns={:.0}",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        spawned.as_nanos() as f64 / n as f64,
    );
}

/// About `micros` µs of work on a worker.
fn spin(micros: u64) -> u64 {
    let until = Instant::now() + Duration::from_micros(micros);
    let mut n = 0u64;
    while Instant::now() < until {
        n = std::hint::black_box(n + 1);
    }
    n
}

fn bench_fairness(batch: usize, job_us: u64) {
    let fake = FakeLoop::new();
    let batch_handle = spawn_local(async move {
        let started = Instant::now();
        let jobs: Vec<_> = (0..batch)
            .map(|_| spawn_blocking(move || spin(job_us)))
            .collect();
        futures::future::try_join_all(jobs)
            .await
            .expect("the batch's jobs");
        started.elapsed()
    });
    fake.turn(); // the batch is queued
    let quick = spawn_local(async {
        let submitted = Instant::now();
        let started = spawn_blocking(Instant::now).await.expect("the quick job");
        started - submitted
    });
    let wait = fake.block_on(quick).expect("the quick coroutine");
    let batch_time = fake.block_on(batch_handle).expect("the batch coroutine");
    println!(
        "engine=fairness queued_ahead={batch} job_us={job_us} workers={} quick_wait_us={:.0} batch_jobs_per_s={:.0}",
        cxx_qt_async_engine::worker_threads(),
        wait.as_secs_f64() * 1e6,
        if batch == 0 { 0.0 } else { batch as f64 / batch_time.as_secs_f64() },
    );
}

fn main() {
    // `cargo bench` appends `--bench`; a figure's name runs that one alone.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let smoke = std::env::args().len() == 1;
    let scale = if smoke { 100 } else { 1 };
    let wanted = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    if wanted("spawn") {
        bench_spawn(100_000 / scale);
    }
    if wanted("wake_to_poll") {
        bench_wake_to_poll(20_000 / scale);
    }
    if wanted("drain") {
        bench_drain(200_000 / scale);
    }
    if wanted("poll") {
        bench_poll(1_000_000 / scale as u32);
    }
    if wanted("fanout") {
        bench_fanout(100_000 / scale as u64);
    }
    if wanted("fairness") {
        for batch in [0, 1_000, 100_000] {
            bench_fairness(batch / scale, 20);
        }
    }
    if smoke {
        println!("\ntest result: ok. 6 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n");
    }
}
