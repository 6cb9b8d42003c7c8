//! `AsyncJob`: one job, as a QML object. QML binds to its properties; no glue per job.
//!
//! ```qml
//! AsyncJob { id: job; kind: "hash"; name: "Hash a file" }
//! Button { text: "Hash"; onClicked: job.start([pathField.text]) }
//! ProgressBar { value: job.progress; indeterminate: job.running && job.progress < 0 }
//! Label { text: job.state + " " + job.result + job.error }
//! ```
//!
//! `state` is "idle", "queued" (started, no worker has picked it up yet), "running", "done",
//! "failed" or "cancelled". The kinds are registered from Rust with
//! [`register_job`](crate::qt::register_job).

/// The bridge: the `AsyncJob` QObject (QML element of the `AsyncJobs` module).
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// QString from cxx_qt_lib
        type QString = cxx_qt_lib::QString;
        include!("cxx-qt-lib/qstringlist.h");
        /// QStringList from cxx_qt_lib
        type QStringList = cxx_qt_lib::QStringList;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, kind)]
        #[qproperty(QString, name)]
        #[qproperty(QString, state)]
        #[qproperty(bool, running)]
        #[qproperty(f64, progress)]
        #[qproperty(QString, progress_text, cxx_name = "progressText")]
        #[qproperty(QString, result)]
        #[qproperty(QString, error)]
        #[qproperty(QString, details)]
        #[qproperty(QString, input_error, cxx_name = "inputError")]
        #[qproperty(f64, started_at_ms, cxx_name = "startedAtMs")]
        #[qproperty(f64, elapsed_ms, cxx_name = "elapsedMs")]
        #[qproperty(i32, item_count, cxx_name = "itemCount")]
        #[qproperty(bool, waiting_for_answer, cxx_name = "waitingForAnswer")]
        type AsyncJob = super::AsyncJobRust;

        /// Starts the job of kind `kind` with `args`. Returns false, with `inputError` set, when
        /// the arguments are refused, the kind is unknown or the job is already running: then
        /// nothing starts.
        #[qinvokable]
        fn start(self: Pin<&mut AsyncJob>, args: &QStringList) -> bool;

        /// Cancels the job: its coroutine is dropped at its current await, which sets the
        /// cancel tokens of the work it awaits. State becomes "cancelled".
        #[qinvokable]
        fn cancel(self: Pin<&mut AsyncJob>);

        /// The user's answer to `question`.
        #[qinvokable]
        fn answer(self: Pin<&mut AsyncJob>, yes: bool);

        /// One partial result (e.g. a file found).
        #[qsignal]
        #[cxx_name = "itemFound"]
        fn item_found(self: Pin<&mut AsyncJob>, text: QString);

        /// The job asks a yes/no question; answer with `answer(yes)`.
        #[qsignal]
        fn question(self: Pin<&mut AsyncJob>, text: QString);

        /// Emitted by `answer`; the asking coroutine awaits it.
        #[qsignal]
        fn answered(self: Pin<&mut AsyncJob>, yes: bool);

        /// The job ended (done, failed or cancelled).
        #[qsignal]
        fn finished(self: Pin<&mut AsyncJob>);
    }
}

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cxx_qt::CxxQtType;
use cxx_qt_lib::{QString, QStringList};
use futures::FutureExt;

use super::jobs::{prepare, JobContext};
use super::{OwnsCoroutines, QObjectSpawn};
use crate::engine::{is_cancelled, worker_backtrace, CoroutineId, Scope};

/// Backing struct of [`qobject::AsyncJob`].
#[derive(Debug)]
pub struct AsyncJobRust {
    kind: QString,
    name: QString,
    state: QString,
    running: bool,
    progress: f64,
    progress_text: QString,
    result: QString,
    error: QString,
    details: QString,
    input_error: QString,
    started_at_ms: f64,
    elapsed_ms: f64,
    item_count: i32,
    waiting_for_answer: bool,
    current: Option<CoroutineId>,
    started: Option<Instant>,
    coroutines: Scope,
}

impl Default for AsyncJobRust {
    fn default() -> Self {
        Self {
            kind: QString::default(),
            name: QString::default(),
            state: QString::from("idle"),
            running: false,
            progress: -1.0,
            progress_text: QString::default(),
            result: QString::default(),
            error: QString::default(),
            details: QString::default(),
            input_error: QString::default(),
            started_at_ms: 0.0,
            elapsed_ms: 0.0,
            item_count: 0,
            waiting_for_answer: false,
            current: None,
            started: None,
            coroutines: Scope::new(),
        }
    }
}

impl Drop for AsyncJobRust {
    fn drop(&mut self) {
        // The scope (dropped after this) cancels the running coroutine; say so.
        if self.current.is_some() {
            tracing::info!(job = %self.name, "job cancelled: its object was destroyed");
        }
    }
}

impl OwnsCoroutines for AsyncJobRust {
    fn coroutines(&self) -> &Scope {
        &self.coroutines
    }
}

impl qobject::AsyncJob {
    fn start(mut self: Pin<&mut Self>, args: &QStringList) -> bool {
        if *self.running() {
            self.set_input_error(QString::from("this job is already running"));
            return false;
        }
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        let kind = self.kind().to_string();
        let body = match prepare(&kind, &args) {
            Ok(body) => body,
            Err(message) => {
                tracing::debug!(kind, %message, "job refused its input");
                self.set_input_error(QString::from(&message));
                return false;
            }
        };
        let name = match self.name().to_string() {
            empty if empty.is_empty() => kind.clone(),
            name => name,
        };
        self.as_mut().set_input_error(QString::default());
        self.as_mut().set_result(QString::default());
        self.as_mut().set_error(QString::default());
        self.as_mut().set_details(QString::default());
        self.as_mut().set_progress(-1.0);
        self.as_mut().set_progress_text(QString::default());
        self.as_mut().set_item_count(0);
        self.as_mut().set_elapsed_ms(0.0);
        let epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3);
        self.as_mut().set_started_at_ms(epoch_ms);
        self.as_mut().set_running(true);
        self.as_mut().set_state(QString::from("queued"));
        tracing::info!(job = %name, kind, ?args, "job started");
        self.as_mut().rust_mut().started = Some(Instant::now());
        let label = name.clone();
        let id = self.as_mut().spawn_labeled(label, move |this| async move {
            let ctx = JobContext { this: this.clone() };
            // A panic in the body (on this thread) fails this job only.
            let outcome = AssertUnwindSafe(async move { body(ctx).await })
                .catch_unwind()
                .await
                .unwrap_or_else(|payload| Err(panic_error(&*payload)));
            this.with(|mut o| {
                o.as_mut().rust_mut().current = None;
                let elapsed_ms = o.elapsed_so_far_ms();
                let state = match outcome {
                    Ok(text) => {
                        tracing::info!(job = %name, elapsed_ms, result = %text, "job done");
                        o.as_mut().set_progress(1.0);
                        o.as_mut().set_result(QString::from(&text));
                        "done"
                    }
                    Err(err) if is_cancelled(&err) => {
                        tracing::info!(job = %name, elapsed_ms, "job cancelled");
                        "cancelled"
                    }
                    Err(err) => {
                        tracing::warn!(job = %name, elapsed_ms, "job failed: {err:#}");
                        let trace = worker_backtrace(&err).map(ToString::to_string);
                        o.as_mut().set_error(QString::from(&format!("{err:#}")));
                        o.as_mut()
                            .set_details(QString::from(trace.as_deref().unwrap_or("")));
                        "failed"
                    }
                };
                o.finish(state);
            });
            Ok(())
        });
        self.rust_mut().current = Some(id);
        true
    }

    fn cancel(mut self: Pin<&mut Self>) {
        let Some(id) = self.as_mut().rust_mut().current.take() else {
            return;
        };
        self.rust().coroutines.abort(id);
        tracing::info!(job = %self.name(), elapsed_ms = self.elapsed_so_far_ms(), "job cancelled");
        self.finish("cancelled");
    }

    /// Milliseconds since the job started.
    fn elapsed_so_far_ms(&self) -> f64 {
        self.rust()
            .started
            .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1e3)
    }

    /// The job ended in `state` (done, failed or cancelled).
    fn finish(mut self: Pin<&mut Self>, state: &str) {
        let elapsed_ms = self.elapsed_so_far_ms();
        self.as_mut().set_elapsed_ms(elapsed_ms);
        self.as_mut().set_waiting_for_answer(false);
        self.as_mut().set_running(false);
        self.as_mut().set_state(QString::from(state));
        self.finished();
    }

    fn answer(self: Pin<&mut Self>, yes: bool) {
        self.answered(yes);
    }

    /// "queued" becomes "running" (the first sign of work).
    pub(crate) fn mark_running(self: Pin<&mut Self>) {
        if self.state().to_string() == "queued" {
            self.set_state(QString::from("running"));
        }
    }
}

/// A panic in a job's body (on the GUI thread), as the job's error.
fn panic_error(payload: &(dyn std::any::Any + Send)) -> anyhow::Error {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    anyhow::anyhow!("the job panicked on the GUI thread: {message}")
}
