//! What a job's body gets: [`JobContext`] on the GUI thread (progress, step text, partial
//! results, a question to the user, work on a worker), and [`WorkerContext`] on the worker.
//!
//! The context talks to its `AsyncJob` through [`JobSink`], so this module knows nothing of the
//! QObject (and the object, which runs bodies, depends on it, not the other way round).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures::{future, StreamExt};

use super::SignalGone;
use crate::engine::{progress, spawn_cancellable, CancelToken, Cancelled, JobError, Reporter};

/// Where a job's context sends what the job reports: its `AsyncJob`.
pub(crate) trait JobSink {
    /// "queued" becomes "running".
    fn mark_running(&self);
    /// Shown at the next frame.
    fn set_progress(&self, fraction: f64);
    /// Shown at the next frame.
    fn set_step(&self, text: String);
    /// Batched to the next frame.
    fn emit_item(&self, text: String);
    /// Asks the user; resolves with the answer.
    fn ask(&self, question: &str) -> Pin<Box<dyn Future<Output = Result<bool, SignalGone>>>>;
}

/// A running job's handle to its `AsyncJob` object, on the GUI thread: set progress and the
/// step text, stream items, ask the user, and run work on a worker.
///
/// # Examples
///
/// ```
/// use cxx_qt_async::{register_job, JobContext};
///
/// register_job("download", |args: &[String]| {
///     let url = args.first().cloned().ok_or("no URL")?;
///     Ok::<_, &str>(move |ctx: JobContext| async move {
///         ctx.set_step(&format!("fetching {url}"));
///         if !ctx.ask("Overwrite the old copy?").await? {
///             return Ok("kept the old copy".to_owned());
///         }
///         let size = ctx.worker(|w| { w.progress(1.0); Ok(1024) }).await?;
///         ctx.emit_item("saved.bin");
///         Ok(format!("{size} bytes"))
///     })
/// });
/// ```
#[derive(Clone)]
pub struct JobContext {
    sink: Rc<dyn JobSink>,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JobContext")
    }
}

impl JobContext {
    pub(crate) fn new(sink: Rc<dyn JobSink>) -> Self {
        Self { sink }
    }

    /// Marks the job as running (it starts as "queued"). Every other method here does it too.
    pub fn mark_running(&self) {
        self.sink.mark_running();
    }

    /// Sets `progress` (0 to 1; negative: unknown). Shown at the next frame: call it as often
    /// as you like.
    pub fn set_progress(&self, fraction: f64) {
        self.sink.set_progress(fraction);
    }

    /// Sets `progressText`, the step the job is at (e.g. "step 2 of 3: compressing"). Shown at
    /// the next frame: call it as often as you like.
    pub fn set_step(&self, text: &str) {
        self.sink.set_step(text.to_owned());
    }

    /// Hands one partial result to QML. Items reach QML in batches, at most once per frame,
    /// through the `itemsFound(items)` signal (the newest `itemsPerBatch` of the batch), and
    /// `itemCount` counts every one: a job may emit millions without slowing the window.
    pub fn emit_item(&self, text: &str) {
        self.sink.emit_item(text.to_owned());
    }

    /// Asks the user a yes/no question: emits `question(text)` and waits, without a nested event
    /// loop, until QML calls `answer(yes)`.
    pub async fn ask(&self, question: &str) -> Result<bool, SignalGone> {
        self.sink.ask(question).await
    }

    /// Runs `f` on a worker. The job shows "running" once a worker picked it up; what `f`
    /// reports through its [`WorkerContext`] reaches `progress` and `progressText` at most once
    /// per frame. Dropping the future (the job was cancelled) sets the worker's cancel token.
    pub async fn worker<T, F>(&self, f: F) -> Result<T, JobError>
    where
        F: FnOnce(&WorkerContext) -> anyhow::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reporter, watch) = progress::<Update>();
        let job = spawn_cancellable(move |token| {
            let worker = WorkerContext {
                token: token.clone(),
                reporter,
                last: RefCell::new(Update::default()),
            };
            worker.reporter.report(Update::default()); // started
            f(&worker)
        });
        let show = watch.for_each(|update| {
            self.sink.mark_running();
            // Through the same per-frame batch as set_progress/set_step, so the two never show
            // out of order.
            if let Some(fraction) = update.fraction {
                self.sink.set_progress(fraction);
            }
            if let Some(text) = update.text {
                self.sink.set_step(text);
            }
            future::ready(())
        });
        let (out, ()) = futures::join!(job, show);
        out
    }
}

/// The latest progress of a worker.
#[derive(Debug, Clone, Default)]
struct Update {
    fraction: Option<f64>,
    text: Option<String>,
}

/// A worker's view of its job: the cancel token and the progress reporter.
///
/// # Examples
///
/// ```
/// use cxx_qt_async::{register_job, JobContext};
///
/// register_job("count", |_: &[String]| {
///     Ok::<_, &str>(|ctx: JobContext| async move {
///         let n = ctx
///             .worker(|w| {
///                 let mut n = 0u64;
///                 for i in 0..1_000_000u64 {
///                     if !w.tick(i as f64 / 1e6) {
///                         w.check()?; // cancelled: stop here
///                     }
///                     n += i % 7;
///                 }
///                 Ok(n)
///             })
///             .await?;
///         Ok(n.to_string())
///     })
/// });
/// ```
#[derive(Debug)]
pub struct WorkerContext {
    token: CancelToken,
    reporter: Reporter<Update>,
    last: RefCell<Update>,
}

impl WorkerContext {
    /// `true` once the job was cancelled (its coroutine dropped).
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// `Err(Cancelled)` once the job was cancelled; use with `?` between chunks of work.
    pub fn check(&self) -> Result<(), Cancelled> {
        self.token.check()
    }

    /// The cancel token itself, for work that takes one.
    pub fn token(&self) -> &CancelToken {
        &self.token
    }

    /// Reports progress (0 to 1), as often as you like: reports are coalesced.
    pub fn progress(&self, fraction: f64) {
        let mut last = self.last.borrow_mut();
        last.fraction = Some(fraction);
        self.reporter.report(last.clone());
    }

    /// Reports progress (0 to 1) and says whether to go on (`false` once cancelled): the
    /// callback of a work loop that reports and stops in one place.
    pub fn tick(&self, fraction: f64) -> bool {
        self.progress(fraction);
        !self.is_cancelled()
    }

    /// Reports the step the job is at.
    pub fn step(&self, text: &str) {
        let mut last = self.last.borrow_mut();
        last.text = Some(text.to_owned());
        self.reporter.report(last.clone());
    }
}
