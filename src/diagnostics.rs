//! `Diagnostics`: what the engine and the event loop are doing, for the window's tool bar and
//! its diagnostics panel.
//!
//! Owns a lag meter (a 5 ms interval on the GUI thread; lateness over the last 2 s). Every
//! 100 ms it emits `lagSample(peakMs)`, the worst lateness of those 100 ms (the panel plots
//! them); four times a second it publishes `lagLastMs`, `lagP99Ms`, `lagMaxMs`,
//! `liveCoroutines` and `tasks`, the engine's live task list as a list of
//! `{id, label, owner, state, spawnedAtMs}` objects (set only when it changed: every change
//! rebuilds the panel's list, on the GUI thread, inside this coroutine's poll), and `slowPolls`,
//! the coroutines whose polls held the GUI thread longest (`{id, label, owner, site, tookMs}`,
//! worst first; the engine's `slow_polls()`), with their count `slowPollCount`. QML gets them as
//! arrays of objects (a `QVariantList` of `QVariantMap`s), no text to parse.
//!
//! The window's own benchmarks (`cargo bench --bench app -- frames|fanout`) run in
//! [`bench`].
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
        include!("cxx-qt-lib/qlist.h");
        /// A list of QVariants (QML sees an array of objects)
        type QList_QVariant = cxx_qt_lib::QList<cxx_qt_lib::QVariant>;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(f64, lag_last_ms, cxx_name = "lagLastMs")]
        #[qproperty(f64, lag_p99_ms, cxx_name = "lagP99Ms")]
        #[qproperty(f64, lag_max_ms, cxx_name = "lagMaxMs")]
        #[qproperty(i32, live_coroutines, cxx_name = "liveCoroutines")]
        #[qproperty(QList_QVariant, tasks)]
        #[qproperty(QList_QVariant, slow_polls, cxx_name = "slowPolls")]
        #[qproperty(i32, slow_poll_count, cxx_name = "slowPollCount")]
        #[qproperty(i32, worker_threads, cxx_name = "workerThreads")]
        #[qproperty(QString, bench_load, cxx_name = "benchLoad")]
        #[qproperty(i32, bench_fan_out, cxx_name = "benchFanOut")]
        #[qproperty(f64, bench_seconds, cxx_name = "benchSeconds")]
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

        /// The fan-out benchmark wants its load started now (`Main.qml` launches it).
        #[qsignal]
        #[cxx_name = "benchLoadWanted"]
        fn bench_load_wanted(self: Pin<&mut Diagnostics>);

        /// The floor measurement (`benchLoad` is `floor`, no coroutine runs): start recording
        /// frame intervals (`Main.qml` calls it a second after the first frame).
        #[qinvokable]
        #[cxx_name = "benchRecordFrames"]
        fn bench_record_frames(self: Pin<&mut Diagnostics>);

        /// The floor measurement's end (`benchSeconds` later): prints its line, then
        /// `benchDone`.
        #[qinvokable]
        #[cxx_name = "benchFloorDone"]
        fn bench_floor_done(self: Pin<&mut Diagnostics>);

        /// A job the benchmark's load started has finished (`Main.qml` reports each).
        #[qinvokable]
        #[cxx_name = "benchJobFinished"]
        fn bench_job_finished(
            self: Pin<&mut Diagnostics>,
            kind: &QString,
            state: &QString,
            elapsed_ms: f64,
        );

        /// Call on the window's first frame. With `ASYNC_JOBS_EXIT_AFTER_FIRST_FRAME` set, prints
        /// `first_frame_unix_ns=<wall clock>` and returns true (the caller then quits): that is
        /// how the startup benchmark measures process start to first frame.
        #[qinvokable]
        #[cxx_name = "firstFrame"]
        fn first_frame(self: &Diagnostics) -> bool;
    }

    impl cxx_qt::Initialize for Diagnostics {}
    // Its coroutines need cxx-qt's thread handle (QObjectSpawn).
    impl cxx_qt::Threading for Diagnostics {}
}

use std::collections::HashMap;
use std::io::Write as _;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cxx_qt::CxxQtType as _;
use cxx_qt_lib::{QList, QMap, QMapPair_QString_QVariant, QString, QVariant};
use futures::StreamExt;

use crate::memory;
use cxx_qt_async::engine::{
    interval, slow_polls, spawn_blocking, stats, tasks, worker_threads, LagMeter, SlowPoll,
    TaskInfo,
};
use cxx_qt_async::QObjectSpawn;

mod bench;

/// Backing struct of [`qobject::Diagnostics`].
#[derive(Debug, Default)]
pub struct DiagnosticsRust {
    lag_last_ms: f64,
    lag_p99_ms: f64,
    lag_max_ms: f64,
    live_coroutines: i32,
    tasks: QList<QVariant>,
    slow_polls: QList<QVariant>,
    slow_poll_count: i32,
    worker_threads: i32,
    /// `busy`, `idle` or `fanout` while a benchmark runs (`ASYNC_JOBS_BENCH_FRAMES`), else empty.
    bench_load: QString,
    /// How many jobs the fan-out benchmark launches.
    bench_fan_out: i32,
    /// How long the frames benchmark records.
    bench_seconds: f64,
    resident_mb: f64,
    /// -1: unknown.
    heap_mb: f64,
    last_frame: Option<Instant>,
    /// The longest frame interval since the last sample, in ms.
    frame_peak_ms: f64,
    /// Every frame interval (ms) while the benchmark records.
    recorded_frames: Option<Vec<f64>>,
    /// The benchmark load's jobs that finished: kind, state, elapsed ms.
    bench_jobs: Vec<(String, String, f64)>,
}

impl cxx_qt::Initialize for qobject::Diagnostics {
    fn initialize(mut self: Pin<&mut Self>) {
        let request = bench::requested();
        if let Some(request) = request {
            self.as_mut().set_bench_load(QString::from(request.load));
            self.as_mut().set_bench_fan_out(request.jobs());
            self.as_mut().set_bench_seconds(request.seconds());
            if request.load == "floor" {
                // The floor: the same window with no coroutine at all (QML's timers drive it).
                if cxx_qt_async::engine::has_runtime() {
                    let workers = i32::try_from(worker_threads()).unwrap_or(i32::MAX);
                    self.as_mut().set_worker_threads(workers);
                }
                return;
            }
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
                    })?;
                }
                anyhow::Ok(())
            })
            .detach();
        self.as_mut()
            .spawn_local_labeled("lag meter and task list", |this| async move {
                let meter = LagMeter::start(Duration::from_millis(5), 400);
                let mut tick = interval(Duration::from_millis(100));
                let mut n = 0u64;
                let mut rows = TaskRows::default();
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
                    })?;
                    if n % 5 != 0 {
                        continue;
                    }
                    let lag = meter.snapshot();
                    let live = i32::try_from(stats().live_coroutines).unwrap_or(i32::MAX);
                    let task_list = rows.changed(&tasks());
                    let slow_count = i32::try_from(stats().slow_polls).unwrap_or(i32::MAX);
                    this.with(|mut o| {
                        if slow_count > 0 && o.slow_poll_count != slow_count {
                            o.as_mut().set_slow_polls(slow_poll_list(&slow_polls()));
                            o.as_mut().set_slow_poll_count(slow_count);
                        }
                        o.as_mut().set_lag_last_ms(lag.last_ms);
                        o.as_mut().set_lag_p99_ms(lag.p99_ms);
                        o.as_mut().set_lag_max_ms(lag.max_ms);
                        o.as_mut().set_live_coroutines(live);
                        if let Some(list) = task_list {
                            o.set_tasks(list);
                        }
                    })?;
                }
                anyhow::Ok(())
            })
            .detach();
        // The spawns above installed a runtime if the app had none (a test's window).
        let workers = i32::try_from(worker_threads()).unwrap_or(i32::MAX);
        self.as_mut().set_worker_threads(workers);
        if let Some(request) = request {
            self.spawn_local_labeled("window benchmark", move |this| bench::run(this, request))
                .detach();
        }
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

    fn bench_record_frames(mut self: Pin<&mut Self>) {
        self.as_mut().rust_mut().recorded_frames = Some(Vec::new());
    }

    fn bench_floor_done(mut self: Pin<&mut Self>) {
        let frames = self
            .as_mut()
            .rust_mut()
            .recorded_frames
            .take()
            .unwrap_or_default();
        println!(
            "frames floor seconds={} {}",
            self.bench_seconds(),
            bench::frame_figures(&frames)
        );
        self.bench_done();
    }

    fn bench_job_finished(
        mut self: Pin<&mut Self>,
        kind: &QString,
        state: &QString,
        elapsed_ms: f64,
    ) {
        self.as_mut()
            .rust_mut()
            .bench_jobs
            .push((kind.to_string(), state.to_string(), elapsed_ms));
    }
}

/// One `{key: value, ...}` object for QML.
fn object(fields: &[(&str, QVariant)]) -> QVariant {
    let mut map = QMap::<QMapPair_QString_QVariant>::default();
    for (key, value) in fields {
        map.insert(QString::from(*key), value.clone());
    }
    QVariant::from(&map)
}

fn text(value: &str) -> QVariant {
    QVariant::from(&QString::from(value))
}

/// The task list as the panel last got it, to publish only changes. Each task's spawn time
/// (wall clock, ms) is fixed when it is first seen, so a row only changes when a task comes,
/// goes or changes state; the panel computes ages itself.
#[derive(Default)]
struct TaskRows {
    spawned_at: HashMap<u64, f64>,
    last: Vec<(u64, String)>,
}

impl TaskRows {
    /// The list for QML, or `None` when no task came, went or changed state.
    fn changed(&mut self, list: &[TaskInfo]) -> Option<QList<QVariant>> {
        let now = list
            .iter()
            .map(|t| (t.id.get(), t.state.to_string()))
            .collect::<Vec<_>>();
        if now == self.last {
            return None;
        }
        self.last = now;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3);
        self.spawned_at
            .retain(|id, _| list.iter().any(|t| t.id.get() == *id));
        Some(
            list.iter()
                .map(|t| {
                    let spawned = *self
                        .spawned_at
                        .entry(t.id.get())
                        .or_insert_with(|| now_ms - t.age.as_secs_f64() * 1e3);
                    object(&[
                        (
                            "id",
                            QVariant::from(&i64::try_from(t.id.get()).unwrap_or(i64::MAX)),
                        ),
                        ("label", text(&t.label)),
                        ("owner", text(t.owner.as_deref().unwrap_or(""))),
                        ("state", text(&t.state.to_string())),
                        ("spawnedAtMs", QVariant::from(&spawned)),
                    ])
                })
                .collect(),
        )
    }
}

/// The worst slow polls for QML.
fn slow_poll_list(list: &[SlowPoll]) -> QList<QVariant> {
    list.iter()
        .map(|p| {
            let site = p
                .spawned_at
                .map(|s| format!("{}:{}", s.file(), s.line()))
                .unwrap_or_default();
            object(&[
                (
                    "id",
                    QVariant::from(&i64::try_from(p.id.get()).unwrap_or(i64::MAX)),
                ),
                ("label", text(&p.label)),
                ("owner", text(p.owner.as_deref().unwrap_or(""))),
                ("site", text(&site)),
                ("tookMs", QVariant::from(&(p.took.as_secs_f64() * 1e3))),
            ])
        })
        .collect()
}
