//! `async-jobs`: the Async Jobs window. Run with `--help` for the options.

use std::process::ExitCode;

use cxx_qt_async::QtRuntime;
use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};

const USAGE: &str = "\
async-jobs: run slow jobs on worker threads while the window stays live

Usage: async-jobs [--threads N]

Options:
  --threads N   size of the worker pool (default: the number of CPUs)
  -h, --help    print this help

Environment:
  RUST_LOG      what to log to standard error, e.g. RUST_LOG=info (jobs started, finished,
                cancelled, failed) or RUST_LOG=debug (default: warnings only)
";

fn parse_args() -> Result<Option<usize>, String> {
    let mut threads = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "--threads" => {
                let value = args.next().ok_or("--threads needs a number")?;
                match value.parse::<usize>() {
                    Ok(n) if (1..=256).contains(&n) => threads = Some(n),
                    _ => {
                        return Err(format!(
                            "--threads: “{value}” is not a number from 1 to 256"
                        ))
                    }
                }
            }
            // Qt's own options (e.g. -platform offscreen) are left to QGuiApplication.
            other if other.starts_with('-') && !other.starts_with("--") => {
                let _ = args.next();
            }
            other => return Err(format!("unknown argument “{other}”")),
        }
    }
    Ok(threads)
}

fn main() -> ExitCode {
    // SAFETY: the first statement of `main`: no other thread exists yet (Rust starts none
    // before `main`; Qt and the runtime start theirs below).
    unsafe { async_jobs::memory::tune_allocator() };
    // Next: it sets an environment variable Qt reads, before any thread starts.
    let backend = async_jobs::choose_quick_backend();
    let threads = match parse_args() {
        Ok(threads) => threads,
        Err(message) => {
            eprintln!("async-jobs: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::builder()
                .with_default_directive(tracing::level_filters::LevelFilter::WARN.into())
                .from_env_lossy(),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Some(backend) = backend {
        tracing::info!(backend, "no GPU device: Qt Quick's software renderer");
    }
    async_jobs::init_qml();
    async_jobs::jobs::register_all();
    let mut app = QGuiApplication::new();
    async_jobs::set_window_icon();
    let mut builder = QtRuntime::builder();
    if let Some(n) = threads {
        builder = builder.worker_threads(n);
    }
    let runtime = builder.install();
    tracing::info!(workers = runtime.worker_threads(), "runtime installed");
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load(&QUrl::from("qrc:/qt/qml/AsyncJobs/qml/Main.qml"));
    }
    let status = app.as_mut().map_or(1, |app| app.exec());
    // The window's objects go first (their coroutines are cancelled), then the runtime (jobs
    // cancelled, workers given a bounded time), then the application.
    drop(engine);
    let shutdown = std::time::Instant::now();
    drop(runtime);
    tracing::info!(
        status,
        shutdown_ms = shutdown.elapsed().as_secs_f64() * 1e3,
        "runtime shut down; exiting"
    );
    drop(app);
    ExitCode::from(u8::try_from(status).unwrap_or(1))
}
