//! The window's own benchmarks, run inside the real window: `cargo bench --bench app -- frames S`
//! (and `frames-idle S`, `fanout N`) starts the app with `ASYNC_JOBS_BENCH_FRAMES` set to
//! `busy:S`, `idle:S` or `fanout:N`.
//!
//! * **frames** (`busy`, `idle`): after a second for the window and the load (which `Main.qml`
//!   starts on its first frame when `benchLoad` is `busy`) to settle, it records S seconds of
//!   frame intervals, 1 ms timer lateness and, every 200 ms, a quick job's wait from submission
//!   to start; then prints one `frames ...` line and quits.
//! * **floor** (`floor:S`): the same window with no coroutine at all (`Diagnostics` starts none;
//!   `Main.qml`'s own timers start and end the recording): the frame intervals Qt Quick gives
//!   this scene on this machine by itself, what the app's figures are judged against.
//! * **fanout**: after a second, it asks the window (`benchLoadWanted`) to launch a Fan-out of N
//!   jobs and, right after it, a Fail job, through its own launcher like a person's clicks;
//!   records frames and timer lateness until both have finished; prints one `fanout-window ...`
//!   line (the fan-out's time and jobs per second, the Fail job's time from its start, and the
//!   frames beside them, so neither can be traded for the other unseen) and quits.

use std::time::{Duration, Instant};

use cxx_qt::CxxQtType as _;
use cxx_qt_async::engine::{percentile as pct, sleep, spawn_blocking, stats, LagMeter};
use cxx_qt_async::QObjectRef;

use super::qobject::Diagnostics;

/// What `ASYNC_JOBS_BENCH_FRAMES` asks for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Request {
    /// `busy`, `idle`, `floor` or `fanout`.
    pub(super) load: &'static str,
    /// Seconds to record (frames), or jobs to fan out (fanout).
    amount: f64,
}

impl Request {
    /// The fan-out's job count (fanout).
    pub(super) fn jobs(self) -> i32 {
        self.amount as i32
    }

    /// Seconds to record (frames).
    pub(super) fn seconds(self) -> f64 {
        self.amount
    }
}

/// The benchmark the environment asks for, if any.
pub(super) fn requested() -> Option<Request> {
    let spec = std::env::var("ASYNC_JOBS_BENCH_FRAMES").ok()?;
    let (load, amount) = spec.split_once(':')?;
    let load = match load {
        "busy" => "busy",
        "idle" => "idle",
        "fanout" => "fanout",
        "floor" => "floor",
        _ => return None,
    };
    let amount = amount.parse().ok().filter(|a: &f64| *a > 0.0)?;
    Some(Request { load, amount })
}

/// Runs the requested benchmark, prints its line and quits the window.
pub(super) async fn run(this: QObjectRef<Diagnostics>, request: Request) -> anyhow::Result<()> {
    sleep(Duration::from_secs(1)).await;
    let line = match request.load {
        "fanout" => fanout(&this, request.amount as u64).await,
        load => frames(&this, load, request.amount).await,
    };
    println!("{line}");
    this.with(|o| o.bench_done())?;
    Ok(())
}

/// Starts recording every frame interval.
fn record_frames(this: &QObjectRef<Diagnostics>) {
    // A refused lend ends the benchmark's coroutine (and says why in the log).
    let _ = this.with(|mut o| o.as_mut().rust_mut().recorded_frames = Some(Vec::new()));
}

/// Stops recording; the frame intervals recorded, in ms.
fn recorded_frames(this: &QObjectRef<Diagnostics>) -> Vec<f64> {
    this.with(|mut o| o.as_mut().rust_mut().recorded_frames.take())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// The frame figures of a line: count, p50, p99, max.
pub(super) fn frame_figures(frames: &[f64]) -> String {
    format!(
        "frames={} frame_p50_ms={:.1} frame_p99_ms={:.1} frame_max_ms={:.1}",
        frames.len(),
        pct(frames, 0.5),
        pct(frames, 0.99),
        pct(frames, 1.0),
    )
}

async fn frames(this: &QObjectRef<Diagnostics>, load: &str, seconds: f64) -> String {
    let slow_before = stats().slow_polls;
    record_frames(this);
    let meter = LagMeter::start(Duration::from_millis(1), 1_000_000);
    let began = Instant::now();
    let length = Duration::from_secs_f64(seconds);
    let mut waits = Vec::new();
    while began.elapsed() < length {
        let submitted = Instant::now();
        if let Ok(start) = spawn_blocking(Instant::now).await {
            waits.push((start - submitted).as_secs_f64() * 1e3);
        }
        sleep(Duration::from_millis(200)).await;
    }
    let lag = meter.snapshot();
    let frames = recorded_frames(this);
    format!(
        "frames {load} seconds={seconds} {} lag_p99_ms={:.2} lag_max_ms={:.2} slow_polls={} quick_jobs={} quick_wait_max_ms={:.1}",
        frame_figures(&frames),
        lag.p99_ms,
        lag.max_ms,
        stats().slow_polls - slow_before,
        waits.len(),
        pct(&waits, 1.0),
    )
}

async fn fanout(this: &QObjectRef<Diagnostics>, n: u64) -> String {
    let slow_before = stats().slow_polls;
    let _ = this.with(|mut o| o.as_mut().rust_mut().bench_jobs.clear());
    record_frames(this);
    let meter = LagMeter::start(Duration::from_millis(1), 1_000_000);
    let _ = this.with(|o| o.bench_load_wanted());
    let began = Instant::now();
    let jobs = loop {
        let jobs = this
            .with(|o| o.rust().bench_jobs.clone())
            .unwrap_or_default();
        if jobs.len() >= 2 || began.elapsed() > Duration::from_secs(120) {
            break jobs;
        }
        sleep(Duration::from_millis(10)).await;
    };
    let lag = meter.snapshot();
    let frames = recorded_frames(this);
    let job = |kind: &str| {
        jobs.iter()
            .find(|(k, _, _)| k == kind)
            .map_or(("unfinished".to_owned(), f64::NAN), |(_, state, ms)| {
                (state.clone(), *ms)
            })
    };
    let (fan_state, fan_ms) = job("fanout");
    let (fail_state, fail_ms) = job("fail");
    format!(
        "fanout-window n={n} fanout_state={fan_state} fanout_ms={fan_ms:.0} jobs_per_s={:.0} fail_state={fail_state} fail_ms={fail_ms:.1} {} lag_p99_ms={:.2} lag_max_ms={:.2} slow_polls={}",
        n as f64 / (fan_ms / 1e3),
        frame_figures(&frames),
        lag.p99_ms,
        lag.max_ms,
        stats().slow_polls - slow_before,
    )
}
