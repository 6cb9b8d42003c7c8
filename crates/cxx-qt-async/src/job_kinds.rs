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

use super::job_context::JobContext;

/// What a job's body returns: the result text, or the error (with its context chain).
///
/// # Examples
///
/// ```
/// use cxx_qt_async::JobFuture;
///
/// let body: JobFuture = Box::pin(async { Ok("done".to_owned()) });
/// # drop(body);
/// ```
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
///
/// # Examples
///
/// ```
/// use cxx_qt_async::{job_kinds, register_job, JobContext};
///
/// register_job("echo", |args: &[String]| {
///     let text = args.join(" ");
///     Ok::<_, String>(move |_: JobContext| async move { Ok(text) })
/// });
/// assert_eq!(job_kinds(), ["echo"]);
/// ```
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
