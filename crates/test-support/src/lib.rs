//! Test and benchmark helpers of cxx-qt-async, shipped with nothing: the nearest-rank
//! percentile of the bench contract, a precise Qt timer and `QCoreApplication::quit` (from
//! `cpp/qt_timer.cpp`), and Qt Quick Test's runner (`cpp/quick_test_main.cpp`), wrapped so the
//! tests and benches hold no `unsafe` of their own.

use std::ffi::{c_char, c_int, c_void, CString};
use std::path::Path;

extern "C" {
    fn cxx_qt_async_bench_timer_start(
        interval_ms: c_int,
        tick: extern "C" fn(*mut c_void),
        context: *mut c_void,
    ) -> *mut c_void;
    fn cxx_qt_async_bench_timer_stop(timer: *mut c_void);
    fn cxx_qt_async_bench_quit();
    fn cxx_qt_async_quick_test_main(
        argc: c_int,
        argv: *mut *mut c_char,
        source_dir: *const c_char,
    ) -> c_int;
}

/// Runs Qt Quick Test (`quick_test_main`) over the `tst_*.qml` files of `source_dir`, with the
/// command line `args` (the first is the program name). It creates the `QGuiApplication`; call
/// it on the process main thread. Returns the number of failed test functions.
///
/// The tests can `import TestEnv`: a singleton with one string property per environment
/// variable named `GUI_TEST_*` when the run starts (e.g. `TestEnv.GUI_TEST_SERVER`).
pub fn quick_test_main(name_and_args: &[String], source_dir: &Path) -> i32 {
    let c_args: Vec<CString> = name_and_args
        .iter()
        .map(|a| CString::new(a.as_str()).expect("no NUL in a test argument"))
        .collect();
    let mut argv: Vec<*mut c_char> = c_args.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());
    let dir = CString::new(source_dir.to_string_lossy().as_bytes()).expect("no NUL in the path");
    let argc = c_int::try_from(c_args.len()).expect("a few arguments");
    // SAFETY: argv holds `argc` valid NUL-terminated strings followed by a null pointer, all
    // alive (c_args, dir) until the call returns; Qt may reorder argv but not free it.
    unsafe { cxx_qt_async_quick_test_main(argc, argv.as_mut_ptr(), dir.as_ptr()) }
}

/// Nearest-rank percentile (the engine's [`percentile`](cxx_qt_async_engine::percentile)).
pub use cxx_qt_async_engine::percentile as pct;

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
