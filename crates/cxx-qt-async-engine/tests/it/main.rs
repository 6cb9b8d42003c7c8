//! The engine's integration tests, one binary (each file was a test binary of its own: they
//! now share one build and one link). Headless, under `FakeLoop`, without Qt.
//! `engine_timer_threads.rs` stays a binary of its own: it counts the process's threads; so does
//! `engine_panics.rs`: it installs process-wide panic and report hooks.

mod child;
mod engine_cancel;
mod engine_destructors;
mod engine_edges;
mod engine_executor;
mod engine_fairness;
mod engine_handles;
mod engine_jobs;
mod engine_progress;
mod engine_refusal;
mod engine_scope;
mod engine_shutdown;
mod engine_stream;
mod engine_tasks;
mod engine_timers;
mod log_capture;
// Real sockets against a 127.0.0.1 server the tests start (feature `tokio`; not under Miri,
// which scripts/miri.sh runs without the feature: no sockets there).
#[cfg(feature = "tokio")]
mod tokio_interop;
