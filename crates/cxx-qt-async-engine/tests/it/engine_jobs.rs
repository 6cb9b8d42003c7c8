//! Jobs on the worker pool, headless: what a failing or panicking job looks like at the await,
//! and what cancellation and the pool's bound mean.

use std::backtrace::BacktraceStatus;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use cxx_qt_async_engine::{
    is_cancelled, spawn_blocking, spawn_blocking_fallible, spawn_local, testing::FakeLoop,
    worker_backtrace, JobError, Runtime,
};

#[inline(never)]
fn exploding_job() -> u32 {
    panic!("the job exploded")
}

#[test]
fn job_panic_becomes_an_error_with_message_location_and_worker_backtrace() {
    let fake = FakeLoop::new();
    let (err, line) = fake.block_on(async {
        let line = line!() + 1; // the next line is the call site
        let result = spawn_blocking(exploding_job).await;
        (result.unwrap_err(), line)
    });
    let job_error = &err;
    match job_error {
        JobError::Panicked {
            message, location, ..
        } => {
            assert_eq!(message, "the job exploded");
            assert!(location.as_deref().unwrap().contains(file!()));
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(job_error.site().line(), line, "the await site");
    assert!(job_error
        .thread()
        .unwrap()
        .starts_with("cxx-qt-async-worker-"));
    let trace = err
        .worker_backtrace()
        .expect("a worker backtrace")
        .to_string();
    assert!(
        trace.contains("exploding_job"),
        "captured inside the job:\n{trace}"
    );
    let text = format!("{err}");
    assert!(text.contains("panicked on cxx-qt-async-worker-"), "{text}");
    assert!(text.contains("the job exploded"), "{text}");
}

#[test]
fn job_error_keeps_its_chain_a_worker_backtrace_and_the_await_site() {
    let fake = FakeLoop::new();
    let (err, line) = fake.block_on(async {
        let line = line!() + 1; // the next line is the call site
        let result = spawn_blocking_fallible(|| -> anyhow::Result<()> {
            Err(anyhow!("disk on fire")).context("saving the report")
        })
        .await;
        (anyhow::Error::from(result.unwrap_err()), line)
    });
    let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
    assert_eq!(chain.len(), 3, "{chain:?}");
    assert!(chain[0].starts_with(&format!("job awaited at {}:{line}:", file!())));
    assert!(
        chain[0].contains(" failed on cxx-qt-async-worker-"),
        "{}",
        chain[0]
    );
    assert_eq!(chain[1], "saving the report");
    assert_eq!(chain[2], "disk on fire");
    let trace = worker_backtrace(&err).expect("a backtrace from the worker");
    assert_eq!(trace.status(), BacktraceStatus::Captured);
    assert!(!is_cancelled(&err), "a failure is not a cancellation");
}

#[test]
fn job_error_still_downcasts_to_the_jobs_own_error_type() {
    let fake = FakeLoop::new();
    let err = fake
        .block_on(spawn_blocking_fallible(|| {
            std::fs::read("/no/such/dir/file").context("reading input")
        }))
        .unwrap_err();
    let io = err.failure_as::<std::io::Error>().expect("the io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn dropping_the_awaiting_coroutine_means_a_queued_job_never_runs() {
    // No reserve worker: the queued job stays queued however long this takes.
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(1).reserve_threads(0));
    let (release, blocked) = mpsc::channel::<()>();
    let ran = Arc::new(AtomicUsize::new(0));
    // The only worker is busy until released...
    let blocker = spawn_local(spawn_blocking(move || blocked.recv().unwrap()));
    let r = ran.clone();
    // ...so this job waits in the queue.
    let waiting = spawn_local(spawn_blocking(move || r.fetch_add(1, Ordering::SeqCst)));
    fake.turn();
    drop(waiting);
    fake.turn();
    release.send(()).unwrap();
    fake.block_on(blocker).unwrap().unwrap();
    // FIFO: a job submitted now runs after the cancelled one would have.
    fake.block_on(spawn_blocking(|| ())).unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 0, "the cancelled job never ran");
}

#[test]
fn runtime_shutdown_cancels_queued_jobs_with_a_distinguishable_error() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(
        Runtime::builder()
            .worker_threads(1)
            .reserve_threads(0)
            .shutdown_wait(Duration::ZERO),
    );
    let (release, blocked) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel::<()>();
    let busy = spawn_blocking(move || {
        started_tx.send(()).unwrap();
        blocked.recv().unwrap()
    });
    let queued = spawn_blocking(|| "never");
    // The only worker is inside `busy`, so `queued` is certainly still queued at shutdown.
    started.recv().unwrap();
    drop(runtime);
    let _ = release.send(());
    drop(busy);
    let err = futures::executor::block_on(queued).unwrap_err();
    assert!(err.is_cancelled() && !err.is_panic());
    assert!(format!("{err}").ends_with("was cancelled"), "{err}");
}

#[test]
fn pool_runs_jobs_in_parallel_up_to_its_bound() {
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(2).reserve_threads(0));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    // Two jobs meet at a barrier: that needs two workers at once (one would never get there).
    let barrier = Arc::new(Barrier::new(2));
    let mut handles = Vec::new();
    for i in 0..8 {
        let (running, peak, barrier) = (running.clone(), peak.clone(), barrier.clone());
        handles.push(spawn_local(spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            if i < 2 {
                barrier.wait();
            }
            std::thread::sleep(Duration::from_millis(2));
            running.fetch_sub(1, Ordering::SeqCst);
        })));
    }
    for h in handles {
        fake.block_on(h).unwrap().unwrap();
    }
    assert_eq!(
        peak.load(Ordering::SeqCst),
        2,
        "never more than the pool's 2 workers"
    );
}

#[test]
fn jobs_started_before_one_await_run_in_parallel_and_join() {
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(2));
    // Each job waits for the other at a barrier: they finish only if both run at once, which
    // happens because a job starts when it is submitted, not when it is first awaited.
    let barrier = Arc::new(Barrier::new(2));
    let (b1, b2) = (barrier.clone(), barrier);
    let sum = fake
        .block_on(spawn_local(async move {
            let first = spawn_blocking(move || {
                b1.wait();
                1
            });
            let second = spawn_blocking(move || {
                b2.wait();
                2
            });
            let (a, b) = futures::try_join!(first, second)?;
            anyhow::Ok(a + b)
        }))
        .unwrap()
        .unwrap();
    assert_eq!(sum, 3);
}

#[test]
fn a_quick_job_does_not_wait_for_long_jobs_that_hold_every_worker() {
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(2));
    let (release, blocked) = mpsc::channel::<()>();
    let blocked = Arc::new(std::sync::Mutex::new(blocked));
    let (started_tx, started) = mpsc::channel::<()>();
    // Two long jobs hold both workers until released (at the end of the test).
    let long: Vec<_> = (0..2)
        .map(|_| {
            let (blocked, started_tx) = (blocked.clone(), started_tx.clone());
            spawn_blocking(move || {
                started_tx.send(()).unwrap();
                let _ = blocked.lock().unwrap().recv();
            })
        })
        .collect();
    started.recv().unwrap();
    started.recv().unwrap();
    // A reserve worker takes the quick job: it finishes while both long ones still run (with
    // the strict bound it would wait for them, and block_on would time out).
    let name = fake.block_on(spawn_blocking(|| {
        std::thread::current().name().unwrap_or("").to_owned()
    }));
    assert!(name.unwrap().starts_with("cxx-qt-async-reserve-"));
    drop(release);
    for job in long {
        fake.block_on(job).unwrap();
    }
}

#[test]
fn without_reserve_threads_a_quick_job_waits_for_a_worker() {
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(1).reserve_threads(0));
    let (release, blocked) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel::<()>();
    let long = spawn_blocking(move || {
        started_tx.send(()).unwrap();
        let _ = blocked.recv();
    });
    started.recv().unwrap();
    let quick = spawn_local(spawn_blocking(|| ()));
    // Ten times the starvation delay: still queued.
    let _ = fake.try_block_on(spawn_local(cxx_qt_async_engine::sleep(
        Duration::from_millis(200),
    )));
    assert!(
        !quick.is_finished(),
        "the quick job waited for the only worker"
    );
    release.send(()).unwrap();
    fake.block_on(long).unwrap();
    fake.block_on(quick).unwrap().unwrap();
}

/// The calling thread's niceness (the engine reads it from `/proc` for its workers).
fn own_nice() -> i32 {
    cxx_qt_async_engine::testing::thread_nice().expect("a niceness under /proc")
}

#[test]
#[cfg_attr(miri, ignore = "reads /proc and changes OS priorities")]
fn workers_run_ten_nice_levels_below_the_gui_thread() {
    let fake = FakeLoop::new();
    let gui = own_nice();
    let worker = fake.block_on(spawn_blocking(own_nice)).unwrap();
    assert_eq!(worker, (gui + 10).min(19), "the GUI thread is at {gui}");
    assert_eq!(own_nice(), gui, "the GUI thread keeps its own");
}

#[test]
#[cfg_attr(miri, ignore = "reads /proc and changes OS priorities")]
fn worker_nice_zero_keeps_the_gui_threads_priority() {
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_nice(0));
    let gui = own_nice();
    assert_eq!(fake.block_on(spawn_blocking(own_nice)).unwrap(), gui);
}
