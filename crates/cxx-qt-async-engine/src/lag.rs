//! An event-loop lag meter: how late the GUI thread delivers a periodic timer.
//!
//! A coroutine awaits an [`interval`](super::interval) and records, for each tick, how long
//! after its scheduled instant it ran. While the GUI thread is free that is a fraction of a
//! millisecond; a blocked or flooded loop shows up at once.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use futures::StreamExt;

use super::clock;
use super::task::{spawn_with, Task};
use super::tasks::Label;
use super::timer::interval;

/// Lateness figures over the meter's window, in milliseconds.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop, LagMeter};
///
/// let fake = FakeLoop::new();
/// let meter = LagMeter::start(Duration::from_millis(2), 50);
/// fake.block_on(spawn_local(sleep(Duration::from_millis(20)))).unwrap();
/// let lag = meter.snapshot();
/// let (last, p99, max) = (lag.last_ms, lag.p99_ms, lag.max_ms);
/// println!("late by {last:.1} ms (p99 {p99:.1}, max {max:.1}) over {} ticks", lag.samples);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct LagSnapshot {
    /// The latest tick's lateness.
    pub last_ms: f64,
    /// The 99th percentile (nearest rank) over the window.
    pub p99_ms: f64,
    /// The worst tick in the window.
    pub max_ms: f64,
    /// How many ticks the window holds.
    pub samples: usize,
}

/// Measures timer lateness on the GUI thread; stops when dropped.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cxx_qt_async_engine::{sleep, spawn_local, testing::FakeLoop, LagMeter};
///
/// let fake = FakeLoop::new();
/// let meter = LagMeter::start(Duration::from_millis(2), 100);
/// fake.block_on(spawn_local(sleep(Duration::from_millis(30)))).unwrap();
/// let lag = meter.snapshot();
/// assert!(lag.samples >= 5);
/// assert!(lag.max_ms >= lag.p99_ms && lag.p99_ms >= 0.0);
/// ```
#[derive(Debug)]
pub struct LagMeter {
    window: Rc<RefCell<VecDeque<f64>>>,
    peak: Rc<Cell<f64>>,
    _ticker: Task<()>,
}

impl LagMeter {
    /// Starts measuring every `period`, keeping the last `window` ticks.
    ///
    /// # Panics
    ///
    /// Off the GUI thread, or if `period` is zero.
    pub fn start(period: Duration, window: usize) -> Self {
        let samples = Rc::new(RefCell::new(VecDeque::with_capacity(window)));
        let sink = Rc::clone(&samples);
        let peak = Rc::new(Cell::new(0.0_f64));
        let peak_sink = Rc::clone(&peak);
        let ticker = spawn_with(
            async move {
                let mut ticks = interval(period);
                while let Some(scheduled) = ticks.next().await {
                    let late_ms = clock::now().duration_since(scheduled).as_secs_f64() * 1e3;
                    let mut s = sink.borrow_mut();
                    if s.len() == window.max(1) {
                        s.pop_front();
                    }
                    s.push_back(late_ms);
                    peak_sink.set(peak_sink.get().max(late_ms));
                }
            },
            Label::Text("lag meter ticks".into(), std::panic::Location::caller()),
            None,
            (),
            |_, _| {},
        );
        Self {
            window: samples,
            peak,
            _ticker: ticker,
        }
    }

    /// The worst tick since the previous call (0 when none), for a plot of lag over time.
    pub fn take_peak(&self) -> f64 {
        self.peak.replace(0.0)
    }

    /// The figures over the current window.
    pub fn snapshot(&self) -> LagSnapshot {
        let window = self.window.borrow();
        let Some(&last_ms) = window.back() else {
            return LagSnapshot::default();
        };
        let samples: Vec<f64> = window.iter().copied().collect();
        LagSnapshot {
            last_ms,
            p99_ms: percentile(&samples, 0.99),
            max_ms: percentile(&samples, 1.0),
            samples: samples.len(),
        }
    }
}

/// The nearest-rank percentile `p` (0 to 1) of `samples`: element `ceil(p * n) - 1` of them
/// sorted (clamped to the first and the last; 0 when there are none). The definition the lag
/// meter, the app's figures and the benchmarks all use, so their p99s compare.
///
/// # Examples
///
/// ```
/// use cxx_qt_async_engine::percentile;
///
/// let frames = [16.0, 17.0, 16.5, 40.0];
/// assert_eq!(percentile(&frames, 0.5), 16.5);
/// assert_eq!(percentile(&frames, 0.99), 40.0);
/// assert_eq!(percentile(&[], 0.99), 0.0);
/// ```
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
