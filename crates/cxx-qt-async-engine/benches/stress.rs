//! Stress figures of the engine through its public API, on the headless `FakeLoop`. Each line is
//! a claim with its figure; a broken claim exits non-zero.
//!
//! * `jobs`: N jobs (`spawn_blocking`) awaited by coroutines in batches: completions counted per
//!   job id, so a lost or duplicated completion shows (0 and 0), with the throughput;
//! * `panics`: N panicking jobs, each an error at its await carrying its own message;
//! * `owners`: N owners (`Scope`s) each with a coroutine awaiting a cancellable job, dropped
//!   mid-job: no coroutine resumes after its owner died, every started job sees its token, and
//!   the task list is back to 0.
//!
//! `cargo bench -p cxx-qt-async-engine --bench stress` runs the full sizes (1 000 000 jobs,
//! 10 000 panics, 10 000 owners); with no arguments (`cargo test`, this target has
//! `test = true`) it runs small sizes as a smoke test.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cxx_qt_async_engine::{
    spawn_blocking, spawn_cancellable, spawn_local, tasks, testing::FakeLoop, JobError, Runtime,
    Scope,
};

/// Prints the figure line; exits with status 1 when the claim does not hold.
fn report(ok: bool, line: String) {
    println!("{line}");
    if !ok {
        eprintln!("stress: claim broken: {line}");
        std::process::exit(1);
    }
}

fn stress_jobs(n: usize) {
    let fake = FakeLoop::with_runtime(Runtime::builder());
    let completions: Arc<Vec<AtomicU8>> = Arc::new((0..n).map(|_| AtomicU8::new(0)).collect());
    let started = Instant::now();
    let batch = 10_000.min(n);
    let seen = fake
        .block_on(spawn_local({
            let completions = completions.clone();
            async move {
                let mut seen = 0usize;
                for start in (0..n).step_by(batch) {
                    let jobs: Vec<_> = (start..(start + batch).min(n))
                        .map(|i| {
                            let completions = completions.clone();
                            spawn_blocking(move || {
                                completions[i].fetch_add(1, Ordering::Relaxed);
                                i
                            })
                        })
                        .collect();
                    for id in futures::future::try_join_all(jobs).await? {
                        seen += usize::from(id < n);
                    }
                }
                anyhow::Ok(seen)
            }
        }))
        .unwrap()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let lost = completions
        .iter()
        .filter(|c| c.load(Ordering::Relaxed) == 0)
        .count();
    let duplicated = completions
        .iter()
        .filter(|c| c.load(Ordering::Relaxed) > 1)
        .count();
    report(
        lost == 0 && duplicated == 0 && seen == n,
        format!(
            "stress jobs={n} lost={lost} duplicated={duplicated} results={seen} seconds={seconds:.2} jobs_per_s={:.0}",
            n as f64 / seconds
        ),
    );
}

fn stress_panics(n: usize) {
    // The engine's panic hook calls the one before it for every panic, contained or not: these
    // are deliberate, so the hook before it stays quiet (as an app's would for expected ones).
    std::panic::set_hook(Box::new(|_| {}));
    let fake = FakeLoop::with_runtime(Runtime::builder());
    let started = Instant::now();
    let (right, wrong) = fake
        .block_on(spawn_local(async move {
            let jobs: Vec<_> = (0..n)
                .map(|i| spawn_blocking(move || -> usize { panic!("job {i} panicked on purpose") }))
                .collect();
            let (mut right, mut wrong) = (0usize, 0usize);
            for (i, job) in jobs.into_iter().enumerate() {
                let err = job.await.expect_err("a panic is an error");
                let own_message = matches!(
                    &err,
                    JobError::Panicked { message, .. } if *message == format!("job {i} panicked on purpose")
                );
                if own_message {
                    right += 1;
                } else {
                    wrong += 1;
                }
            }
            (right, wrong)
        }))
        .unwrap();
    report(
        right == n && wrong == 0,
        format!(
            "stress panics={n} errors_with_their_message={right} wrong={wrong} seconds={:.2}",
            started.elapsed().as_secs_f64()
        ),
    );
}

fn stress_owners(n: usize) {
    let fake = FakeLoop::with_runtime(Runtime::builder());
    let resumed_after_drop = Rc::new(Cell::new(0usize));
    let started_jobs = Arc::new(AtomicUsize::new(0));
    let stopped_jobs = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let mut owners = Vec::with_capacity(n);
    for _ in 0..n {
        let owner = Scope::with_owner("stress owner");
        let alive = Rc::new(Cell::new(true));
        let (resumed, started_count, stopped) = (
            resumed_after_drop.clone(),
            started_jobs.clone(),
            stopped_jobs.clone(),
        );
        let owner_alive = alive.clone();
        owner
            .spawn_local(async move {
                let job = spawn_cancellable(move |token| {
                    started_count.fetch_add(1, Ordering::SeqCst);
                    while !token.is_cancelled() {
                        std::thread::yield_now();
                    }
                    stopped.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                });
                let _ = job.await;
                // Only reached if the job ended on its own, which it cannot while its owner lives.
                if !owner_alive.get() {
                    resumed.set(resumed.get() + 1);
                }
                anyhow::Ok(())
            })
            .detach();
        owners.push((owner, alive));
    }
    // Let every coroutine reach its await, and some jobs start; then every owner dies mid-job.
    fake.run_until(|| tasks().len() == n).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while started_jobs.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    for (owner, alive) in owners {
        alive.set(false);
        drop(owner);
    }
    // Their coroutines are dropped at the next drain, setting the tokens of the running jobs.
    fake.run_until(|| tasks().is_empty()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while stopped_jobs.load(Ordering::SeqCst) < started_jobs.load(Ordering::SeqCst)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(1));
        fake.turn();
    }
    let (started, stopped) = (
        started_jobs.load(Ordering::SeqCst),
        stopped_jobs.load(Ordering::SeqCst),
    );
    let resumed = resumed_after_drop.get();
    let left = tasks().len();
    report(
        resumed == 0 && left == 0 && started == stopped,
        format!(
            "stress owners={n} resumed_after_drop={resumed} tasks_left={left} jobs_started={started} jobs_stopped_by_token={stopped} seconds={:.2}",
            began.elapsed().as_secs_f64()
        ),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test` passes no arguments; `cargo bench` passes `--bench`.
    let smoke = args.is_empty();
    let (jobs, panics, owners) = if smoke {
        (20_000, 500, 300)
    } else {
        (1_000_000, 10_000, 10_000)
    };
    stress_jobs(jobs);
    stress_panics(panics);
    stress_owners(owners);
    if smoke {
        println!("\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n");
    }
}
