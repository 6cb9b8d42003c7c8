//! App-level figures.
//!
//! * `cargo bench --bench app -- startup [RUNS]`: launches the real `async-jobs` binary RUNS
//!   times (default 5) and measures from just before the launch to the window's first frame
//!   (the app prints the wall clock at its first `frameSwapped` when
//!   `ASYNC_JOBS_EXIT_AFTER_FIRST_FRAME` is set, then quits). It uses the current `DISPLAY`
//!   (run it under `scripts/with-xvfb.sh`); without one, Qt's offscreen platform, and says so.
//! * `cargo bench --bench app -- lag [SECONDS]`: on a real Qt event loop (offscreen), runs a
//!   CPU-heavy job (counting primes below 2·10⁹) and a progress flood (a worker reporting progress
//!   as fast as it can, shown coalesced on the GUI thread) for SECONDS (default 3), while a 1 ms
//!   precise Qt timer and the engine's lag meter record how late the GUI thread serves them.
//!   Meanwhile, every 200 ms, a quick job is submitted while both long jobs hold the workers:
//!   `quick_wait_max_ms` is the longest time from its submission to its start.
//!
//! * `cargo bench --bench app -- download [MIB]`: a local HTTP server (the GUI tests' own, on
//!   127.0.0.1) serves MIB MiB (default 256); `curl` fetches it to /dev/null, then the app's
//!   download job code (reqwest on the runtime's tokio threads, written to a temp file and
//!   hashed) fetches it while a Qt event loop (offscreen) runs a 1 ms precise timer and the
//!   lag meter on the GUI thread. Prints both throughputs and the GUI thread's lateness.
//!
//! * `cargo bench --bench app -- frames [SECONDS]` (and `frames-idle`): starts the real
//!   `async-jobs` window under the current display (run it under `scripts/with-xvfb.sh`) with
//!   `ASYNC_JOBS_BENCH_FRAMES`; the window starts a load through its own launcher (a long CPU
//!   job per worker, a hash of /dev/zero, a scan of /usr, a fan-out of 50 000; none when idle),
//!   records SECONDS (default 10) of frame intervals (`frameSwapped` as the GUI thread sees
//!   it), 1 ms timer lateness, slow polls and a quick job's wait every 200 ms, and prints one
//!   line; before it, the **floor**: the same window with no coroutine at all, SECONDS of frame
//!   intervals (`frames-floor` alone), which is what Qt Quick gives this scene here by itself.
//! * `cargo bench --bench app -- fanout [JOBS]`: the real window launches a Fan-out of JOBS
//!   (default 100 000) and right after it a Fail job through its own launcher, and prints the
//!   fan-out's time and jobs per second, the Fail job's time, and the frame intervals and timer
//!   lateness meanwhile (`src/diagnostics/bench.rs`).
//!
//! With no arguments at all (`cargo test`; `test = true`) it runs both briefly as a smoke test.

use std::cell::RefCell;
use std::ffi::c_void;
use std::process::{exit, Command};
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_jobs::work;
use cxx_qt_async::engine::{progress, sleep, spawn_blocking, spawn_local, LagMeter};
use cxx_qt_async::QtRuntime;
use cxx_qt_lib::QGuiApplication;

use cxx_qt_async_test_support as support;
use futures::StreamExt;
use support::{pct, quit, PreciseTimer};

fn startup(runs: usize) -> bool {
    let exe = env!("CARGO_BIN_EXE_async-jobs");
    let headless = std::env::var_os("DISPLAY").is_none();
    let mut samples = Vec::new();
    for _ in 0..runs {
        let mut cmd = Command::new(exe);
        cmd.env("ASYNC_JOBS_EXIT_AFTER_FIRST_FRAME", "1");
        if headless {
            cmd.env("QT_QPA_PLATFORM", "offscreen");
        }
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        let out = cmd.output().expect("launch async-jobs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let Some(at) = stdout
            .lines()
            .find_map(|l| l.strip_prefix("first_frame_unix_ns="))
            .and_then(|v| v.parse::<u128>().ok())
        else {
            eprintln!(
                "app startup FAIL: no first frame (status {:?})\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            return false;
        };
        samples.push((at - before) as f64 / 1e6);
    }
    println!(
        "app=startup platform={} runs={runs} first_frame_ms_p50={:.1} first_frame_ms_max={:.1}",
        if headless { "offscreen" } else { "xcb" },
        pct(&samples, 0.5),
        pct(&samples, 1.0)
    );
    true
}

thread_local! {
    static TICKS: RefCell<Vec<Instant>> = const { RefCell::new(Vec::new()) };
}

extern "C" fn on_tick(_context: *mut c_void) {
    let now = Instant::now();
    TICKS.with(|t| t.borrow_mut().push(now));
}

/// How late each tick of the 1 ms timer came (ms beyond its period), from the recorded ticks.
fn tick_lateness() -> Vec<f64> {
    TICKS.with(|t| {
        t.borrow()
            .windows(2)
            .map(|w| ((w[1] - w[0]).as_secs_f64() * 1e3 - 1.0).max(0.0))
            .collect()
    })
}

fn lag(seconds: f64) -> bool {
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let mut app = QGuiApplication::new();
    let runtime = QtRuntime::install();
    TICKS.with(|t| t.borrow_mut().reserve(100_000));
    let shown = Rc::new(RefCell::new(0u64));
    let shown_in = Rc::clone(&shown);
    let reports = Rc::new(RefCell::new(0u64));
    let reports_in = Rc::clone(&reports);
    let lag_line = Rc::new(RefCell::new(String::new()));
    let quick_waits = Rc::new(RefCell::new(Vec::new()));
    let quick_out = Rc::clone(&quick_waits);
    let lag_out = Rc::clone(&lag_line);
    spawn_local(async move {
        let timer = PreciseTimer::start(1, on_tick);
        let meter = LagMeter::start(Duration::from_millis(5), 100_000);
        let duration = Duration::from_secs_f64(seconds);
        // The CPU-heavy job: it runs past the measurement (its result is discarded).
        let cpu = spawn_blocking(|| work::count_primes_below(work::MAX_LIMIT));
        // The progress flood: reports as fast as it can until the measurement ends.
        let (reporter, watch) = progress::<u64>();
        let flood = spawn_blocking(move || {
            let until = Instant::now() + duration;
            let mut i = 0u64;
            while Instant::now() < until {
                i += 1;
                reporter.report(i);
            }
            i
        });
        let show = watch.for_each(|_| {
            *shown_in.borrow_mut() += 1;
            futures::future::ready(())
        });
        let began = Instant::now();
        let quick = async {
            let mut waits = Vec::new();
            sleep(Duration::from_millis(200)).await;
            while began.elapsed() + Duration::from_millis(100) < duration {
                let submitted = Instant::now();
                if let Ok(start) = spawn_blocking(Instant::now).await {
                    waits.push((start - submitted).as_secs_f64() * 1e3);
                }
                sleep(Duration::from_millis(200)).await;
            }
            waits
        };
        let (sent, (), waits) = futures::join!(flood, show, quick);
        *quick_out.borrow_mut() = waits;
        *reports_in.borrow_mut() = sent.unwrap_or(0);
        sleep(Duration::from_millis(5)).await;
        timer.stop();
        let m = meter.snapshot();
        *lag_out.borrow_mut() = format!(
            "engine_lag_p99_ms={:.3} engine_lag_max_ms={:.3}",
            m.p99_ms, m.max_ms
        );
        drop(cpu);
        quit();
    })
    .detach();
    if let Some(app) = app.as_mut() {
        app.exec();
    }
    drop(runtime);
    let late = tick_lateness();
    let ok = !late.is_empty() && *reports.borrow() > 0;
    println!(
        "app=lag seconds={seconds} qt_timer_ticks={} qt_timer_late_p50_ms={:.3} qt_timer_late_p99_ms={:.3} qt_timer_late_max_ms={:.3} {} progress_reports={} progress_shown={} quick_jobs={} quick_wait_max_ms={:.1}",
        late.len(),
        pct(&late, 0.5),
        pct(&late, 0.99),
        pct(&late, 1.0),
        lag_line.borrow(),
        reports.borrow(),
        shown.borrow(),
        quick_waits.borrow().len(),
        pct(&quick_waits.borrow(), 1.0)
    );
    ok
}

fn frames(load: &str, seconds: f64) -> bool {
    let exe = env!("CARGO_BIN_EXE_async-jobs");
    let config = tempfile::Builder::new()
        .prefix("async-jobs-bench-")
        .tempdir()
        .expect("a temp folder");
    let mut cmd = Command::new(exe);
    cmd.env("ASYNC_JOBS_BENCH_FRAMES", format!("{load}:{seconds}"))
        .env("ASYNC_JOBS_CONFIG_DIR", config.path());
    let platform = if std::env::var_os("DISPLAY").is_none() {
        cmd.env("QT_QPA_PLATFORM", "offscreen");
        "offscreen"
    } else {
        "xcb"
    };
    let out = cmd.output().expect("launch async-jobs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    match stdout
        .lines()
        .find(|l| l.starts_with("frames ") || l.starts_with("fanout-window "))
    {
        Some(line) => {
            println!("{line} platform={platform}");
            true
        }
        None => {
            eprintln!(
                "app frames FAIL: no result line (status {:?})\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            false
        }
    }
}

#[path = "../tests/support/http_server.rs"]
#[allow(dead_code)]
mod http_server;

fn download(mib: u64) -> bool {
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let server = http_server::start();
    let bytes = mib << 20;
    let url = format!("{}/bytes/{bytes}", server.url);
    // curl on the same URL, same server, same run.
    let curl = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{size_download} %{time_total}",
            &url,
        ])
        .output();
    let curl_mb_s = match curl {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let mut parts = text.split_whitespace();
            let size: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let secs: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            if size as u64 != bytes || secs <= 0.0 {
                eprintln!("app download: curl fetched {size} bytes in {secs} s");
                return false;
            }
            format!("{:.0}", size / secs / 1e6)
        }
        _ => "absent".to_owned(),
    };
    let dir = tempfile::Builder::new()
        .prefix("async-jobs-bench-")
        .tempdir()
        .expect("a temp folder");
    let target = dir.path().join("download.bin");
    let mut app = QGuiApplication::new();
    let runtime = QtRuntime::install();
    TICKS.with(|t| t.borrow_mut().reserve(100_000));
    let outcome = Rc::new(RefCell::new(None));
    let outcome_in = Rc::clone(&outcome);
    let reports = Rc::new(RefCell::new(0u64));
    let reports_in = Rc::clone(&reports);
    spawn_local(async move {
        let timer = PreciseTimer::start(1, on_tick);
        let meter = LagMeter::start(Duration::from_millis(5), 100_000);
        let (reporter, watch) = progress::<async_jobs::download::Transfer>();
        let url = reqwest::Url::parse(&url).expect("a URL");
        let started = Instant::now();
        let transfer = cxx_qt_async::tokio::spawn(async_jobs::download::download(
            url,
            target,
            Duration::from_secs(30),
            move |t| reporter.report(t),
        ));
        let show = watch.for_each(|_| {
            *reports_in.borrow_mut() += 1;
            futures::future::ready(())
        });
        let (saved, ()) = futures::join!(transfer, show);
        let secs = started.elapsed().as_secs_f64();
        timer.stop();
        let m = meter.snapshot();
        *outcome_in.borrow_mut() = Some((saved, secs, m.p99_ms, m.max_ms));
        quit();
    })
    .detach();
    if let Some(app) = app.as_mut() {
        app.exec();
    }
    drop(runtime);
    drop(server);
    let Some((saved, secs, p99, max)) = outcome.borrow_mut().take() else {
        eprintln!("app download FAIL: no outcome");
        return false;
    };
    let saved = match saved.map_err(anyhow::Error::from).and_then(|r| r) {
        Ok(saved) if saved.bytes == bytes => saved,
        Ok(saved) => {
            eprintln!("app download FAIL: saved {} of {bytes} bytes", saved.bytes);
            return false;
        }
        Err(e) => {
            eprintln!("app download FAIL: {e:#}");
            return false;
        }
    };
    drop(dir);
    let late = tick_lateness();
    println!(
        "app=download mib={mib} ours_mb_s={:.0} curl_mb_s={curl_mb_s} secs={secs:.2} progress_shown={} qt_timer_late_p99_ms={:.3} qt_timer_late_max_ms={:.3} engine_lag_p99_ms={p99:.3} engine_lag_max_ms={max:.3} sha256={}…",
        saved.bytes as f64 / secs / 1e6,
        reports.borrow(),
        pct(&late, 0.99),
        pct(&late, 1.0),
        &saved.sha256[..12],
    );
    true
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.is_empty() {
        // Smoke test: each figure once, briefly, each in its own process (one Qt app each).
        let exe = std::env::current_exe().expect("own path");
        println!("\nrunning 5 tests");
        let mut failed = 0;
        for args in [
            ["startup", "1"],
            ["lag", "0.3"],
            ["download", "4"],
            ["frames", "0.5"],
            ["fanout", "2000"],
        ] {
            // Bounded (coreutils' timeout ends a child that hangs: a failure, not a stall).
            let ok = Command::new("timeout")
                .arg("300")
                .arg(&exe)
                .args(args)
                .status()
                .is_ok_and(|s| s.success());
            println!(
                "test smoke_{} ... {}",
                args[0],
                if ok { "ok" } else { "FAILED" }
            );
            failed += usize::from(!ok);
        }
        println!(
            "\ntest result: {}. {} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n",
            if failed == 0 { "ok" } else { "FAILED" },
            5 - failed
        );
        exit(i32::from(failed > 0));
    }
    let args: Vec<String> = raw.into_iter().filter(|a| a != "--bench").collect();
    let ok = match args.first().map(String::as_str) {
        Some("startup") => startup(args.get(1).and_then(|v| v.parse().ok()).unwrap_or(5)),
        Some("lag") => lag(args.get(1).and_then(|v| v.parse().ok()).unwrap_or(3.0)),
        Some("download") => download(args.get(1).and_then(|v| v.parse().ok()).unwrap_or(256)),
        // Each beside the floor, measured in the same run just before it.
        Some("frames") => {
            let seconds = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(10.0);
            frames("floor", seconds) && frames("busy", seconds)
        }
        Some("frames-idle") => {
            let seconds = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(10.0);
            frames("floor", seconds) && frames("idle", seconds)
        }
        Some("frames-floor") => frames(
            "floor",
            args.get(1).and_then(|v| v.parse().ok()).unwrap_or(10.0),
        ),
        Some("fanout") => frames(
            "fanout",
            args.get(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(100_000.0),
        ),
        _ => {
            eprintln!(
                "usage: app startup [RUNS] | lag [SECONDS] | download [MIB] | frames [SECONDS] | frames-idle [SECONDS] | fanout [JOBS]"
            );
            exit(2)
        }
    };
    exit(if ok { 0 } else { 3 })
}
