//! The drain: what the event loop runs when the engine asks it to (see
//! [`LoopWaker`](crate::integration::LoopWaker)).
//!
//! A drain fires the timers that are due, then runs ready coroutines, alternating between the
//! remote queue (wakes from workers) and the local one (spawns and wakes on the GUI thread), until
//! both are empty or its time budget is spent. It reads the clock once after each run: that one
//! reading checks the budget, times the poll for the slow-poll recorder and is the clock a first
//! poll stamps its coroutine's start with. Out of budget, it asks the loop for the next drain
//! behind the loop's other due work (timers, input, painting); otherwise it disarms the wake
//! latch, looks again, and asks the loop for a drain at the next timer's deadline.

use std::panic::{self, AssertUnwindSafe};
use std::thread;
use std::time::Instant;

use super::context::{bump, with_local, Local};
use super::panic::CaptureScope;
use super::ready::ReadyQueue;
use super::rules::GUI_THREAD_RULE;
use super::{clock, coop, slow_poll, tasks};

/// Runs ready coroutines of this thread's runtime for at most the drain budget.
///
/// Reached only through a [`Drainer`](crate::integration::Drainer), which only the code that
/// installed the runtime holds: user code (a QObject's method, a coroutine) cannot run a drain
/// while it holds an object that coroutines may borrow.
///
/// # Panics
///
/// On a thread without a runtime (the message names the rule), or when called re-entrantly
/// from inside a coroutine.
pub(crate) fn run() {
    with_local("drain()", |local| {
        assert!(
            !local.draining.replace(true),
            "drain() called from inside a coroutine. {GUI_THREAD_RULE}; drains never nest"
        );
        // Reset even if the drain unwinds (a foreign waker that panics when a timer fires):
        // a flag left set would stop timers from asking the loop for a drain, for good.
        let _draining = DrainingGuard(local);
        let _capture = CaptureScope::enter();
        // One atomic load: our panic hook is still in front (a later one may have replaced it).
        super::panic::install_hook();
        let started = Instant::now();
        let deadline = clock::saturating_add(started, local.budget);
        let slow = slow_poll::threshold();
        let mut polls = 0u64;
        let mut out_of_budget = false;
        let mut remote_first = false;
        // Coroutines may await tokio-based futures directly: they find the runtime's context.
        #[cfg(feature = "tokio")]
        let _tokio = local.tokio.handle().enter();
        local.timers.fire_due(clock::now());
        let mut last = started;
        let mut slow_at = clock::saturating_add(started, slow);
        tasks::set_clock(last);
        loop {
            // Alternate between the queues, so neither a flood of completions (remote) nor a
            // burst of spawns (local) keeps the other waiting.
            remote_first = !remote_first;
            let Some(runnable) = local.ready.pop(remote_first) else {
                break;
            };
            coop::reset();
            tasks::clear_last_polled();
            // Coroutines catch their own panics; this only guards the executor's invariants.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
            polls += 1;
            let now = Instant::now();
            if now >= slow_at {
                slow_poll::record(now - last);
            }
            last = now;
            slow_at = clock::saturating_add(now, slow);
            tasks::set_clock(now);
            if now >= deadline {
                out_of_budget = true;
                break;
            }
        }
        tasks::clear_last_polled();
        if out_of_budget {
            // Still armed: wakes keep coalescing until the loop comes back after its other work.
            local.timers.forget_request(); // the Qt layer reuses one timer for both requests
            local.ready.wake_after_budget();
        } else {
            local.ready.disarm_and_recheck();
            local.ask_for_timers();
        }
        let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        bump(|s| {
            s.longest_drain_us = s.longest_drain_us.max(took);
            s.drains += 1;
            s.polls += polls;
            s.budget_yields += u64::from(out_of_budget);
        });
    })
}

/// Runs every queued runnable of a runtime that shuts down (each one drops its coroutine's
/// future: see `task`), until the queues are empty; returns how many ran.
pub(crate) fn run_for_shutdown(ready: &ReadyQueue) -> usize {
    let _capture = CaptureScope::enter();
    let mut ran = 0;
    while let Some(runnable) = ready.pop(true) {
        tasks::clear_last_polled();
        let _ = panic::catch_unwind(AssertUnwindSafe(|| runnable.run()));
        ran += 1;
    }
    tasks::clear_last_polled();
    ran
}

/// Ends a drain: lifts the cooperative budget and clears the `draining` flag, also on unwind.
struct DrainingGuard<'a>(&'a Local);

impl Drop for DrainingGuard<'_> {
    fn drop(&mut self) {
        coop::unlimited();
        self.0.draining.set(false);
        if thread::panicking() {
            // The drain did not reach its end: start over with a fresh wake.
            self.0.ready.rearm();
            self.0.timers.forget_request();
        }
    }
}
