//! The peer workloads of `../shared/bench/README.md`, on a real Qt event loop (QGuiApplication,
//! offscreen platform) with the crate's public API exactly as an app uses it: coroutines spawned
//! on the GUI thread awaiting `spawn_blocking` jobs.
//!
//! `cargo bench --bench workloads -- hop 20000` and `-- fanout 100000` print one result line;
//! a failed check prints `FAIL` on stderr and exits with status 3.
//!
//! Run with no arguments at all (as `cargo test` does: this target has `test = true`), it is a
//! smoke test: it runs itself as `hop 200` and `fanout 2000` child processes and checks their
//! exit status and result lines, so the bench cannot rot unnoticed. The figures of a smoke run
//! (debug build, tiny N) mean nothing.
//!
//! Diagnostic knobs (not used by compare.sh): `BENCH_WORKERS=N` (pool size),
//! `BENCH_DRAIN_BUDGET_US=N` (drain budget), `BENCH_TRACE=1` (fanout: per-tick gap, drains,
//! polls and longest drain on stderr).

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::process::exit;
use std::sync::OnceLock;
use std::thread::{self, ThreadId};
use std::time::Instant;

use cxx_qt_async::engine::{spawn_blocking, spawn_local, JobError, Task};
use cxx_qt_async::QtRuntime;
use cxx_qt_lib::QGuiApplication;

use cxx_qt_async_test_support as support;
use support::{pct, quit, PreciseTimer};

const PEER: &str = "cxx-qt-async";
const USAGE: &str = "usage: workloads hop|fanout [N]";
const START_TICK: usize = 20;
const INTERVAL_MS: f64 = 1.0;

#[inline(never)]
fn job(i: u64) -> u64 {
    i + 1
}

static GUI: OnceLock<ThreadId> = OnceLock::new();

fn fail(message: &str, i: u64) -> ! {
    eprintln!("peer={PEER} FAIL: {message} (i={i})");
    exit(3)
}

/// The checks on every completion: right value, resumed on the GUI thread.
fn check(result: Result<u64, JobError>, i: u64) {
    match result {
        Ok(v) if v == i + 1 => {}
        Ok(_) => fail("wrong result", i),
        Err(e) => fail(&format!("job failed: {e:#}"), i),
    }
    if Some(&thread::current().id()) != GUI.get() {
        fail("continuation not on GUI thread", i);
    }
}

/// Untimed: a job reports its thread, which must not be the GUI thread.
async fn sanity() {
    let worker = spawn_blocking(|| thread::current().id())
        .await
        .unwrap_or_else(|e| fail(&format!("sanity job failed: {e:#}"), 0));
    if Some(&worker) == GUI.get() {
        fail("job ran on the GUI thread", 0);
    }
}

async fn hop(n: u64) {
    let warm = n / 20;
    let mut stamps: Vec<Instant> = Vec::with_capacity(n as usize + 1);
    for i in 0..warm + n {
        if i >= warm {
            stamps.push(Instant::now());
        }
        check(spawn_blocking(move || job(i)).await, i);
    }
    stamps.push(Instant::now());
    let iters: Vec<f64> = stamps
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64() * 1e6)
        .collect();
    let total_s = (stamps[n as usize] - stamps[0]).as_secs_f64();
    println!(
        "peer={PEER} workload=hop n={n} total_s={total_s:.6} per_op_us={:.3} p50_iter_us={:.3} p99_iter_us={:.3}",
        total_s * 1e6 / n as f64,
        pct(&iters, 0.5),
        pct(&iters, 0.99),
    );
    quit();
}

/// The fanout's state; GUI thread only.
struct Fanout {
    n: u64,
    timer: Option<PreciseTimer>,
    ticks: Vec<Instant>,
    /// (drains, polls) at each tick, for `BENCH_TRACE=1`.
    trace: Vec<(u64, u64, u64)>,
    t0: Option<Instant>,
    ts: Option<Instant>,
}

thread_local! {
    static FANOUT: RefCell<Option<Fanout>> = const { RefCell::new(None) };
    static COMPLETED: Cell<u64> = const { Cell::new(0) };
    static T1: Cell<Option<Instant>> = const { Cell::new(None) };
}

fn start_fanout(n: u64) {
    FANOUT.with(|f| {
        *f.borrow_mut() = Some(Fanout {
            n,
            timer: None,
            ticks: Vec::with_capacity(1 << 20),
            trace: Vec::with_capacity(1 << 20),
            t0: None,
            ts: None,
        })
    });
    let timer = PreciseTimer::start(1, on_tick);
    FANOUT.with(|f| f.borrow_mut().as_mut().expect("fanout state").timer = Some(timer));
}

/// One coroutine of the flood.
async fn fan_task(i: u64, n: u64) {
    check(spawn_blocking(move || job(i)).await, i);
    let done = COMPLETED.get() + 1;
    COMPLETED.set(done);
    if done == n {
        T1.set(Some(Instant::now()));
    }
}

extern "C" fn on_tick(_context: *mut c_void) {
    let now = Instant::now();
    let (start, finish) = FANOUT.with(|f| {
        let mut f = f.borrow_mut();
        let f = f.as_mut().expect("fanout state");
        f.ticks.push(now);
        let s = cxx_qt_async::engine::stats();
        f.trace.push((s.drains, s.polls, s.longest_drain_us));
        let start = (f.ticks.len() == START_TICK).then_some(f.n);
        let finish = T1.get().is_some_and(|t1| now > t1);
        (start, finish)
    });
    if let Some(n) = start {
        let t0 = Instant::now();
        let mut handles: Vec<Task<()>> = Vec::with_capacity(n as usize);
        for i in 0..n {
            handles.push(spawn_local(fan_task(i, n)));
        }
        let ts = Instant::now();
        FANOUT.with(|f| {
            let mut f = f.borrow_mut();
            let f = f.as_mut().expect("fanout state");
            f.t0 = Some(t0);
            f.ts = Some(ts);
        });
        // The bench awaits every handle, as an app joining its tasks would.
        spawn_local(async move {
            for (i, handle) in handles.into_iter().enumerate() {
                if let Err(e) = handle.await {
                    fail(&format!("coroutine failed: {e}"), i as u64);
                }
            }
        })
        .detach();
    } else if finish {
        report_fanout();
        quit();
    }
}

fn report_fanout() {
    FANOUT.with(|f| {
        let f = f.borrow();
        let f = f.as_ref().expect("fanout state");
        if let Some(timer) = &f.timer {
            timer.stop();
        }
        let (t0, ts) = (f.t0.expect("t0"), f.ts.expect("ts"));
        let t1 = T1.get().expect("t1");
        let mut whole = Vec::new();
        let mut post = Vec::new();
        for k in 1..f.ticks.len() {
            let (prev, tick) = (f.ticks[k - 1], f.ticks[k]);
            if tick <= t0 {
                continue;
            }
            let gap_ms = (tick - prev).as_secs_f64() * 1e3;
            whole.push((gap_ms - INTERVAL_MS).max(0.0));
            if tick > ts {
                let from = prev.max(ts);
                post.push(((tick - from).as_secs_f64() * 1e3 - INTERVAL_MS).max(0.0));
            }
        }
        if std::env::var_os("BENCH_TRACE").is_some() {
            for k in 1..f.ticks.len() {
                let gap = (f.ticks[k] - f.ticks[k - 1]).as_secs_f64() * 1e3;
                let (d, p) = (f.trace[k].0 - f.trace[k - 1].0, f.trace[k].1 - f.trace[k - 1].1);
                let longest = f.trace[k].2;
                eprintln!("tick {k}: gap {gap:.3} ms, drains {d}, polls {p}, longest drain so far {longest} us, after ts {}", f.ticks[k] > ts);
            }
        }
        let total_s = (t1 - t0).as_secs_f64();
        println!(
            "peer={PEER} workload=fanout n={} total_s={total_s:.6} ops_per_s={:.0} submit_s={:.6} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} post_submit_p99_ms={:.3} post_submit_max_ms={:.3} ticks={}",
            f.n,
            f.n as f64 / total_s,
            (ts - t0).as_secs_f64(),
            pct(&whole, 0.5),
            pct(&whole, 0.99),
            pct(&whole, 1.0),
            pct(&post, 0.99),
            pct(&post, 1.0),
            whole.len(),
        );
    });
}

#[derive(Clone, Copy, PartialEq)]
enum Workload {
    Hop,
    Fanout,
}

/// `cargo test`: run each workload once with a tiny N in a child process and check its line.
fn smoke_test() -> ! {
    let exe = std::env::current_exe().expect("own path");
    let cases = [("hop", 200u64), ("fanout", 2000)];
    println!("\nrunning {} tests", cases.len());
    let mut failed = 0;
    for (workload, n) in cases {
        // Bounded (coreutils' timeout ends a child that hangs: a failure, not a stall).
        let out = std::process::Command::new("timeout")
            .arg("300")
            .arg(&exe)
            .args([workload, &n.to_string()])
            .output()
            .expect("run the bench");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let prefix = format!("peer={PEER} workload={workload} n={n} ");
        let ok = out.status.success() && stdout.lines().any(|l| l.starts_with(&prefix));
        println!(
            "test smoke_{workload}_{n} ... {}",
            if ok { "ok" } else { "FAILED" }
        );
        if !ok {
            failed += 1;
            eprintln!(
                "smoke {workload} {n}: status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    println!(
        "\ntest result: {}. {} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n",
        if failed == 0 { "ok" } else { "FAILED" },
        cases.len() - failed
    );
    exit(i32::from(failed > 0))
}

fn parse_args() -> (Workload, u64) {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.is_empty() {
        smoke_test();
    }
    let args: Vec<String> = raw.into_iter().filter(|a| a != "--bench").collect();
    let usage = || -> ! {
        eprintln!("{USAGE}");
        exit(2)
    };
    let workload = match args.first().map(String::as_str) {
        Some("hop") => Workload::Hop,
        Some("fanout") => Workload::Fanout,
        _ => usage(),
    };
    let n = match args.get(1) {
        None if workload == Workload::Hop => 20_000,
        None => 100_000,
        Some(n) => n.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| usage()),
    };
    if args.len() > 2 {
        usage();
    }
    (workload, n)
}

fn main() {
    let (workload, n) = parse_args();
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        // Before Qt or any other thread starts.
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let mut app = QGuiApplication::new();
    let mut builder = QtRuntime::builder();
    if let Some(us) = std::env::var("BENCH_DRAIN_BUDGET_US")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        builder = builder.drain_budget(std::time::Duration::from_micros(us));
    }
    if let Some(n) = std::env::var("BENCH_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        builder = builder.worker_threads(n);
    }
    let runtime = builder.install();
    GUI.set(thread::current().id()).expect("set once");
    // First polled inside exec(), by the runtime's first drain.
    spawn_local(async move {
        sanity().await;
        match workload {
            Workload::Hop => hop(n).await,
            Workload::Fanout => start_fanout(n),
        }
    })
    .detach();
    if let Some(app) = app.as_mut() {
        app.exec();
    }
    if workload == Workload::Fanout && COMPLETED.get() != n {
        eprintln!(
            "peer={PEER} FAIL lost completions ({} of {n})",
            COMPLETED.get()
        );
        exit(3);
    }
    drop(runtime);
}
