//! Cancellation and composition, headless: every way a job's coroutine can lose interest sets
//! the job's token, and the job (which checks it) stops.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use cxx_qt_async_engine::{
    is_cancelled, race, sleep, spawn_blocking, spawn_blocking_fallible, spawn_cancellable,
    spawn_local, testing::FakeLoop, timeout, CancellableJob, Runtime, Scope, Task, TimedOut,
};

/// A job that says "started", loops until cancelled, then says `name` on `events`.
fn stoppable(events: mpsc::Sender<&'static str>, name: &'static str) -> CancellableJob<()> {
    spawn_cancellable(move |token| {
        let _ = events.send("started");
        loop {
            if token.is_cancelled() {
                let _ = events.send(name);
                token.check()?;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    })
}

/// The next event other than "started" (bounded wait).
fn stopped(events: &mpsc::Receiver<&'static str>) -> Result<&'static str, mpsc::RecvTimeoutError> {
    loop {
        match events.recv_timeout(BOUND)? {
            "started" => continue,
            other => return Ok(other),
        }
    }
}

const BOUND: Duration = cxx_qt_async_engine::testing::DEFAULT_TIMEOUT;
/// How long a held job waits to be let go at most.
const HELD: Duration = Duration::from_secs(60);

#[test]
fn aborting_a_coroutine_cancels_the_job_it_awaits() {
    let fake = FakeLoop::new();
    let (tx, events) = mpsc::channel();
    let coroutine = spawn_local(stoppable(tx, "job"));
    fake.turn();
    assert_eq!(
        events.recv_timeout(BOUND),
        Ok("started"),
        "the job is running"
    );
    drop(coroutine); // cancels it
    fake.turn();
    assert_eq!(stopped(&events), Ok("job"));
}

#[test]
fn destroying_the_owner_cancels_its_jobs() {
    let fake = FakeLoop::new();
    let (tx, events) = mpsc::channel();
    let scope = Scope::new();
    scope
        .spawn_local(async move {
            stoppable(tx, "owned job").await?;
            anyhow::Ok(())
        })
        .detach();
    fake.turn();
    assert_eq!(
        events.recv_timeout(BOUND),
        Ok("started"),
        "the job is running"
    );
    drop(scope);
    fake.turn();
    assert_eq!(stopped(&events), Ok("owned job"));
}

#[test]
fn race_cancels_the_loser() {
    // Two jobs at once: the loser loops until cancelled, so it needs a worker of its own.
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(2));
    let (tx, events) = mpsc::channel();
    // Submitted here, it starts at once; the race begins once it is surely running.
    let loser = stoppable(tx, "loser");
    assert_eq!(events.recv_timeout(BOUND), Ok("started"));
    let winner = fake
        .block_on(spawn_local(race(
            async move { loser.await.map(|()| "loser finished") },
            async { spawn_blocking(|| "winner").await },
        )))
        .unwrap()
        .unwrap();
    assert_eq!(winner, "winner");
    assert_eq!(stopped(&events), Ok("loser"));
}

#[test]
fn timeout_cancels_the_job_and_says_it_timed_out() {
    let fake = FakeLoop::new();
    let (tx, events) = mpsc::channel();
    let slow = stoppable(tx, "slow");
    assert_eq!(events.recv_timeout(BOUND), Ok("started"));
    let outcome = fake
        .block_on(spawn_local(timeout(Duration::from_millis(50), slow)))
        .unwrap();
    assert_eq!(outcome.unwrap_err(), TimedOut(Duration::from_millis(50)));
    assert_eq!(stopped(&events), Ok("slow"));
}

#[test]
fn try_join_failure_cancels_the_sibling_and_surfaces_intact() {
    // Two jobs at once: the sibling loops until cancelled, so it needs a worker of its own.
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(2));
    let (tx, events) = mpsc::channel();
    let sibling = stoppable(tx, "sibling");
    assert_eq!(events.recv_timeout(BOUND), Ok("started"));
    let err = fake
        .block_on(spawn_local(async move {
            let failing =
                spawn_blocking_fallible(|| -> anyhow::Result<()> { Err(anyhow!("disk full")) });
            futures::try_join!(sibling, failing).map(|_| ())
        }))
        .unwrap()
        .unwrap_err();
    assert_eq!(stopped(&events), Ok("sibling"));
    assert!(format!("{err:#}").ends_with("disk full"), "{err:#}");
    assert!(
        !is_cancelled(&err.into()),
        "the failure, not the cancellation, surfaces"
    );
}

#[test]
fn a_job_that_stopped_on_cancel_reports_cancelled_not_failed() {
    let fake = FakeLoop::new();
    let (tx, events) = mpsc::channel();
    let err = fake
        .block_on(spawn_local(async move {
            let job = stoppable(tx, "job");
            // Running, then cancelled: it stops on its token (not cancelled before it ran).
            assert_eq!(events.recv_timeout(BOUND), Ok("started"));
            job.token().cancel(); // asks it to stop; the handle gives the outcome
            let stopped = job.await;
            assert_eq!(events.recv_timeout(BOUND), Ok("job"), "it saw its token");
            stopped
        }))
        .unwrap()
        .unwrap_err();
    assert!(err.is_cancelled() && !err.is_panic(), "{err}");
    assert!(is_cancelled(&err.into()), "seen through anyhow too");
}

#[test]
fn shutdown_cancels_owned_jobs_before_waiting_for_the_workers() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = fake.install(Runtime::builder().shutdown_wait(Duration::from_secs(2)));
    let (tx, events) = mpsc::channel();
    let scope = Scope::new();
    scope
        .spawn_local(async move {
            stoppable(tx, "stopped").await?;
            anyhow::Ok(())
        })
        .detach();
    fake.turn();
    assert_eq!(events.recv_timeout(BOUND), Ok("started"));
    // The app quits: its objects go first (cancelling their coroutines), then the runtime.
    drop(scope);
    drop(runtime);
    // The pool's bounded wait ended because the job stopped, not because the bound ran out.
    assert_eq!(events.try_recv(), Ok("stopped"));
}

/// A coroutine awaiting a blocking job that never checks a token: it runs until the test lets it
/// go (by sending on, or dropping, the returned sender), then sets the returned flag. Returned
/// once the job has started. No timing: however slow the machine (Miri), the job is still
/// running until it is let go (or, should a broken cancel wait for it, after `HELD`, so that the
/// test fails instead of hanging).
fn running_uninterruptible_job(fake: &FakeLoop) -> (Task<()>, Arc<AtomicBool>, mpsc::Sender<()>) {
    let (started_tx, started) = mpsc::channel();
    let (release, held) = mpsc::channel::<()>();
    let ended = Arc::new(AtomicBool::new(false));
    let job_ended = Arc::clone(&ended);
    let task = spawn_local(async move {
        let _ = spawn_blocking(move || {
            let _ = started_tx.send(());
            let _ = held.recv_timeout(HELD);
            job_ended.store(true, Ordering::SeqCst);
        })
        .await;
    });
    fake.turn();
    started.recv_timeout(BOUND).expect("the job started");
    (task, ended, release)
}

#[test]
fn cancel_await_resolves_only_after_a_running_blocking_job_has_returned() {
    let fake = FakeLoop::new();
    let (task, ended, release) = running_uninterruptible_job(&fake);
    let ended_at_resolve = fake
        .block_on(spawn_local({
            let ended = Arc::clone(&ended);
            async move {
                let mut cancel = std::pin::pin!(task.cancel());
                // The cancelled coroutine's future is dropped, and the loop turns a few times
                // while its job is held: the cancel must not resolve meanwhile.
                for _ in 0..3 {
                    assert!(
                        futures::poll!(cancel.as_mut()).is_pending(),
                        "cancel().await resolved while the job it dropped was still running"
                    );
                    sleep(Duration::from_millis(5)).await;
                }
                release.send(()).unwrap();
                assert!(cancel.await.is_none(), "cancelled, not finished");
                ended.load(Ordering::SeqCst)
            }
        }))
        .unwrap();
    assert!(
        ended_at_resolve,
        "cancel().await resolved before the job it dropped had returned"
    );
}

#[test]
fn cancel_await_does_not_wait_for_a_job_still_queued_and_it_never_runs() {
    // One worker, no reserve: a blocker holds it, so the cancelled coroutine's job stays queued.
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(1).reserve_threads(0));
    let (release, held) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let blocker = spawn_blocking(move || {
        started_tx.send(()).unwrap();
        held.recv_timeout(BOUND).ok()
    });
    started.recv_timeout(BOUND).unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let task = spawn_local({
        let ran = Arc::clone(&ran);
        async move { spawn_blocking(move || ran.store(true, Ordering::SeqCst)).await }
    });
    fake.turn();
    let out = fake.block_on(spawn_local(task.cancel())).unwrap();
    assert!(
        out.is_none(),
        "it resolved while the only worker was still held"
    );
    release.send(()).unwrap();
    assert_eq!(fake.block_on(blocker).unwrap(), Some(()));
    assert!(!ran.load(Ordering::SeqCst), "the queued job never ran");
}

#[test]
fn dropping_a_task_cancels_without_waiting_for_its_running_job() {
    let fake = FakeLoop::new();
    let (task, ended, release) = running_uninterruptible_job(&fake);
    drop(task);
    fake.turn();
    assert!(
        !ended.load(Ordering::SeqCst),
        "a plain drop returns at once; the job ends on its own"
    );
    // Let go, the job ends on its own (bounded wait).
    release.send(()).unwrap();
    let deadline = Instant::now() + BOUND;
    while !ended.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "the job did not end once let go");
        std::thread::sleep(Duration::from_millis(1));
    }
}
