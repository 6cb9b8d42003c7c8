//! The user's QObject: an invokable that chains three jobs, joins two, and cancels one; and one
//! that starts a job its object will not live to see the end of.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cxx_qt_async::engine::{sleep, spawn_blocking, spawn_cancellable};
use cxx_qt_async::QObjectSpawn;
use cxx_qt_lib::QString;

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, summary)]
        #[qproperty(bool, done)]
        type Chain = super::ChainRust;

        #[qinvokable]
        fn run(self: Pin<&mut Chain>);

        #[qinvokable]
        #[cxx_name = "runLong"]
        fn run_long(self: Pin<&mut Chain>);
    }
}

#[derive(Default)]
pub struct ChainRust {
    summary: QString,
    done: bool,
}

/// Jobs of the doomed object that a worker started, and how many of them saw their token.
pub static LONG_STARTED: AtomicUsize = AtomicUsize::new(0);
pub static LONG_STOPPED_BY_TOKEN: AtomicUsize = AtomicUsize::new(0);
/// Coroutines that resumed after their object was destroyed (must stay 0).
pub static RESUMED_AFTER_DEATH: AtomicUsize = AtomicUsize::new(0);

impl qobject::Chain {
    fn run(self: Pin<&mut Self>) {
        self.spawn_local(|this| async move {
            // Three chained jobs: each takes the last one's result.
            let a = spawn_blocking(|| 6 * 7).await?;
            let b = spawn_blocking(move || a + 1).await?;
            let c = spawn_blocking(move || b * 2).await?;
            // Two at once.
            let (x, y) = futures::join!(spawn_blocking(|| "left"), spawn_blocking(|| "right"));
            let (x, y) = (x?, y?);
            // One cancelled: it runs until its token is set.
            let endless = spawn_cancellable(|token| loop {
                token.check()?;
                std::thread::sleep(Duration::from_millis(1));
            });
            sleep(Duration::from_millis(20)).await;
            endless.token().cancel();
            let cancelled = match endless.await {
                Err(err) if err.is_cancelled() => "cancelled",
                Err(_) => "failed",
                Ok(()) => "finished",
            };
            let text = format!("chain {a} {b} {c}; join {x} {y}; endless job {cancelled}");
            this.with(|mut o| {
                o.as_mut().set_summary(QString::from(&text));
                o.set_done(true);
            });
            anyhow::Ok(())
        })
        .detach();
    }

    fn run_long(self: Pin<&mut Self>) {
        self.spawn_local(|this| async move {
            let _ = spawn_cancellable(|token| {
                LONG_STARTED.fetch_add(1, Ordering::SeqCst);
                while !token.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(1));
                }
                LONG_STOPPED_BY_TOKEN.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .await;
            RESUMED_AFTER_DEATH.fetch_add(1, Ordering::SeqCst);
            this.with(|o| o.set_done(true));
        })
        .detach();
    }
}
