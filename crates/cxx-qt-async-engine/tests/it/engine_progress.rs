//! Progress, headless: a flood of reports reaches the GUI side coalesced to the frame rate,
//! without a loop wake per report, and the final value is never lost.

use std::time::{Duration, Instant};

use cxx_qt_async_engine::{
    progress, spawn_blocking, spawn_local, testing::FakeLoop, FRAME_INTERVAL,
};
use futures::StreamExt;

#[test]
fn progress_flood_is_coalesced_to_frame_rate() {
    let fake = FakeLoop::new();
    let (reporter, watch) = progress::<u64>();
    let wakes_before = fake.wakes();
    // A flood: at least 200 ms of reports, and at least this many (Miri runs the worker a few
    // hundred times slower, and slower still on a busy machine).
    let flood = if cfg!(miri) { 100 } else { 10_000 };
    let started = Instant::now();
    let (reports, seen) = fake
        .block_on(spawn_local(async move {
            let job = spawn_blocking(move || {
                let until = Instant::now() + Duration::from_millis(200);
                let mut i = 0u64;
                while Instant::now() < until || i < flood {
                    i += 1;
                    reporter.report(i);
                }
                i
            });
            let (reports, seen) = futures::join!(job, watch.collect::<Vec<u64>>());
            (reports.unwrap(), seen)
        }))
        .unwrap();
    let elapsed = started.elapsed();
    let frames = elapsed.as_secs_f64() / FRAME_INTERVAL.as_secs_f64();
    assert!(reports >= flood, "a flood: {reports} reports");
    assert!(
        (seen.len() as f64) <= frames + 2.0,
        "{} updates in {elapsed:?} ({frames:.1} frames)",
        seen.len()
    );
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "latest values, in order"
    );
    assert_eq!(seen.last(), Some(&reports), "the final value arrived");
    let loop_wakes = fake.wakes() - wakes_before;
    assert!(
        loop_wakes <= 2 * seen.len() as u64 + 10,
        "{loop_wakes} loop wakes for {reports} reports"
    );
}

#[test]
fn watch_ends_when_the_job_drops_its_reporter() {
    let fake = FakeLoop::new();
    let (reporter, watch) = progress::<u8>();
    let seen = fake
        .block_on(spawn_local(async move {
            let job = spawn_blocking(move || drop(reporter));
            let (_, seen) = futures::join!(job, watch.collect::<Vec<u8>>());
            seen
        }))
        .unwrap();
    assert!(seen.is_empty());
}
