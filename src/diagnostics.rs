//! `Diagnostics`: what the engine and the event loop are doing, for the window's tool bar and
//! its diagnostics panel.
//!
//! Owns a lag meter (a 5 ms interval on the GUI thread; lateness over the last 2 s). Every
//! 100 ms it emits `lagSample(peakMs)`, the worst lateness of those 100 ms (the panel plots
//! them); four times a second it publishes `lagLastMs`, `lagP99Ms`, `lagMaxMs`,
//! `liveCoroutines` and `tasksJson`, the engine's live task list as a JSON array of
//! `{id, label, owner, state, spawnedAtMs}` (set only when it changed: every change rebuilds
//! the panel's list, on the GUI thread, inside this coroutine's poll), and `slowPollsJson`, the coroutines whose polls
//! held the GUI thread longest (`{id, label, owner, site, tookMs}`, worst first; the engine's
//! `slow_polls()`), with their count `slowPollCount`.
//!
//! Every second a worker reads the process's memory ([`crate::memory::usage`]): `residentMb`
//! and `heapMb` (-1 where unknown), also logged at debug level (target
//! `async_jobs::memory`, which `scripts/soak.sh` reads). Once a burst of allocations has been
//! freed (the heap in use 16 MiB below its highest figure since the last trim) the same worker
//! gives the free pages back to the system ([`crate::memory::trim`]).

/// The bridge: the `Diagnostics` QObject (QML element of the `AsyncJobs` module).
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// QString from cxx_qt_lib
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(f64, lag_last_ms, cxx_name = "lagLastMs")]
        #[qproperty(f64, lag_p99_ms, cxx_name = "lagP99Ms")]
        #[qproperty(f64, lag_max_ms, cxx_name = "lagMaxMs")]
        #[qproperty(i32, live_coroutines, cxx_name = "liveCoroutines")]
        #[qproperty(QString, tasks_json, cxx_name = "tasksJson")]
        #[qproperty(QString, slow_polls_json, cxx_name = "slowPollsJson")]
        #[qproperty(i32, slow_poll_count, cxx_name = "slowPollCount")]
        #[qproperty(i32, worker_threads, cxx_name = "workerThreads")]
        #[qproperty(QString, bench_load, cxx_name = "benchLoad")]
        #[qproperty(f64, resident_mb, cxx_name = "residentMb")]
        #[qproperty(f64, heap_mb, cxx_name = "heapMb")]
        type Diagnostics = super::DiagnosticsRust;

        /// Every 100 ms: the worst timer lateness and the longest interval between two frames
        /// of those 100 ms, in milliseconds, and how many slow polls were named meanwhile.
        #[qsignal]
        #[cxx_name = "lagSample"]
        fn lag_sample(
            self: Pin<&mut Diagnostics>,
            peak_ms: f64,
            frame_peak_ms: f64,
            new_slow_polls: i32,
        );

        /// Call on every frame the window presents (`onFrameSwapped`).
        #[qinvokable]
        #[cxx_name = "noteFrame"]
        fn note_frame(self: Pin<&mut Diagnostics>);

        /// The frames benchmark finished (its line is printed): the window quits.
        #[qsignal]
        #[cxx_name = "benchDone"]
        fn bench_done(self: Pin<&mut Diagnostics>);

        /// Call on the window's first frame. With `ASYNC_JOBS_EXIT_AFTER_FIRST_FRAME` set, prints
        /// `first_frame_unix_ns=<wall clock>` and returns true (the caller then quits): that is
        /// how the startup benchmark measures process start to first frame.
        #[qinvokable]
        #[cxx_name = "firstFrame"]
        fn first_frame(self: &Diagnostics) -> bool;
    }

    impl cxx_qt::Initialize for Diagnostics {}
}

use std::collections::HashMap;

use cxx_qt::CxxQtType as _;
use std::fmt::Write as _;
use std::io::Write as _;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cxx_qt_lib::QString;
use futures::StreamExt;

use crate::memory;
use cxx_qt_async::engine::{
    interval, slow_polls, spawn_blocking, stats, tasks, worker_threads, LagMeter, Scope, SlowPoll,
    TaskInfo,
};
use cxx_qt_async::{OwnsCoroutines, QObjectSpawn};

/// Backing struct of [`qobject::Diagnostics`].
#[derive(Debug, Default)]
pub struct DiagnosticsRust {
    lag_last_ms: f64,
    lag_p99_ms: f64,
    lag_max_ms: f64,
    live_coroutines: i32,
    tasks_json: QString,
    slow_polls_json: QString,
    slow_poll_count: i32,
    worker_threads: i32,
    /// `busy` or `idle` while the frames benchmark runs (`ASYNC_JOBS_BENCH_FRAMES`), else empty.
    bench_load: QString,
    resident_mb: f64,
    /// -1: unknown.
    heap_mb: f64,
    last_frame: Option<Instant>,
    /// The longest frame interval since the last sample, in ms.
    frame_peak_ms: f64,
    /// Every frame interval (ms) while the benchmark records.
    recorded_frames: Option<Vec<f64>>,
    coroutines: Scope,
}

// SAFETY: `coroutines` is a field of this backing struct, dropped with the QObject.
unsafe impl OwnsCoroutines for DiagnosticsRust {
    fn coroutines(&self) -> &Scope {
        &self.coroutines
    }
}

impl cxx_qt::Initialize for qobject::Diagnostics {
    fn initialize(mut self: Pin<&mut Self>) {
        cxx_qt_async::ensure_runtime();
        let workers = i32::try_from(worker_threads()).unwrap_or(i32::MAX);
        self.as_mut().set_worker_threads(workers);
        if let Some((load, seconds)) = bench::requested() {
            self.as_mut().set_bench_load(QString::from(load));
            self.as_mut()
                .spawn_local_labeled("frames benchmark", move |this| {
                    bench::run(this, load, seconds)
                });
        }
        self.as_mut()
            .spawn_local_labeled("memory", |this| async move {
                const TRIM_SLACK: u64 = 16 << 20;
                let mut tick = interval(Duration::from_secs(1));
                let mut trimmer = memory::Trimmer::new(TRIM_SLACK);
                while tick.next().await.is_some() {
                    let usage = spawn_blocking(memory::usage).await?;
                    let trimmed = trimmer.should_trim(usage.heap_in_use)
                        && spawn_blocking(memory::trim).await?;
                    let mb = |bytes: u64| bytes as f64 / f64::from(1 << 20);
                    tracing::debug!(
                        target: "async_jobs::memory",
                        resident_kb = usage.resident / 1024,
                        heap_kb = usage.heap_in_use.map_or(-1, |b| (b / 1024) as i64),
                        trimmed,
                        "memory"
                    );
                    this.with(|mut o| {
                        o.as_mut().set_resident_mb(mb(usage.resident));
                        o.as_mut().set_heap_mb(usage.heap_in_use.map_or(-1.0, mb));
                    });
                }
                Ok(())
            });
        self.spawn_local_labeled("lag meter and task list", |this| async move {
            let meter = LagMeter::start(Duration::from_millis(5), 400);
            let mut tick = interval(Duration::from_millis(100));
            let mut n = 0u64;
            let mut spawned_at = HashMap::new();
            let mut last_json = String::new();
            let mut slow_seen = stats().slow_polls;
            while tick.next().await.is_some() {
                n += 1;
                let peak = meter.take_peak();
                let slow_now = stats().slow_polls;
                let new_slow = i32::try_from(slow_now - slow_seen).unwrap_or(i32::MAX);
                slow_seen = slow_now;
                this.with(|mut o| {
                    let frame_peak = std::mem::take(&mut o.as_mut().rust_mut().frame_peak_ms);
                    o.lag_sample(peak, frame_peak, new_slow);
                });
                if n % 5 != 0 {
                    continue;
                }
                let lag = meter.snapshot();
                let live = i32::try_from(stats().live_coroutines).unwrap_or(i32::MAX);
                let json = tasks_json(&tasks(), &mut spawned_at);
                let json = (json != last_json).then(|| {
                    last_json.clone_from(&json);
                    json
                });
                let slow_count = i32::try_from(stats().slow_polls).unwrap_or(i32::MAX);
                let slow = (slow_count > 0).then(|| slow_polls_json(&slow_polls()));
                this.with(|mut o| {
                    if let Some(slow) = slow {
                        if o.slow_poll_count != slow_count {
                            o.as_mut().set_slow_polls_json(QString::from(&slow));
                            o.as_mut().set_slow_poll_count(slow_count);
                        }
                    }
                    o.as_mut().set_lag_last_ms(lag.last_ms);
                    o.as_mut().set_lag_p99_ms(lag.p99_ms);
                    o.as_mut().set_lag_max_ms(lag.max_ms);
                    o.as_mut().set_live_coroutines(live);
                    if let Some(json) = json {
                        o.set_tasks_json(QString::from(&json));
                    }
                });
            }
            Ok(())
        });
    }
}

impl qobject::Diagnostics {
    fn note_frame(mut self: Pin<&mut Self>) {
        let now = Instant::now();
        let mut this = self.as_mut().rust_mut();
        if let Some(last) = this.last_frame.replace(now) {
            let ms = (now - last).as_secs_f64() * 1e3;
            this.frame_peak_ms = this.frame_peak_ms.max(ms);
            if let Some(frames) = this.recorded_frames.as_mut() {
                frames.push(ms);
            }
        }
    }

    fn first_frame(&self) -> bool {
        if std::env::var_os("ASYNC_JOBS_EXIT_AFTER_FIRST_FRAME").is_none() {
            return false;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        println!("first_frame_unix_ns={now}");
        let _ = std::io::stdout().flush();
        true
    }
}

/// The task list as JSON for QML (`JSON.parse`). Each task's spawn time (wall clock, ms) is
/// fixed when it is first seen, so the text only changes when a task comes, goes or changes
/// state; the panel computes ages itself.
fn tasks_json(list: &[TaskInfo], spawned_at: &mut HashMap<u64, f64>) -> String {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3);
    spawned_at.retain(|id, _| list.iter().any(|t| t.id.get() == *id));
    json_array(list, |out, t| {
        let _ = write!(
            out,
            r#"{{"id":{},"label":{},"owner":{},"state":{},"spawnedAtMs":{:.0}}}"#,
            t.id.get(),
            json_string(&t.label),
            json_string(t.owner.as_deref().unwrap_or("")),
            json_string(&t.state.to_string()),
            spawned_at
                .entry(t.id.get())
                .or_insert_with(|| now_ms - t.age.as_secs_f64() * 1e3)
        );
    })
}

/// `[item,item,...]`, each item written by `write_item`.
fn json_array<T>(list: &[T], mut write_item: impl FnMut(&mut String, &T)) -> String {
    let mut out = String::from("[");
    for (i, item) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_item(&mut out, item);
    }
    out.push(']');
    out
}

/// The worst slow polls as JSON for QML.
fn slow_polls_json(list: &[SlowPoll]) -> String {
    json_array(list, |out, p| {
        let site = p
            .spawned_at
            .map(|s| format!("{}:{}", s.file(), s.line()))
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"{{"id":{},"label":{},"owner":{},"site":{},"tookMs":{:.1}}}"#,
            p.id.get(),
            json_string(&p.label),
            json_string(p.owner.as_deref().unwrap_or("")),
            json_string(&site),
            p.took.as_secs_f64() * 1e3
        );
    })
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The frames benchmark, run inside the real window (`cargo bench --bench app -- frames S`
/// starts the app with `ASYNC_JOBS_BENCH_FRAMES=busy:S` or `idle:S`): after a second for the
/// window and the load (which `Main.qml` starts when `benchLoad` is `busy`) to settle, it
/// records S seconds of frame intervals, 1 ms timer lateness and, every 200 ms, a quick job's
/// wait from submission to start; then prints one line and quits.
mod bench {
    use std::time::{Duration, Instant};

    use cxx_qt::CxxQtType as _;
    use cxx_qt_async::engine::{percentile as pct, sleep, spawn_blocking, stats, LagMeter};
    use cxx_qt_async::QObjectRef;

    use super::qobject::Diagnostics;

    pub(super) fn requested() -> Option<(&'static str, f64)> {
        let spec = std::env::var("ASYNC_JOBS_BENCH_FRAMES").ok()?;
        let (load, seconds) = spec.split_once(':')?;
        let load = match load {
            "busy" => "busy",
            "idle" => "idle",
            _ => return None,
        };
        Some((load, seconds.parse().ok().filter(|s: &f64| *s > 0.0)?))
    }

    pub(super) async fn run(
        this: QObjectRef<Diagnostics>,
        load: &'static str,
        seconds: f64,
    ) -> anyhow::Result<()> {
        sleep(Duration::from_secs(1)).await;
        let slow_before = stats().slow_polls;
        this.with(|mut o| o.as_mut().rust_mut().recorded_frames = Some(Vec::new()));
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
        let frames = this
            .with(|mut o| o.as_mut().rust_mut().recorded_frames.take())
            .unwrap_or_default();
        println!(
            "frames {load} seconds={seconds} frames={} frame_p50_ms={:.1} frame_p99_ms={:.1} frame_max_ms={:.1} lag_p99_ms={:.2} lag_max_ms={:.2} slow_polls={} quick_jobs={} quick_wait_max_ms={:.1}",
            frames.len(),
            pct(&frames, 0.5),
            pct(&frames, 0.99),
            pct(&frames, 1.0),
            lag.p99_ms,
            lag.max_ms,
            stats().slow_polls - slow_before,
            waits.len(),
            pct(&waits, 1.0),
        );
        this.with(|o| o.bench_done());
        Ok(())
    }
}
