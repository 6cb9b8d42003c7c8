//! Awaiting the next emission of a Qt signal, without a nested event loop.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use cxx_qt::QMetaObjectConnectionGuard;
use futures::channel::oneshot;

use crate::engine::integration;

/// The connection went away before the signal was emitted (its object was destroyed).
///
/// # Examples
///
/// ```
/// use cxx_qt_async::engine::{spawn_local, testing::FakeLoop};
/// use cxx_qt_async::{next_emission, SignalGone};
///
/// let fake = FakeLoop::new();
/// // The object went away: its connection, and the Emitter its handler held, were dropped.
/// let answer = next_emission::<bool, ()>(drop);
/// assert_eq!(fake.block_on(spawn_local(answer)).unwrap(), Err(SignalGone));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the signal's object was destroyed before it emitted")]
pub struct SignalGone;

/// The next emission of a signal; see [`next_emission`]. Dropping it disconnects (drops the
/// connection guard `G`).
///
/// # Examples
///
/// ```
/// use cxx_qt_async::engine::{spawn_local, testing::FakeLoop};
/// use cxx_qt_async::next_emission;
///
/// let fake = FakeLoop::new();
/// let mut handler = None;
/// // `connect` would call the QObject's on_<signal>(...) and return its connection guard.
/// let answer = next_emission(|tx| handler = Some(tx));
/// handler.take().unwrap().emit(true); // what the signal's handler does
/// assert_eq!(fake.block_on(spawn_local(answer)).unwrap(), Ok(true));
/// ```
#[must_use = "a NextEmission disconnects when dropped; .await it"]
pub struct NextEmission<A, G = QMetaObjectConnectionGuard> {
    received: oneshot::Receiver<A>,
    _connection: G,
}

impl<A, G> std::fmt::Debug for NextEmission<A, G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NextEmission")
    }
}

/// What a signal handler calls to hand its arguments to the awaiting [`NextEmission`]; only the
/// first call counts.
///
/// # Examples
///
/// ```
/// use cxx_qt_async::engine::{spawn_local, testing::FakeLoop};
/// use cxx_qt_async::{next_emission, Emitter};
///
/// let fake = FakeLoop::new();
/// let mut handler: Option<Emitter<String>> = None;
/// let name = next_emission(|tx| handler = Some(tx));
/// let mut tx = handler.take().unwrap();
/// tx.emit("first".to_owned());
/// tx.emit("second".to_owned()); // ignored: only the first emission counts
/// assert_eq!(fake.block_on(spawn_local(name)).unwrap().unwrap(), "first");
/// ```
#[derive(Debug)]
pub struct Emitter<A>(Option<oneshot::Sender<A>>);

impl<A> Emitter<A> {
    /// Delivers this emission's arguments (later emissions are ignored).
    pub fn emit(&mut self, args: A) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(args);
        }
    }
}

/// Connects with `connect` and resolves, on the GUI thread, with the arguments of the signal's
/// next emission. `connect` gets the [`Emitter`] to call from the signal's handler; connect it
/// with the `on_<signal>` method cxx-qt generates, and return its
/// [`QMetaObjectConnectionGuard`] (any other guard type works too: whatever `connect` returns is
/// kept until the emission arrived or the future is dropped, then dropped, which disconnects).
///
/// # Examples
///
/// ```ignore
/// // In a coroutine of a QObject with `#[qsignal] fn answered(self: Pin<&mut Self>, yes: bool);`
/// let answer = next_emission(|mut tx| this.with(|o| o.on_answered(move |_, yes| tx.emit(yes))));
/// this.with(|o| o.confirm_requested(QString::from("Overwrite the output?")));
/// let yes: bool = answer.await?;
/// ```
pub fn next_emission<A: Send + 'static, G>(
    connect: impl FnOnce(Emitter<A>) -> G,
) -> NextEmission<A, G> {
    let (tx, received) = oneshot::channel();
    NextEmission {
        received,
        _connection: connect(Emitter(Some(tx))),
    }
}

// The guard is never pinned: it is only kept and dropped.
impl<A, G> Unpin for NextEmission<A, G> {}

impl<A, G> Future for NextEmission<A, G> {
    type Output = Result<A, SignalGone>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        std::task::ready!(integration::poll_proceed(cx));
        let polled = Pin::new(&mut self.received).poll(cx);
        if polled.is_pending() {
            integration::note_wait(integration::Wait::Signal);
        } else {
            integration::consumed();
        }
        polled.map(|r| r.map_err(|_| SignalGone))
    }
}
