//! The seed blog's example, answered: a click handler that reads as straight-line code, awaits
//! two chained jobs on worker threads, and shows each result; and one that shows a job's error.
//!
//! ```python
//! @coroutine
//! def handle_click(self):
//!     val1 = yield AsyncTask(worker, 66)
//!     self.label.setText(f"task1 returned: {val1}")
//!     val2 = yield AsyncTask(worker, val1)
//!     self.label.setText(f"task2 returned: {val2}")
//! ```

use std::pin::Pin;
use std::time::Duration;

use anyhow::Context as _;
use cxx_qt_async::engine::{spawn_blocking, spawn_blocking_fallible};
use cxx_qt_async::QObjectSpawn;
use cxx_qt_lib::QString;

/// The bridge: the `Greeter` QObject (QML element of `CxxQtAsyncExamples`).
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// QString from cxx_qt_lib
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, text)]
        #[qproperty(QString, error)]
        #[qproperty(bool, busy)]
        type Greeter = super::GreeterRust;

        /// Chains two jobs on workers, showing each result.
        #[qinvokable]
        fn handle_click(self: Pin<&mut Greeter>);

        /// Runs a job that fails, and shows its error (the whole context chain).
        #[qinvokable]
        fn fail_click(self: Pin<&mut Greeter>);
    }

    // Its coroutines need cxx-qt's thread handle (QObjectSpawn).
    impl cxx_qt::Threading for Greeter {}
}

/// The backing struct of [`qobject::Greeter`]: its properties, nothing else (the library keeps
/// the object's coroutines, and ends them when the object is destroyed).
#[derive(Default)]
pub struct GreeterRust {
    text: QString,
    error: QString,
    busy: bool,
}

/// Slow work (on a worker thread): doubles its input.
fn worker(x: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(300));
    x * 2
}

impl qobject::Greeter {
    fn handle_click(mut self: Pin<&mut Self>) {
        self.as_mut().set_busy(true);
        self.as_mut().set_error(QString::default());
        self.spawn_local(|this| async move {
            let val1 = spawn_blocking(|| worker(66)).await?; // the window stays live meanwhile
            this.with(|o| o.set_text(QString::from(&format!("task1 returned: {val1}"))))?;
            let val2 = spawn_blocking(move || worker(val1)).await?;
            this.with(|mut o| {
                o.as_mut()
                    .set_text(QString::from(&format!("task2 returned: {val2}")));
                o.set_busy(false);
            })?;
            anyhow::Ok(())
        })
        .detach();
    }

    fn fail_click(self: Pin<&mut Self>) {
        self.spawn_local(|this| async move {
            let outcome = spawn_blocking_fallible(|| {
                std::fs::read_to_string("/no/such/greeting.txt").context("reading the greeting")
            })
            .await;
            if let Err(err) = outcome {
                // A refused lend ends this coroutine (and says why in the log).
                let _ = this.with(|o| o.set_error(QString::from(&format!("{err:#}"))));
            }
        })
        .detach();
    }
}
