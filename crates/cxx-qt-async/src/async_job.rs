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
//! [`register_job`](crate::register_job).

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
        #[qproperty(i32, items_per_batch, cxx_name = "itemsPerBatch")]
        #[qproperty(QStringList, recent_items, cxx_name = "recentItems")]
        #[qproperty(i32, kept_items, cxx_name = "keptItems")]
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

        /// Partial results (e.g. files found), at most once per frame: the newest `itemsPerBatch`
        /// of those that arrived since the last batch. `itemCount` counts them all.
        #[qsignal]
        #[cxx_name = "itemsFound"]
        fn items_found(self: Pin<&mut AsyncJob>, items: QStringList);

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

    // The library reads the start of its destruction from cxx-qt's thread handle.
    impl cxx_qt::Threading for AsyncJob {}
}

use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cxx_qt::CxxQtType;
use cxx_qt_lib::{QString, QStringList};
use futures::FutureExt;

use super::job_context::{JobContext, JobSink};
use super::job_kinds::prepare;
use super::{next_emission, QObjectRef, QObjectSpawn, SignalGone};
use crate::engine::{
    is_cancelled, panic_message, sleep_until, spawn_blocking, worker_backtrace, Task,
    FRAME_INTERVAL,
};

/// How many of the newest items a batch carries by default (`itemsPerBatch`): more than a
/// person reads in a frame, few enough that a flood costs QML little.
///
/// # Examples
///
/// ```
/// // In QML: AsyncJob { kind: "scan"; itemsPerBatch: 20 } overrides it for one job.
/// assert_eq!(cxx_qt_async::DEFAULT_ITEMS_PER_BATCH, 100);
/// ```
pub const DEFAULT_ITEMS_PER_BATCH: i32 = 100;

/// How many of the newest items `recentItems` keeps by default (`keptItems`).
///
/// # Examples
///
/// ```
/// // In QML: AsyncJob { kind: "scan"; keptItems: 50 } keeps fewer in recentItems.
/// assert_eq!(cxx_qt_async::DEFAULT_KEPT_ITEMS, 500);
/// ```
pub const DEFAULT_KEPT_ITEMS: i32 = 500;

/// What a job's coroutine reported since the last frame: shown together, at most once per
/// frame, so a job that reports a million times a second costs the GUI one update per frame.
#[derive(Debug, Default)]
struct PendingUpdates {
    /// The newest items (at most `itemsPerBatch`).
    items: VecDeque<String>,
    /// Items reported since the last flush, kept or not.
    new_items: u64,
    step: Option<String>,
    progress: Option<f64>,
    /// A flush coroutine is waiting for the next frame.
    scheduled: bool,
    last_flush: Option<Instant>,
}

/// Backing struct of [`qobject::AsyncJob`].
///
/// # Examples
///
/// ```
/// // Rust code reads an AsyncJob through the getters cxx-qt generates on the QObject:
/// fn describe(job: &cxx_qt_async::AsyncJob) -> String {
///     format!("{} {}: {}", job.kind(), job.state(), job.result())
/// }
/// ```
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
    items_per_batch: i32,
    recent_items: QStringList,
    kept_items: i32,
    /// What `recentItems` shows, kept here so a frame's update appends instead of rebuilding.
    recent: VecDeque<QString>,
    waiting_for_answer: bool,
    pending: PendingUpdates,
    /// The state is "queued" (kept beside the string, which is costly to compare).
    queued: bool,
    /// Counts the starts: what a late write of an earlier run checks.
    run: u64,
    /// The running job's coroutine: dropping it cancels the job.
    current: Option<Task<()>>,
    started: Option<Instant>,
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
            items_per_batch: DEFAULT_ITEMS_PER_BATCH,
            recent_items: QStringList::default(),
            kept_items: DEFAULT_KEPT_ITEMS,
            recent: VecDeque::new(),
            waiting_for_answer: false,
            pending: PendingUpdates::default(),
            queued: false,
            run: 0,
            current: None,
            started: None,
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

impl qobject::AsyncJob {
    fn start(mut self: Pin<&mut Self>, args: &QStringList) -> bool {
        if *self.running() {
            self.set_input_error(QString::from("this job is already running"));
            return false;
        }
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        let kind = self.kind().to_string();
        // The kind's own code checks the input: a panic there is this job's refusal, reported
        // with its message, never an abort (no panic may cross into Qt).
        let prepared = std::panic::catch_unwind(AssertUnwindSafe(|| prepare(&kind, &args)))
            .unwrap_or_else(|payload| {
                let message = panic_message(&*payload);
                tracing::error!(kind, %message, "a job kind panicked while checking its input");
                Err(format!(
                    "the job kind “{kind}” failed while checking its input: {message}"
                ))
            });
        let body = match prepared {
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
        self.as_mut().rust_mut().recent.clear();
        self.as_mut().set_recent_items(QStringList::default());
        self.as_mut().rust_mut().pending = PendingUpdates::default();
        self.as_mut().set_elapsed_ms(0.0);
        let epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3);
        self.as_mut().set_started_at_ms(epoch_ms);
        self.as_mut().set_running(true);
        self.as_mut().set_state(QString::from("queued"));
        self.as_mut().rust_mut().queued = true;
        tracing::info!(job = %name, kind, ?args, "job started");
        self.as_mut().rust_mut().started = Some(Instant::now());
        self.as_mut().rust_mut().run += 1;
        let run = self.rust().run;
        let label = name.clone();
        let task = self
            .as_mut()
            .spawn_local_labeled(label, move |this| async move {
                let ctx = JobContext::new(Rc::new(Sink(this.clone())));
                // A panic in the body (on this thread) fails this job only.
                let outcome = AssertUnwindSafe(async move { body(ctx).await })
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|payload| {
                        Err(anyhow::anyhow!(
                            "the job panicked on the GUI thread: {}",
                            panic_message(&*payload)
                        ))
                    });
                let outcome = match outcome {
                    Ok(text) => Outcome::Done(text),
                    Err(err) if is_cancelled(&err) => Outcome::Cancelled,
                    Err(err) => Outcome::Failed(format!("{err:#}"), err),
                };
                // A refused lend (the object is being destroyed) ends this coroutine anyway.
                let _ = this.with(|mut o| {
                    // Our own handle: detached, this coroutine runs on to its end.
                    if let Some(task) = o.as_mut().rust_mut().current.take() {
                        task.detach();
                    }
                    let elapsed_ms = o.elapsed_so_far_ms();
                    let state = match &outcome {
                        Outcome::Done(text) => {
                            tracing::info!(job = %name, elapsed_ms, result = %text, "job done");
                            o.as_mut().set_progress(1.0);
                            o.as_mut().set_result(QString::from(text));
                            "done"
                        }
                        Outcome::Cancelled => {
                            tracing::info!(job = %name, elapsed_ms, "job cancelled");
                            "cancelled"
                        }
                        Outcome::Failed(text, _) => {
                            tracing::warn!(job = %name, elapsed_ms, "job failed: {text}");
                            o.as_mut().set_error(QString::from(text));
                            "failed"
                        }
                    };
                    o.finish(state);
                });
                // The failure shows at once; its backtrace follows as `details`, rendered on a
                // worker: resolving a backtrace's symbols takes 70 ms and more (the first time,
                // loading the debug info), which would delay the row, and on the GUI thread
                // would be a visible freeze.
                if let Outcome::Failed(_, err) = outcome {
                    let trace =
                        spawn_blocking(move || worker_backtrace(&err).map(|t| t.to_string())).await;
                    if let Ok(Some(trace)) = trace {
                        let _ = this.with(|mut o| {
                            // Unless the job was started again meanwhile.
                            if o.rust().run == run {
                                o.as_mut().set_details(QString::from(&trace));
                            }
                        });
                    }
                }
            });
        self.rust_mut().current = Some(task);
        true
    }

    fn cancel(mut self: Pin<&mut Self>) {
        let Some(task) = self.as_mut().rust_mut().current.take() else {
            return;
        };
        drop(task); // cancels the job's coroutine (dropped at the next drain)
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
        // What it reported last is shown before it ends (the item count is exact).
        self.as_mut().flush_updates();
        self.as_mut().rust_mut().queued = false;
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
    pub(crate) fn mark_running(mut self: Pin<&mut Self>) {
        if self.rust().queued {
            self.as_mut().rust_mut().queued = false;
            self.set_state(QString::from("running"));
        }
    }

    /// Keeps an item for the next frame's `itemsFound` batch.
    pub(crate) fn queue_item(mut self: Pin<&mut Self>, text: String) {
        let kept = usize::try_from(*self.items_per_batch()).unwrap_or(0);
        let mut rust = self.as_mut().rust_mut();
        let pending = &mut rust.pending;
        pending.new_items += 1;
        if kept > 0 {
            if pending.items.len() >= kept {
                pending.items.pop_front();
            }
            pending.items.push_back(text);
        }
        self.schedule_flush();
    }

    /// Keeps the step text for the next frame.
    pub(crate) fn queue_step(mut self: Pin<&mut Self>, text: String) {
        self.as_mut().rust_mut().pending.step = Some(text);
        self.schedule_flush();
    }

    /// Keeps the progress for the next frame.
    pub(crate) fn queue_progress(mut self: Pin<&mut Self>, fraction: f64) {
        self.as_mut().rust_mut().pending.progress = Some(fraction);
        self.schedule_flush();
    }

    /// Shows what is pending one frame after the last flush (at once if that is past).
    fn schedule_flush(mut self: Pin<&mut Self>) {
        let pending = &mut self.as_mut().rust_mut().pending;
        if pending.scheduled {
            return;
        }
        pending.scheduled = true;
        let at = pending
            .last_flush
            .map_or_else(Instant::now, |last| last + FRAME_INTERVAL);
        self.spawn_local_labeled("AsyncJob: show partial results", move |this| async move {
            sleep_until(at).await;
            let _ = this.with(|o| o.flush_updates());
        })
        .detach();
    }

    /// Shows what is pending now: one `itemsFound` batch, one change of each property.
    fn flush_updates(mut self: Pin<&mut Self>) {
        let pending = std::mem::take(&mut self.as_mut().rust_mut().pending.items);
        let (new_items, step, progress) = {
            let mut rust = self.as_mut().rust_mut();
            let p = &mut rust.pending;
            p.scheduled = false;
            p.last_flush = Some(Instant::now());
            (
                std::mem::take(&mut p.new_items),
                p.step.take(),
                p.progress.take(),
            )
        };
        if let Some(fraction) = progress {
            self.as_mut().set_progress(fraction);
        }
        if let Some(text) = step {
            self.as_mut().set_progress_text(QString::from(&text));
        }
        if new_items > 0 {
            let count = i64::from(*self.item_count()).saturating_add_unsigned(new_items);
            self.as_mut()
                .set_item_count(i32::try_from(count).unwrap_or(i32::MAX));
            // The newest `keptItems` lines for a view, with a marker where a frame's batch
            // left lines out: one property change per frame, no script per line.
            let kept = usize::try_from(*self.kept_items()).unwrap_or(0);
            if kept > 0 {
                let skipped = new_items.saturating_sub(pending.len() as u64);
                let mut rust = self.as_mut().rust_mut();
                if skipped > 0 {
                    rust.recent
                        .push_back(QString::from(&format!("⋯ {skipped} more, not listed")));
                }
                rust.recent.extend(pending.iter().map(QString::from));
                let excess = rust.recent.len().saturating_sub(kept);
                rust.recent.drain(..excess);
                let list: QStringList = rust.recent.iter().cloned().collect();
                self.as_mut().set_recent_items(list);
            }
            if !pending.is_empty() {
                let batch: QStringList = pending.iter().map(QString::from).collect();
                self.items_found(batch);
            }
        }
    }
}

/// A job's context talks to its object through this: every call lends the object for a moment
/// (a refused lend ends the job's coroutine once its poll returns: nothing more to do here).
struct Sink(QObjectRef<qobject::AsyncJob>);

impl JobSink for Sink {
    fn mark_running(&self) {
        let _ = self.0.with(|o| o.mark_running());
    }

    fn set_progress(&self, fraction: f64) {
        let _ = self.0.with(|mut o| {
            o.as_mut().mark_running();
            o.queue_progress(fraction);
        });
    }

    fn set_step(&self, text: String) {
        let _ = self.0.with(|mut o| {
            o.as_mut().mark_running();
            o.queue_step(text);
        });
    }

    fn emit_item(&self, text: String) {
        let _ = self.0.with(|mut o| {
            o.as_mut().mark_running();
            o.queue_item(text);
        });
    }

    fn ask(&self, question: &str) -> Pin<Box<dyn Future<Output = Result<bool, SignalGone>>>> {
        let this = self.0.clone();
        // Connect first, then ask: the answer cannot arrive before we listen.
        let answer =
            next_emission(|mut tx| this.with(|o| o.on_answered(move |_, yes| tx.emit(yes))));
        let _ = this.with(|mut o| {
            o.as_mut().mark_running();
            o.as_mut().set_waiting_for_answer(true);
            o.question(QString::from(question));
        });
        Box::pin(async move {
            let yes = answer.await;
            let _ = this.with(|o| o.set_waiting_for_answer(false));
            yes
        })
    }
}

/// How a job ended, ready to show.
enum Outcome {
    Done(String),
    Cancelled,
    /// The error's chain as text, and the error (whose backtrace is rendered afterwards).
    Failed(String, anyhow::Error),
}
