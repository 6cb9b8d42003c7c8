//! Streams of partial results: a job yields items (files found, rows parsed) that the GUI thread
//! consumes as a `futures::Stream`, through a bounded buffer. A worker faster than the GUI waits
//! when the buffer is full (backpressure), so memory stays bounded whatever the rates.
//!
//! The buffer wakes each side only at a transition, never per item: the GUI side when it goes
//! from empty to non-empty, a waiting worker when it drains to half its capacity. A fast
//! producer and a busy consumer therefore cost one thread hand-off per half buffer, not one
//! futex round trip per item.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use futures::task::AtomicWaker;
use futures::Stream;

use super::cancel::{spawn_cancellable, CancellableJob};
use super::error::JobError;
use super::token::{CancelToken, Cancelled};
use super::{coop, tasks};

/// The buffer between a job and its [`JobStream`].
struct Buffer<T> {
    state: Mutex<State<T>>,
    /// A producer waiting for room waits here.
    room: Condvar,
    /// The GUI side, when it found the buffer empty.
    consumer: AtomicWaker,
    capacity: usize,
}

struct State<T> {
    items: VecDeque<T>,
    /// The GUI side stopped taking items (cancelled, finished early or dropped).
    closed: bool,
    /// The producer is gone: once `items` is empty, the stream has ended.
    done: bool,
    /// The producer waits for the buffer to drain to half its capacity.
    producer_waiting: bool,
}

impl<T> Buffer<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the producer: its waiting `send` and every later one fail.
    fn close(&self) {
        self.lock().closed = true;
        self.room.notify_all();
    }
}

/// The job's end of a [`spawn_stream`]: [`ItemSender::send`] blocks while the buffer is full.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{spawn_local, spawn_stream, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let lines = fake
///     .block_on(spawn_local(async {
///         spawn_stream(4, |tx| {
///             for i in 0..10 {
///                 tx.send(format!("line {i}"))?; // waits while the buffer is full
///             }
///             Ok(())
///         })
///         .collect::<Vec<String>>()
///         .await
///     }))
///     .unwrap();
/// assert_eq!(lines.len(), 10);
/// ```
pub struct ItemSender<T> {
    buffer: Arc<Buffer<T>>,
    token: CancelToken,
}

impl<T> std::fmt::Debug for ItemSender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemSender")
            .field("capacity", &self.buffer.capacity)
            .finish()
    }
}

impl<T> ItemSender<T> {
    /// Sends one item, waiting (on this worker) while the buffer is full. `Err(Cancelled)` when
    /// the GUI side is gone (the stream was dropped, cancelled or finished early): stop
    /// producing then.
    pub fn send(&mut self, item: T) -> Result<(), Cancelled> {
        self.token.check()?;
        let buffer = &*self.buffer;
        let mut state = buffer.lock();
        while state.items.len() >= buffer.capacity && !state.closed {
            state.producer_waiting = true;
            state = buffer
                .room
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.closed {
            return Err(Cancelled);
        }
        state.items.push_back(item);
        let was_empty = state.items.len() == 1;
        drop(state);
        if was_empty {
            buffer.consumer.wake();
        }
        Ok(())
    }

    /// The job's cancel token.
    pub fn token(&self) -> &CancelToken {
        &self.token
    }
}

impl<T> Drop for ItemSender<T> {
    fn drop(&mut self) {
        self.buffer.lock().done = true;
        self.buffer.consumer.wake();
    }
}

/// The GUI side of [`spawn_stream`]: the items, then the end of the stream. Dropping it cancels the
/// job (its token is set and its next `send` fails).
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{spawn_local, spawn_stream, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let first = fake
///     .block_on(spawn_local(async {
///         let mut numbers = spawn_stream(16, |tx| {
///             for i in 0.. {
///                 tx.send(i)?; // Err(Cancelled) once the stream is cancelled
///             }
///             Ok(())
///         });
///         let first = numbers.next().await;
///         let ended = numbers.cancel().await; // stops the job and waits for it
///         assert!(ended.is_none_or(|r| r.unwrap_err().is_cancelled()));
///         first
///     }))
///     .unwrap();
/// assert_eq!(first, Some(0));
/// ```
#[must_use = "a JobStream is cancelled when dropped"]
pub struct JobStream<T, R> {
    buffer: Arc<Buffer<T>>,
    /// `None` only after `cancel` took it.
    job: Option<CancellableJob<R>>,
}

impl<T, R> std::fmt::Debug for JobStream<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobStream")
            .field("buffered", &self.buffer.lock().items.len())
            .finish()
    }
}

impl<T, R> JobStream<T, R> {
    /// Stops the job's production: its token is set and the buffer is closed, so a producer
    /// waiting in [`ItemSender::send`] for room gets `Err(Cancelled)` at once. Items already
    /// buffered are still yielded; [`finish`](JobStream::finish) then gives the job's outcome.
    pub fn stop(&mut self) {
        if let Some(job) = &self.job {
            job.token().cancel();
        }
        self.buffer.close();
    }

    /// Cancels the job and resolves once it has stopped (see [`CancellableJob::cancel`]); the
    /// items not yet taken are dropped. Dropping the stream cancels without waiting.
    pub fn cancel(mut self) -> impl std::future::Future<Output = Option<Result<R, JobError>>> {
        self.buffer.close();
        drop(std::mem::take(&mut self.buffer.lock().items));
        let job = self.job.take();
        async move { job?.cancel().await }
    }

    /// The job's own result (its summary, or its error). Call it after the stream ended; called
    /// earlier, the items not yet taken are dropped and a producer still sending gets
    /// `Err(Cancelled)` (the buffer is closed first, so it can never wait for room that nobody
    /// will make).
    pub async fn finish(mut self) -> Result<R, JobError> {
        self.buffer.close();
        drop(std::mem::take(&mut self.buffer.lock().items));
        match self.job.as_mut() {
            Some(job) => job.await,
            None => unreachable!("only `cancel`, which consumes the stream, takes the job"),
        }
    }
}

impl<T, R> Drop for JobStream<T, R> {
    fn drop(&mut self) {
        // The job's token is set by its own drop; a producer waiting for room needs this too.
        self.buffer.close();
    }
}

impl<T, R> Stream for JobStream<T, R> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // Each item counts against the poll's cooperative budget: a producer that keeps the
        // buffer full cannot hold one poll (and the GUI thread) for as long as it produces.
        std::task::ready!(coop::proceed(cx));
        let buffer = &*self.buffer;
        let mut registered = false;
        loop {
            let mut state = buffer.lock();
            if let Some(item) = state.items.pop_front() {
                let wake_producer =
                    state.producer_waiting && state.items.len() <= buffer.capacity / 2;
                if wake_producer {
                    state.producer_waiting = false;
                }
                drop(state);
                if wake_producer {
                    buffer.room.notify_one();
                }
                coop::consume();
                return Poll::Ready(Some(item));
            }
            if state.done {
                coop::consume();
                return Poll::Ready(None);
            }
            if registered {
                tasks::note_wait(tasks::Wait::Stream);
                return Poll::Pending;
            }
            drop(state);
            // Register, then look again: an item pushed in between is not missed.
            buffer.consumer.register(cx.waker());
            registered = true;
        }
    }
}

/// Runs `f` on the worker pool; what it sends arrives on the GUI thread as a stream, through a
/// buffer of `capacity` items. `f`'s own return value is available from [`JobStream::finish`].
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use cxx_qt_async_engine::{spawn_stream, spawn_local, testing::FakeLoop};
///
/// let fake = FakeLoop::new();
/// let (found, total) = fake
///     .block_on(spawn_local(async {
///         let mut files = spawn_stream(8, |tx| {
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
pub fn spawn_stream<T, R, F>(capacity: usize, f: F) -> JobStream<T, R>
where
    F: FnOnce(&mut ItemSender<T>) -> anyhow::Result<R> + Send + 'static,
    T: Send + 'static,
    R: Send + 'static,
{
    let buffer = Arc::new(Buffer {
        state: Mutex::new(State {
            items: VecDeque::new(),
            closed: false,
            done: false,
            producer_waiting: false,
        }),
        room: Condvar::new(),
        consumer: AtomicWaker::new(),
        capacity: capacity.max(1),
    });
    let for_job = Arc::clone(&buffer);
    let job = spawn_cancellable(move |token| {
        let mut sender = ItemSender {
            buffer: for_job,
            token: token.clone(),
        };
        f(&mut sender)
    });
    JobStream {
        buffer,
        job: Some(job),
    }
}
