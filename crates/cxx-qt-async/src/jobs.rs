//! Job kinds for the QML [`AsyncJob`](super::AsyncJob) object: register an async job once by
//! name, and QML runs it with `AsyncJob { kind: "hash" }` and `job.start([path])`.
//!
//! A kind is a function from the typed arguments to either an input error (nothing starts; the
//! message shows as `inputError`) or the job's body, an async closure that gets a
//! [`JobContext`] and returns the text to show as `result`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use cxx_qt_lib::QString;
use futures::{future, StreamExt};

use super::async_job::qobject::AsyncJob;
use super::{next_emission, QObjectRef, SignalGone};
use crate::engine::{progress, spawn_cancellable, CancelToken, Cancelled, JobError, Reporter};

/// What a job's body returns: the result text, or the error (with its context chain).
pub type JobFuture = Pin<Box<dyn Future<Output = anyhow::Result<String>>>>;

type Body = Box<dyn FnOnce(JobContext) -> JobFuture>;
type Prepare = Rc<dyn Fn(&[String]) -> Result<Body, String>>;

thread_local! {
    static KINDS: RefCell<BTreeMap<String, Prepare>> = const { RefCell::new(BTreeMap::new()) };
}

/// Registers the job kind `kind` on this (GUI) thread, replacing one of the same name.
///
/// `prepare` runs synchronously when QML calls `start(args)`: it checks the arguments and
/// returns `Err(message)` (shown as `inputError`, nothing starts) or `Ok(body)`. The body then
/// runs as a coroutine owned by the `AsyncJob` object: destroying the object, or calling its
/// `cancel()`, drops it and cancels the jobs it awaits.
///
/// # Examples
///
/// ```
/// use cxx_qt_async::{register_job, JobContext};
///
/// register_job("square", |args: &[String]| {
///     let n: u64 = args
///         .first()
///         .and_then(|a| a.trim().parse().ok())
///         .ok_or("type a whole number")?;
///     Ok::<_, &str>(move |ctx: JobContext| async move {
///         let squared = ctx.worker(move |_| Ok(n * n)).await?;
///         Ok(format!("{n}² = {squared}"))
///     })
/// });
/// assert!(cxx_qt_async::job_kinds().contains(&"square".to_owned()));
/// ```
pub fn register_job<P, E, B, Fut>(kind: &str, prepare: P)
where
    P: Fn(&[String]) -> Result<B, E> + 'static,
    E: Display,
    B: FnOnce(JobContext) -> Fut + 'static,
    Fut: Future<Output = anyhow::Result<String>> + 'static,
{
    let erased: Prepare = Rc::new(move |args: &[String]| {
        prepare(args)
            .map(|body| Box::new(move |ctx| Box::pin(body(ctx)) as JobFuture) as Body)
            .map_err(|e| e.to_string())
    });
    KINDS.with(|k| k.borrow_mut().insert(kind.to_owned(), erased));
}

/// The registered job kinds of this thread, sorted.
pub fn job_kinds() -> Vec<String> {
    KINDS.with(|k| k.borrow().keys().cloned().collect())
}

/// Looks `kind` up and checks `args`: the body to run, or the message to show.
pub(crate) fn prepare(kind: &str, args: &[String]) -> Result<Body, String> {
    let prepare = KINDS
        .with(|k| k.borrow().get(kind).cloned())
        .ok_or_else(|| format!("unknown job kind “{kind}”"))?;
    prepare(args)
}

/// A running job's handle to its `AsyncJob` object, on the GUI thread: set progress and the
/// step text, stream items, ask the user, and run work on a worker.
#[derive(Clone, Debug)]
pub struct JobContext {
    pub(crate) this: QObjectRef<AsyncJob>,
}

impl JobContext {
    /// Marks the job as running (it starts as "queued"). Every other method here does it too.
    pub fn mark_running(&self) {
        self.this.with(|o| o.mark_running());
    }

    /// Sets `progress` (0 to 1; negative: unknown). Shown at the next frame: call it as often
    /// as you like.
    pub fn set_progress(&self, fraction: f64) {
        self.this.with(|mut o| {
            o.as_mut().mark_running();
            o.queue_progress(fraction);
        });
    }

    /// Sets `progressText`, the step the job is at (e.g. "step 2 of 3: compressing"). Shown at
    /// the next frame: call it as often as you like.
    pub fn set_step(&self, text: &str) {
        self.this.with(|mut o| {
            o.as_mut().mark_running();
            o.queue_step(text.to_owned());
        });
    }

    /// Hands one partial result to QML. Items reach QML in batches, at most once per frame,
    /// through the `itemsFound(items)` signal (the newest `itemsPerBatch` of the batch), and
    /// `itemCount` counts every one: a job may emit millions without slowing the window.
    pub fn emit_item(&self, text: &str) {
        self.this.with(|mut o| {
            o.as_mut().mark_running();
            o.queue_item(text.to_owned());
        });
    }

    /// Asks the user a yes/no question: emits `question(text)` and waits, without a nested event
    /// loop, until QML calls `answer(yes)`.
    pub async fn ask(&self, question: &str) -> Result<bool, SignalGone> {
        // Connect first, then ask: the answer cannot arrive before we listen.
        let answer = next_emission(|mut tx| {
            self.this
                .with(|o| o.on_answered(move |_, yes| tx.emit(yes)))
        });
        self.this.with(|mut o| {
            o.as_mut().mark_running();
            o.as_mut().set_waiting_for_answer(true);
            o.question(QString::from(question));
        });
        let yes = answer.await;
        self.this.with(|o| o.set_waiting_for_answer(false));
        yes
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
            self.this.with(|mut o| {
                o.as_mut().mark_running();
                // Through the same per-frame batch as set_progress/set_step, so the two never
                // show out of order.
                if let Some(fraction) = update.fraction {
                    o.as_mut().queue_progress(fraction);
                }
                if let Some(text) = update.text {
                    o.queue_step(text);
                }
            });
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
