//! Streams of partial results, headless: items arrive in order on the loop thread, a fast
//! worker waits for a slow consumer (the buffer bounds it), and dropping the stream stops it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cxx_qt_async_engine::{sleep, spawn_local, spawn_stream, testing::FakeLoop};
use futures::StreamExt;

#[test]
fn fast_worker_waits_for_a_slow_consumer() {
    let fake = FakeLoop::new();
    let capacity = 4;
    let sent = Arc::new(AtomicUsize::new(0));
    let sent_in_job = sent.clone();
    let sent_seen = sent.clone();
    let (received, max_ahead) = fake
        .block_on(spawn_local(async move {
            let mut items = spawn_stream(capacity, move |tx| {
                for i in 0..50usize {
                    tx.send(i)?;
                    sent_in_job.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            });
            let mut received = Vec::new();
            let mut max_ahead = 0;
            while let Some(i) = items.next().await {
                received.push(i);
                // Consume slowly; see how far ahead the worker got meanwhile.
                sleep(Duration::from_millis(2)).await;
                max_ahead = max_ahead.max(sent_seen.load(Ordering::SeqCst) - received.len());
            }
            items.finish().await.unwrap();
            (received, max_ahead)
        }))
        .unwrap();
    assert_eq!(
        received,
        (0..50).collect::<Vec<_>>(),
        "every item, in order"
    );
    assert!(
        max_ahead <= capacity,
        "the worker never got more than the buffer ahead: {max_ahead}"
    );
    assert_eq!(sent.load(Ordering::SeqCst), 50);
}

#[test]
fn dropping_the_stream_stops_the_producer() {
    let fake = FakeLoop::new();
    let sent = Arc::new(AtomicUsize::new(0));
    let sent_in_job = sent.clone();
    let (stopped_tx, stopped) = std::sync::mpsc::channel();
    fake.block_on(spawn_local(async move {
        let mut items = spawn_stream(2, move |tx| {
            let outcome = (0..).try_for_each(|i: u64| {
                tx.send(i)?;
                sent_in_job.fetch_add(1, Ordering::SeqCst);
                Ok::<_, cxx_qt_async_engine::Cancelled>(())
            });
            let _ = stopped_tx.send(outcome.is_err());
            Ok(())
        });
        let first_three: Vec<u64> = items.by_ref().take(3).collect().await;
        assert_eq!(first_three, [0, 1, 2]);
        // The stream is dropped here, mid-production.
    }))
    .unwrap();
    assert_eq!(
        stopped.recv_timeout(Duration::from_secs(5)),
        Ok(true),
        "the producer's send failed with Cancelled"
    );
    assert!(sent.load(Ordering::SeqCst) < 10, "it stopped right away");
}

/// Counts how many items a coroutine takes in each of its polls.
struct PerPoll<F> {
    future: std::pin::Pin<Box<F>>,
    taken: std::rc::Rc<std::cell::Cell<usize>>,
    most: std::rc::Rc<std::cell::Cell<usize>>,
}

impl<F: std::future::Future> std::future::Future for PerPoll<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        self.taken.set(0);
        let polled = self.future.as_mut().poll(cx);
        self.most.set(self.most.get().max(self.taken.get()));
        polled
    }
}

#[test]
fn a_full_stream_cannot_hold_one_poll_beyond_the_cooperative_budget() {
    let fake = FakeLoop::new();
    // Far beyond the budget (128) either way; Miri fills 20 000 slowly (90 s here, near the
    // fake loop's 120 s bound under Miri), so it fills 2 000.
    let total = if cfg!(miri) { 2_000 } else { 20_000usize };
    let taken = std::rc::Rc::new(std::cell::Cell::new(0));
    let most = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = taken.clone();
    let (filled_tx, filled) = std::sync::mpsc::channel();
    let consumer = async move {
        // A buffer far larger than the budget, filled before the consumer starts.
        let mut items = spawn_stream(total, move |tx| {
            for i in 0..total {
                tx.send(i)?;
            }
            let _ = filled_tx.send(());
            Ok(())
        });
        // Until the producer has filled it (its sends never block: the buffer holds them all).
        // Bounded by block_on (testing::DEFAULT_TIMEOUT: 10 s, 120 s under Miri).
        while filled.try_recv().is_err() {
            sleep(Duration::from_millis(1)).await;
        }
        let mut received = 0usize;
        while items.next().await.is_some() {
            received += 1;
            counter.set(counter.get() + 1);
        }
        items.finish().await.unwrap();
        received
    };
    let received = fake
        .block_on(spawn_local(PerPoll {
            future: Box::pin(consumer),
            taken,
            most: most.clone(),
        }))
        .unwrap();
    assert_eq!(received, total, "every item arrived");
    assert!(
        most.get() <= 128,
        "one poll took {} items; the cooperative budget is 128",
        most.get()
    );
}

#[test]
fn finish_before_the_end_stops_a_producer_blocked_on_a_full_buffer() {
    let fake = FakeLoop::new();
    let outcome = fake
        .block_on(spawn_local(async {
            let mut items = spawn_stream(2, |tx| {
                for i in 0u64.. {
                    tx.send(i)?; // blocks while the buffer is full
                }
                Ok(())
            });
            assert_eq!(items.next().await, Some(0));
            // The producer is (or soon will be) waiting for room that nobody will make.
            cxx_qt_async_engine::timeout(Duration::from_secs(5), items.finish()).await
        }))
        .unwrap();
    let result = outcome.expect("finish() returned instead of hanging");
    let err = result.expect_err("the producer was stopped, not finished");
    assert!(err.is_cancelled(), "it stopped as cancelled: {err}");
}

#[test]
fn cancel_stops_a_producer_blocked_on_a_full_buffer() {
    let fake = FakeLoop::new();
    let (stopped_tx, stopped) = std::sync::mpsc::channel();
    let sent = Arc::new(AtomicUsize::new(0));
    let sent_in_job = Arc::clone(&sent);
    let rest = fake
        .block_on(spawn_local(async move {
            let mut items = spawn_stream(2, move |tx| {
                let outcome = (0u64..).try_for_each(|i| {
                    tx.send(i)?;
                    sent_in_job.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, cxx_qt_async_engine::Cancelled>(())
                });
                let _ = stopped_tx.send(outcome.is_err());
                Ok(())
            });
            assert_eq!(items.next().await, Some(0));
            // The producer fills the buffer (item 0 taken, 1 and 2 buffered) and waits in its
            // next send: wait until it has sent those three, not for a fixed time (bounded by
            // block_on: testing::DEFAULT_TIMEOUT).
            while sent.load(Ordering::SeqCst) < 3 {
                sleep(Duration::from_millis(1)).await;
            }
            items.stop();
            // Nothing is read and the stream is kept alive: only stop() may stop the producer.
            let stopped_in_time = stopped.recv_timeout(Duration::from_secs(5));
            let rest: Vec<u64> = items.by_ref().collect().await;
            (rest, stopped_in_time, items)
        }))
        .unwrap();
    let (rest, stopped_in_time, _items) = rest;
    assert_eq!(
        stopped_in_time,
        Ok(true),
        "the producer's send failed with Cancelled while the stream was still held"
    );
    assert!(rest.len() <= 3, "only what was buffered followed: {rest:?}");
}
