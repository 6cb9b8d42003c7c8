//! Streams of partial results: a job yields items (files found, rows parsed) that the GUI thread
//! consumes as a `futures::Stream`, through a bounded buffer. A worker faster than the GUI waits
//! when the buffer is full (backpressure), so memory stays bounded whatever the rates.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::mpsc;
use futures::{SinkExt, Stream};

use super::cancel::{run_cancellable, CancelToken, CancellableJob, Cancelled};
use super::tasks;

/// The job's end of a [`run_stream`]: [`ItemSender::send`] blocks while the buffer is full.
#[derive(Debug)]
pub struct ItemSender<T> {
    tx: mpsc::Sender<T>,
    token: CancelToken,
}

impl<T> ItemSender<T> {
    /// Sends one item, waiting (on this worker) while the buffer is full. `Err(Cancelled)` when
    /// the GUI side is gone (the stream was dropped or cancelled): stop producing then.
    pub fn send(&mut self, item: T) -> Result<(), Cancelled> {
        self.token.check()?;
        futures::executor::block_on(self.tx.send(item)).map_err(|_| Cancelled)
    }

    /// The job's cancel token.
    pub fn token(&self) -> &CancelToken {
        &self.token
    }
}

/// The GUI side of [`run_stream`]: the items, then the end of the stream. Dropping it cancels the
/// job (its token is set and its next `send` fails).
#[must_use = "a JobStream is cancelled when dropped"]
#[derive(Debug)]
pub struct JobStream<T, R> {
    items: mpsc::Receiver<T>,
    job: Option<CancellableJob<R>>,
}

impl<T, R> JobStream<T, R> {
    /// Stops the job's production; items already buffered are still yielded.
    pub fn cancel(&self) {
        if let Some(job) = &self.job {
            job.cancel();
        }
    }

    /// After the stream ended: the job's own result (its summary, or its error).
    ///
    /// # Panics
    ///
    /// If called twice.
    pub async fn finish(mut self) -> anyhow::Result<R> {
        let job = self.job.take().expect("JobStream::finish called twice");
        job.await
    }
}

impl<T, R> Stream for JobStream<T, R> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let polled = Pin::new(&mut self.items).poll_next(cx);
        if polled.is_pending() {
            tasks::note_wait(tasks::Wait::Stream);
        }
        polled
    }
}

/// Runs `f` on the worker pool; what it sends arrives on the GUI thread as a stream, through a
/// buffer of `capacity` items. `f`'s own return value is available from [`JobStream::finish`].
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use cxx_qt_async::engine::{run_stream, spawn, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let (found, total) = fake
///     .block_on(spawn(async {
///         let mut files = run_stream(8, |tx| {
///             for i in 0..100u32 {
///                 tx.send(format!("file{i}.txt"))?;
///             }
///             Ok(100u32)
///         });
///         let mut found = Vec::new();
///         while let Some(name) = files.next().await {
///             found.push(name);
///         }
///         (found, files.finish().await.unwrap())
///     }))
///     .unwrap();
/// assert_eq!((found.len(), total), (100, 100));
/// ```
#[track_caller]
pub fn run_stream<T, R, F>(capacity: usize, f: F) -> JobStream<T, R>
where
    F: FnOnce(&mut ItemSender<T>) -> anyhow::Result<R> + Send + 'static,
    T: Send + 'static,
    R: Send + 'static,
{
    // mpsc's buffer is `capacity` plus one slot per sender.
    let (tx, items) = mpsc::channel(capacity.saturating_sub(1));
    let job = run_cancellable(move |token| {
        let mut sender = ItemSender {
            tx,
            token: token.clone(),
        };
        f(&mut sender)
    });
    JobStream {
        items,
        job: Some(job),
    }
}
