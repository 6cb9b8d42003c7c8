//! Streams of partial results, headless: items arrive in order on the loop thread, a fast
//! worker waits for a slow consumer (the buffer bounds it), and dropping the stream stops it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cxx_qt_async::engine::{run_stream, sleep, spawn, testing::FakeLoop};
use futures::StreamExt;

#[test]
fn fast_worker_waits_for_a_slow_consumer() {
    let fake = FakeLoop::new();
    let capacity = 4;
    let sent = Arc::new(AtomicUsize::new(0));
    let sent_in_job = sent.clone();
    let sent_seen = sent.clone();
    let (received, max_ahead) = fake
        .block_on(spawn(async move {
            let mut items = run_stream(capacity, move |tx| {
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
    fake.block_on(spawn(async move {
        let mut items = run_stream(2, move |tx| {
            let outcome = (0..).try_for_each(|i: u64| {
                tx.send(i)?;
                sent_in_job.fetch_add(1, Ordering::SeqCst);
                Ok::<_, cxx_qt_async::engine::Cancelled>(())
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
