//! One vocabulary for every handle: dropping cancels without waiting, `cancel().await` cancels
//! and waits, `detach()` lets it run; a coroutine's handle is the same whoever spawned it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use cxx_qt_async_engine::{
    sleep, spawn_blocking, spawn_cancellable, spawn_local, tasks, testing::FakeLoop, Runtime,
    Scope, TaskError,
};

const BOUND: Duration = cxx_qt_async_engine::testing::DEFAULT_TIMEOUT;

#[test]
fn a_detached_job_still_runs_to_its_end() {
    let fake = FakeLoop::new();
    let (done_tx, done) = mpsc::channel();
    spawn_blocking(move || done_tx.send("ran").unwrap()).detach();
    fake.turn();
    assert_eq!(done.recv_timeout(BOUND), Ok("ran"));
}

#[test]
fn cancelling_a_queued_job_resolves_at_once_and_it_never_runs() {
    // One worker, held: the second job stays queued.
    let fake = FakeLoop::with_runtime(Runtime::builder().worker_threads(1).reserve_threads(0));
    let (release, held) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let blocker = spawn_blocking(move || {
        started_tx.send(()).unwrap();
        held.recv_timeout(BOUND).ok()
    });
    started.recv_timeout(BOUND).unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    let queued = spawn_blocking(move || flag.store(true, Ordering::SeqCst));
    assert!(
        fake.block_on(queued.cancel()).is_none(),
        "cancelled before it ran"
    );
    release.send(()).unwrap();
    fake.block_on(blocker).unwrap();
    fake.block_on(spawn_blocking(|| ())).unwrap(); // the worker went past the queued job
    assert!(!ran.load(Ordering::SeqCst), "the cancelled job never ran");
}

#[test]
fn cancelling_a_running_job_waits_for_its_end_and_gives_its_result() {
    let fake = FakeLoop::new();
    let (started_tx, started) = mpsc::channel();
    let job = spawn_blocking(move || {
        started_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        7
    });
    started.recv_timeout(BOUND).unwrap();
    let out = fake.block_on(job.cancel());
    assert_eq!(
        out.map(Result::unwrap),
        Some(7),
        "a blocking job cannot be interrupted"
    );
}

#[test]
fn cancelling_a_cancellable_job_sets_its_token_and_waits_until_it_stopped() {
    let fake = FakeLoop::new();
    let (started_tx, started) = mpsc::channel();
    let job = spawn_cancellable(move |token| {
        started_tx.send(()).unwrap();
        loop {
            token.check()?;
            std::thread::yield_now();
        }
    });
    started.recv_timeout(BOUND).unwrap();
    let out: Option<Result<(), _>> = fake.block_on(job.cancel());
    assert!(out.expect("it had started").unwrap_err().is_cancelled());
}

#[test]
fn a_task_id_is_the_one_the_task_list_shows() {
    let fake = FakeLoop::new();
    let task = spawn_local(sleep(Duration::from_secs(3600)));
    fake.turn();
    let listed: Vec<_> = tasks().iter().map(|t| t.id).collect();
    assert_eq!(listed, vec![task.id()]);
}

#[test]
fn a_scopes_coroutine_gives_its_output_to_its_handle_like_a_free_one() {
    let fake = FakeLoop::new();
    let scope = Scope::with_owner("window");
    let owned = scope.spawn_local(async { spawn_blocking(|| 6 * 7).await });
    assert_eq!(fake.block_on(owned).unwrap().unwrap(), 42);
    let free = spawn_local(async { spawn_blocking(|| 6 * 7).await });
    assert_eq!(fake.block_on(free).unwrap().unwrap(), 42);
}

#[test]
fn a_scopes_coroutine_ends_with_its_owner_and_its_handle_says_cancelled() {
    let fake = FakeLoop::new();
    let scope = Scope::with_owner("window");
    let owned = scope.spawn_local(sleep(Duration::from_secs(3600)));
    fake.turn();
    drop(scope);
    assert_eq!(fake.block_on(owned), Err(TaskError::Cancelled));
    assert!(tasks().is_empty(), "dropped at the next drain");
}

#[test]
fn dropping_a_scopes_coroutine_handle_cancels_it_like_a_free_one() {
    let fake = FakeLoop::new();
    let scope = Scope::new();
    drop(scope.spawn_local(sleep(Duration::from_secs(3600))));
    fake.turn();
    assert!(scope.is_empty() && tasks().is_empty());
}
