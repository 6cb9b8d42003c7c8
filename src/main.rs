//! `async-jobs`: the Async Jobs window. Run with `--help` for the options.

use std::process::ExitCode;

use cxx_qt_async::QtRuntime;
use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};

fn main() -> ExitCode {
    // SAFETY: the first statement of `main`: no other thread exists yet (Rust starts none
    // before `main`; Qt and the runtime start theirs below).
    unsafe { async_jobs::memory::tune_allocator() };
    // Next: it sets an environment variable Qt reads, before any thread starts.
    let backend = async_jobs::choose_quick_backend();
    // --help prints and exits 0; a mistake prints the message and the usage and exits 2.
    let threads = async_jobs::cli::parse(std::env::args())
        .unwrap_or_else(|e| e.exit())
        .threads;
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
    // The window's language: the system's (LANG), if a translation is shipped for it.
    if let Some(language) = async_jobs::install_translations() {
        tracing::info!(language, "translation installed");
    }
    let mut builder = QtRuntime::builder();
    if let Some(n) = threads {
        builder = builder.worker_threads(n);
    }
    let runtime = builder.install();
    tracing::info!(workers = runtime.worker_threads(), "runtime installed");
    // SIGTERM, SIGINT, SIGHUP: quit as Ctrl+Q does (children killed, partial files removed).
    let signals = cxx_qt_async::engine::spawn_local(async {
        if let Err(err) = async_jobs::quit_on_termination_signals().await {
            tracing::warn!("termination signals are not handled: {err:#}");
        }
    });
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load(&QUrl::from("qrc:/qt/qml/AsyncJobs/qml/Main.qml"));
    }
    let status = app.as_mut().map_or(1, |app| app.exec());
    drop(signals);
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
