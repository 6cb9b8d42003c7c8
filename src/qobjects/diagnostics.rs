//! `Diagnostics`: what the engine and the event loop are doing, for the window's tool bar.
//!
//! Owns a lag meter (a 5 ms interval on the GUI thread; lateness over the last 2 s) and
//! publishes `lagLastMs`, `lagP99Ms`, `lagMaxMs` and `liveCoroutines` four times a second.

/// The bridge: the `Diagnostics` QObject (QML element of the `AsyncJobs` module).
#[cxx_qt::bridge]
pub mod qobject {
    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(f64, lag_last_ms, cxx_name = "lagLastMs")]
        #[qproperty(f64, lag_p99_ms, cxx_name = "lagP99Ms")]
        #[qproperty(f64, lag_max_ms, cxx_name = "lagMaxMs")]
        #[qproperty(i32, live_coroutines, cxx_name = "liveCoroutines")]
        type Diagnostics = super::DiagnosticsRust;

        /// Call on the window's first frame. With `ASYNC_JOBS_EXIT_AFTER_FIRST_FRAME` set, prints
        /// `first_frame_unix_ns=<wall clock>` and returns true (the caller then quits): that is
        /// how the startup benchmark measures process start to first frame.
        #[qinvokable]
        #[cxx_name = "firstFrame"]
        fn first_frame(self: &Diagnostics) -> bool;
    }

    impl cxx_qt::Initialize for Diagnostics {}
}

use std::io::Write as _;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;

use crate::engine::{interval, stats, LagMeter, Scope};
use crate::qt::{OwnsCoroutines, QObjectSpawn};

/// Backing struct of [`qobject::Diagnostics`].
#[derive(Debug, Default)]
pub struct DiagnosticsRust {
    lag_last_ms: f64,
    lag_p99_ms: f64,
    lag_max_ms: f64,
    live_coroutines: i32,
    coroutines: Scope,
}

impl OwnsCoroutines for DiagnosticsRust {
    fn coroutines(&self) -> &Scope {
        &self.coroutines
    }
}

impl cxx_qt::Initialize for qobject::Diagnostics {
    fn initialize(self: Pin<&mut Self>) {
        self.spawn(|this| async move {
            let meter = LagMeter::start(Duration::from_millis(5), 400);
            let mut publish = interval(Duration::from_millis(250));
            while publish.next().await.is_some() {
                let lag = meter.snapshot();
                let live = i32::try_from(stats().live_coroutines).unwrap_or(i32::MAX);
                this.with(|mut o| {
                    o.as_mut().set_lag_last_ms(lag.last_ms);
                    o.as_mut().set_lag_p99_ms(lag.p99_ms);
                    o.as_mut().set_lag_max_ms(lag.max_ms);
                    o.set_live_coroutines(live);
                });
            }
            Ok(())
        });
    }
}

impl qobject::Diagnostics {
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
}
