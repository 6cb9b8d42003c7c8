//! The worker pool serves its submitters in turn: a coroutine's first job does not wait behind
//! the jobs another coroutine queued before it.
//!
//! Each test runs one worker (no reserve), so the order in which jobs start is the order the
//! pool serves them: every job takes a ticket as it starts. The batch's jobs first wait at a
//! gate that the later coroutine opens only once its own job is queued, so that job is queued
//! behind the whole batch however fast the worker is.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use cxx_qt_async_engine::testing::{FakeLoop, DEFAULT_TIMEOUT};
use cxx_qt_async_engine::{spawn_blocking, spawn_local, Runtime};

/// Jobs the earlier coroutine queues (fewer under Miri, which runs them a thousand times slower).
const BATCH: u64 = if cfg!(miri) { 200 } else { 10_000 };

fn one_worker() -> FakeLoop {
    FakeLoop::with_runtime(Runtime::builder().worker_threads(1).reserve_threads(0))
}

/// Closed until opened; a job waiting at it holds the (only) worker. Waits are bounded.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn wait(&self) {
        let (open, changed) = &*self.0;
        let guard = open.lock().unwrap();
        let (guard, timeout) = changed
            .wait_timeout_while(guard, DEFAULT_TIMEOUT, |open| !*open)
            .unwrap();
        assert!(*guard && !timeout.timed_out(), "the gate was never opened");
    }

    fn open(&self) {
        *self.0 .0.lock().unwrap() = true;
        self.0 .1.notify_all();
    }
}

/// A batch job: waits at the gate, then takes its ticket.
fn gated_ticket(gate: &Gate, tickets: &Arc<AtomicU64>) -> impl FnOnce() -> u64 + Send + 'static {
    let (gate, tickets) = (gate.clone(), Arc::clone(tickets));
    move || {
        gate.wait();
        tickets.fetch_add(1, Ordering::SeqCst)
    }
}

/// The later coroutine: queues one job, opens the gate, and returns that job's ticket.
async fn quick_job(gate: Gate, tickets: Arc<AtomicU64>) -> anyhow::Result<u64> {
    let job = spawn_blocking(move || tickets.fetch_add(1, Ordering::SeqCst));
    gate.open();
    Ok(job.await?)
}

#[test]
fn a_later_coroutines_single_job_starts_before_an_earlier_coroutines_10_000th() {
    let fake = one_worker();
    let (gate, tickets) = (Gate::default(), Arc::new(AtomicU64::new(0)));
    let batch = spawn_local({
        let (gate, tickets) = (gate.clone(), Arc::clone(&tickets));
        async move {
            let jobs: Vec<_> = (0..BATCH)
                .map(|_| spawn_blocking(gated_ticket(&gate, &tickets)))
                .collect();
            futures::future::try_join_all(jobs).await.map(|t| t.len())
        }
    });
    fake.turn(); // the batch is queued (its first job holds the worker at the gate)
    let ticket = fake
        .block_on(spawn_local(quick_job(gate, Arc::clone(&tickets))))
        .unwrap()
        .unwrap();
    // In turn: the batch job that held the worker, and the one the batch's turn had begun
    // with, start first. A single FIFO would start the quick job last (ticket BATCH).
    assert!(
        ticket <= 2,
        "the quick job got ticket {ticket} of {}",
        BATCH + 1
    );
    assert_eq!(fake.block_on(batch).unwrap().unwrap(), BATCH as usize);
}

#[test]
fn a_fan_out_of_coroutines_spawned_in_a_row_from_one_place_is_one_submitter() {
    // A loop that spawns a coroutine per job is one submitter, not BATCH of them: a coroutine
    // spawned elsewhere afterwards gets its job started after at most two of the fan-out's.
    let fake = one_worker();
    let (gate, tickets) = (Gate::default(), Arc::new(AtomicU64::new(0)));
    let queued = Arc::new(AtomicU64::new(0));
    let fan_out: Vec<_> = (0..BATCH)
        .map(|_| {
            let job = gated_ticket(&gate, &tickets);
            let queued = Arc::clone(&queued);
            spawn_local(async move {
                let job = spawn_blocking(job);
                queued.fetch_add(1, Ordering::SeqCst);
                job.await
            })
        })
        .collect();
    fake.run_until(|| queued.load(Ordering::SeqCst) == BATCH)
        .unwrap();
    let ticket = fake
        .block_on(spawn_local(quick_job(gate, Arc::clone(&tickets))))
        .unwrap()
        .unwrap();
    assert!(
        ticket <= 2,
        "the quick job got ticket {ticket} of {}",
        BATCH + 1
    );
    for handle in fan_out {
        fake.block_on(handle).unwrap().unwrap();
    }
}
