//! Shared by the benches: the nearest-rank percentile of the bench contract, and a 1 ms precise
//! Qt timer and `QCoreApplication::quit` from `qt_timer.cpp` (compiled into the library by
//! build.rs), wrapped so the benches hold no `unsafe` of their own.
#![allow(dead_code)] // each bench uses its own subset

use std::ffi::{c_int, c_void};

extern "C" {
    fn cxx_qt_async_bench_timer_start(
        interval_ms: c_int,
        tick: extern "C" fn(*mut c_void),
        context: *mut c_void,
    ) -> *mut c_void;
    fn cxx_qt_async_bench_timer_stop(timer: *mut c_void);
    fn cxx_qt_async_bench_quit();
}

/// Nearest-rank percentile: element `ceil(p*n) - 1` of the sorted samples (0 when empty).
pub fn pct(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let k = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[k - 1]
}

/// A repeating `Qt::PreciseTimer` on the GUI thread calling `tick`.
pub struct PreciseTimer(*mut c_void);

impl PreciseTimer {
    /// Starts it. Call on the GUI thread while the Qt event loop runs.
    pub fn start(interval_ms: i32, tick: extern "C" fn(*mut c_void)) -> Self {
        // SAFETY: creates a QTimer on the calling (GUI) thread; `tick` is a plain function
        // valid for the whole process and ignores its null context.
        Self(unsafe { cxx_qt_async_bench_timer_start(interval_ms, tick, std::ptr::null_mut()) })
    }

    /// Stops it (the QTimer object stays until the process ends).
    pub fn stop(&self) {
        // SAFETY: the pointer came from cxx_qt_async_bench_timer_start and is used on the
        // thread that created it.
        unsafe { cxx_qt_async_bench_timer_stop(self.0) }
    }
}

/// `QCoreApplication::quit()`; call on the GUI thread while the event loop runs.
pub fn quit() {
    // SAFETY: only posts a quit to the running application.
    unsafe { cxx_qt_async_bench_quit() }
}
