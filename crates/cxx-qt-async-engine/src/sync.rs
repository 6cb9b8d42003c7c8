//! The synchronisation primitives of the engine's cross-thread protocols: std's normally,
//! loom's under `--cfg cxx_qt_async_loom`, where the loom models (`latch.rs`) explore every
//! interleaving of the real protocol code (the tokio pattern).

#[cfg(cxx_qt_async_loom)]
pub(crate) use loom::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
#[cfg(cxx_qt_async_loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(cxx_qt_async_loom)]
pub(crate) use loom::thread::yield_now;

#[cfg(not(cxx_qt_async_loom))]
pub(crate) use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
#[cfg(not(cxx_qt_async_loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(cxx_qt_async_loom))]
pub(crate) use std::thread::yield_now;
