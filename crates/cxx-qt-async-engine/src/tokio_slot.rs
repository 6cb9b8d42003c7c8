//! The engine runtime's tokio runtime (feature `tokio`): made lazily, shut down with the engine's.

use std::sync::OnceLock;
use std::time::Duration;

use ::tokio::runtime::{Handle, Runtime as TokioRuntime};

/// The engine runtime's tokio runtime: made at the first coroutine poll, shut down with it.
pub(crate) struct TokioSlot {
    workers: usize,
    runtime: OnceLock<TokioRuntime>,
}

impl TokioSlot {
    pub(crate) fn new(workers: usize) -> Self {
        Self {
            workers,
            runtime: OnceLock::new(),
        }
    }

    /// The handle, creating the runtime on first use.
    pub(crate) fn handle(&self) -> &Handle {
        self.runtime
            .get_or_init(|| {
                ::tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(self.workers)
                    .thread_name("cxx-qt-async-tokio")
                    .enable_all()
                    .build()
                    .expect("cxx-qt-async: could not start the tokio runtime")
            })
            .handle()
    }

    /// Shuts the tokio runtime down (if it was made), waiting at most `wait` for its tasks.
    pub(crate) fn shutdown(self, wait: Duration) {
        if let Some(runtime) = self.runtime.into_inner() {
            runtime.shutdown_timeout(wait);
        }
    }
}
