//! Blocking jobs on the worker pool, awaited on the GUI thread.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::future::Future;
use std::panic::{self, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread;

use async_task::Task as RawJob;

use super::context::with_local;
use super::coop;
use super::error::JobError;
use super::panic::{caught, CaughtPanic};
use super::pool::{Claim, JobRunnable};
use super::stop::{self, Stopping};
use super::tasks;
use super::token::Cancelled;

/// What a job hands back from the worker when it did not produce a value.
enum Failure {
    Failed {
        error: anyhow::Error,
        thread: String,
        backtrace: Option<Box<Backtrace>>,
    },
    Panicked {
        thread: String,
        panic: CaughtPanic,
    },
}

type Outcome<T> = Result<T, Box<Failure>>;

/// A job running (or queued) on the worker pool. Awaiting it gives the job's value on the GUI
/// thread, or a [`JobError`] saying how it failed (`?` turns it into an [`anyhow::Error`]).
///
/// **Dropping a `Job` cancels it**: a job still in the queue never runs; a job already running
/// cannot be interrupted (it is plain blocking code), runs to completion and its result is
/// discarded. A [`Task::cancel`](crate::Task::cancel) of the coroutine that dropped it waits
/// for that end.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let n = fake.block_on(spawn_blocking(|| (1..=10u32).sum::<u32>())).unwrap();
/// assert_eq!(n, 55);
/// ```
#[must_use = "a Job is cancelled when dropped; .await it"]
pub struct Job<T> {
    /// `None` once dropped, or once it gave its output. Its metadata is the job's [`Claim`].
    /// (Every job's task ends with an output: the pool runs even the ones it cancels.)
    task: Option<RawJob<Outcome<T>, Claim>>,
    /// Waits for the job to stop (`T: 'static` is known where this is made, not in `Drop`).
    stopper: fn(RawJob<Outcome<T>, Claim>) -> Stopping,
    site: &'static Location<'static>,
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        let Some(task) = self.task.take() else { return };
        let started = !task.metadata().abandon();
        if started && !task.is_finished() && stop::collecting() {
            // Running, and dropped by a coroutine a `Task::cancel()` waits for: hand that
            // `cancel()` the job's end.
            stop::push((self.stopper)(task));
        }
        // Otherwise dropping `task` cancels the job: a queued one never starts (even if a
        // worker has just taken it), a running one runs on and its result is discarded.
    }
}

impl<T> std::fmt::Debug for Job<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("site", &self.site).finish()
    }
}

/// Runs `f` on the worker pool; the returned [`Job`] resolves on the GUI thread.
///
/// The location of this call is the job's await site, reported in its errors. A panic in `f`
/// becomes an error at the await, with the panic message, its location and the worker's
/// backtrace.
///
/// # Panics
///
/// Off the GUI thread (no runtime on this thread).
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::{spawn_blocking, spawn_local, testing::FakeLoop};
///
/// fn worker(x: u64) -> u64 {
///     x * 2 // imagine something slow
/// }
///
/// let fake = FakeLoop::new();
/// let handle = spawn_local(async {
///     let val1 = spawn_blocking(|| worker(66)).await?;
///     let val2 = spawn_blocking(move || worker(val1)).await?;
///     anyhow::Ok(val2)
/// });
/// assert_eq!(fake.block_on(handle).unwrap().unwrap(), 264);
/// ```
#[track_caller]
pub fn spawn_blocking<T, F>(f: F) -> Job<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    submit(Location::caller(), move || Ok(f()))
}

/// Like [`spawn_blocking`], for a job that can fail: its error, with its whole context chain,
/// becomes the source of the [`JobError::Failed`] at the await.
///
/// # Examples
///
/// ```
/// use anyhow::Context as _;
/// use cxx_qt_async_engine::{spawn_blocking_fallible, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let err = fake
///     .block_on(spawn_blocking_fallible(|| {
///         std::fs::read("/no/such/file").context("reading the input")
///     }))
///     .unwrap_err();
/// assert!(err.failure_as::<std::io::Error>().is_some());
/// // `?` (here `From`) makes it an `anyhow::Error`, whose `{:#}` prints the whole chain.
/// let text = format!("{:#}", anyhow::Error::from(err));
/// assert!(text.contains("reading the input"), "{text}");
/// ```
#[track_caller]
pub fn spawn_blocking_fallible<T, F>(f: F) -> Job<T>
where
    F: FnOnce() -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    submit(Location::caller(), f)
}

pub(crate) fn submit<T, F>(site: &'static Location<'static>, f: F) -> Job<T>
where
    F: FnOnce() -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let job = borrowing_the_claim(move |claim| async move {
        if claim.start() {
            run_on_worker(f)
        } else {
            Err(Box::new(Failure::Failed {
                error: Cancelled.into(),
                thread: thread_name(),
                backtrace: None,
            }))
        }
    });
    // The job's future finishes in its first poll, so it is never woken and never scheduled
    // again: the pool queues it once, below, and the schedule function is never called (were
    // it called, the job would run there, as a cancelled one).
    let schedule = |r: JobRunnable| {
        r.metadata().abandon();
        r.run();
    };
    // SAFETY: `spawn_unchecked` is `Builder::spawn` without its `'static` bound on the future,
    // so that the future may borrow the task's metadata (`&Claim`), async-task's documented
    // use of it. What `spawn` asks holds otherwise: the future is `Send` (it holds `f`, which
    // is `Send`, and a `&Claim`, which is `Send` as `Claim` is `Sync`), and so is its output;
    // `schedule` is `Send + Sync + 'static`. The borrow is valid as long as the future exists:
    // the metadata lives in the task's header, which async-task drops only after the future
    // (and the output) are gone.
    #[allow(unsafe_code)]
    let (runnable, task) = unsafe {
        async_task::Builder::new()
            .metadata(Claim::default())
            .spawn_unchecked(job, schedule)
    };
    with_local("spawn_blocking()", |local| {
        // Queued in the lane of the coroutine submitting it (see `lanes`).
        tasks::with_current_lane(|lane| local.pool.inner().push(lane, runnable));
    });
    Job {
        task: Some(task),
        stopper: |task| {
            Box::pin(async move {
                let _ = task.cancel().await; // resolves once the running job has returned
            })
        },
        site,
    }
}

/// Gives `make` the one lifetime (`'a`, the task's) that `spawn_unchecked` wants the future to
/// borrow the metadata for (a closure alone would be inferred for any lifetime).
fn borrowing_the_claim<'a, Fut>(
    make: impl FnOnce(&'a Claim) -> Fut,
) -> impl FnOnce(&'a Claim) -> Fut {
    make
}

fn thread_name() -> String {
    thread::current().name().unwrap_or("<unnamed>").to_owned()
}

fn run_on_worker<T>(f: impl FnOnce() -> anyhow::Result<T>) -> Outcome<T> {
    let mark = super::panic::mark();
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => {
            let backtrace = (error.backtrace().status() != BacktraceStatus::Captured)
                .then(|| Box::new(Backtrace::force_capture()));
            Err(Box::new(Failure::Failed {
                error,
                thread: thread_name(),
                backtrace,
            }))
        }
        Err(payload) => Err(Box::new(Failure::Panicked {
            thread: thread_name(),
            panic: caught(payload.as_ref(), mark),
        })),
    }
}

/// A job's outcome as its awaiter sees it.
fn job_result<T>(
    outcome: Option<Outcome<T>>,
    site: &'static Location<'static>,
) -> Result<T, JobError> {
    match outcome {
        Some(Ok(value)) => Ok(value),
        Some(Err(failure)) => Err(match *failure {
            Failure::Failed { error, .. } if error.is::<Cancelled>() => {
                JobError::Cancelled { site }
            }
            Failure::Failed {
                error,
                thread,
                backtrace,
            } => JobError::Failed {
                site,
                error,
                thread,
                backtrace,
            },
            Failure::Panicked { thread, panic } => JobError::Panicked {
                site,
                thread,
                message: panic.message,
                location: panic.location,
                backtrace: panic.backtrace,
            },
        }),
        None => Err(JobError::Cancelled { site }),
    }
}

impl<T> Job<T> {
    /// Lets the job run to its end without a handle: a queued job still runs; its result is
    /// dropped.
    pub fn detach(mut self) {
        if let Some(task) = self.task.take() {
            task.detach();
        }
    }

    /// Cancels the job and resolves once it has stopped: a job still queued never runs
    /// (`None`, at once); a running one cannot be interrupted (it is plain blocking code), so
    /// this waits for it to return and gives its result. Dropping the `Job` cancels without
    /// waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use cxx_qt_async_engine::{spawn_blocking, testing::FakeLoop};
    ///
    /// let fake = FakeLoop::new();
    /// let job = spawn_blocking(|| 6 * 7);
    /// // Queued or already running: either it never runs, or its result comes back.
    /// let stopped = fake.block_on(job.cancel());
    /// assert!(matches!(stopped, None | Some(Ok(42))));
    /// ```
    pub fn cancel(mut self) -> impl Future<Output = Option<Result<T, JobError>>> {
        let site = self.site;
        let task = self.task.take();
        // Abandoned while queued: no worker will start it.
        let running = task.as_ref().is_some_and(|t| !t.metadata().abandon());
        async move {
            let task = task.filter(|_| running)?;
            Some(job_result(Some(task.await), site))
        }
    }
}

impl<T> Future for Job<T> {
    type Output = Result<T, JobError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let site = self.site;
        std::task::ready!(coop::proceed(cx));
        let Some(task) = self.task.as_mut() else {
            return Poll::Ready(Err(JobError::Cancelled { site }));
        };
        let Poll::Ready(outcome) = Pin::new(task).poll(cx) else {
            tasks::note_wait(tasks::Wait::WorkerJob);
            return Poll::Pending;
        };
        self.task = None; // its output is taken: a later poll gives "cancelled", never a panic
        coop::consume();
        Poll::Ready(job_result(Some(outcome), site))
    }
}
