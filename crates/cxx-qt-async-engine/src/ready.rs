//! The ready queues of one runtime: the coroutines that were woken and wait for a drain.
//!
//! Waking a coroutine, from any thread, queues its `Runnable`: on the GUI thread itself into a
//! thread-local `VecDeque` (no atomics), from any other thread into a lock-free queue. The first
//! queueing after a drain also calls [`LoopWaker::wake`]; every later one sees the latch armed
//! and posts nothing (one loop wake per batch). A drain pops from both queues in turn, and at its
//! end disarms the latch and looks again, so a wake that raced with the end is never lost.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use async_task::Runnable;
use crossbeam_queue::SegQueue;

use super::latch::WakeLatch;
use super::waker::LoopWaker;

/// The part of a runtime that other threads touch: the remote ready queue, the latch and the
/// loop waker. Runnables scheduled on the owner (GUI) thread go to its `LOCAL` queue instead.
pub(crate) struct ReadyQueue {
    remote: SegQueue<Runnable>,
    latch: WakeLatch,
    closed: AtomicBool,
    loop_waker: Arc<dyn LoopWaker>,
    wakes: AtomicU64,
}

thread_local! {
    /// Runnables scheduled on this (GUI) thread: spawns and local wakes.
    static LOCAL: RefCell<VecDeque<Runnable>> = const { RefCell::new(VecDeque::new()) };
    /// The address of the `ReadyQueue` of this thread's runtime (0: none).
    static OWNER: Cell<usize> = const { Cell::new(0) };
}

impl Drop for ReadyQueue {
    fn drop(&mut self) {
        // This may run on any thread (the last waker can be dropped anywhere): a runnable still
        // queued here may own a `!Send` future, so it is leaked, never dropped off its thread.
        while let Some(runnable) = self.remote.pop() {
            std::mem::forget(runnable);
        }
    }
}

impl ReadyQueue {
    pub(crate) fn new(loop_waker: Arc<dyn LoopWaker>) -> Self {
        Self {
            remote: SegQueue::new(),
            latch: WakeLatch::default(),
            closed: AtomicBool::new(false),
            loop_waker,
            wakes: AtomicU64::new(0),
        }
    }

    /// Makes the calling thread the owner of this queue (the runtime's installation), or no
    /// thread's (`None`, at the very end of its shutdown).
    pub(crate) fn set_owner(queue: Option<&Arc<Self>>) {
        let address = queue.map_or(0, |q| Arc::as_ptr(q) as usize);
        let _ = OWNER.try_with(|o| o.set(address));
    }

    /// `true` on the thread that owns this queue.
    pub(crate) fn on_owner(&self) -> bool {
        OWNER
            .try_with(|o| o.get() == self as *const Self as usize)
            .unwrap_or(false)
    }

    /// Queues a runnable; posts one loop wake per batch. After [`close`](Self::close) (the
    /// runtime shuts down), it is queued without a loop wake: the shutdown runs it (which drops
    /// its coroutine's future, on the owner thread). After the shutdown (no owner thread any
    /// more) it is queued in the remote queue, which nobody drains: never run or dropped off
    /// its thread (it cannot happen: the shutdown ended every coroutine).
    pub(crate) fn schedule(&self, runnable: Runnable) {
        let on_owner = self.on_owner();
        if on_owner {
            LOCAL.with(|q| q.borrow_mut().push_back(runnable));
        } else {
            self.remote.push(runnable);
        }
        if !self.closed.load(Ordering::Acquire) {
            self.arm();
        }
    }

    /// The next runnable, from the remote queue first when `remote_first`, else the local one.
    pub(crate) fn pop(&self, remote_first: bool) -> Option<Runnable> {
        let local = || LOCAL.with(|q| q.borrow_mut().pop_front());
        if remote_first {
            self.remote.pop().or_else(local)
        } else {
            local().or_else(|| self.remote.pop())
        }
    }

    /// `true` when either queue holds a runnable (on the owner thread).
    pub(crate) fn has_ready(&self) -> bool {
        !self.remote.is_empty() || LOCAL.with(|q| !q.borrow().is_empty())
    }

    /// Posts a loop wake unless one is already pending.
    pub(crate) fn arm(&self) {
        if self.latch.arm() {
            self.wakes.fetch_add(1, Ordering::Relaxed);
            self.loop_waker.wake();
        }
    }

    /// At the end of a drain that emptied the queues: disarm, then look again (a wake that raced
    /// with the end of the drain is not lost).
    pub(crate) fn disarm_and_recheck(&self) {
        self.latch.disarm();
        if self.has_ready() {
            self.arm();
        }
    }

    /// At the end of a drain that spent its budget with work left: the latch stays armed (wakes
    /// keep coalescing) and the loop is asked for the next drain behind its other due work.
    pub(crate) fn wake_after_budget(&self) {
        self.wakes.fetch_add(1, Ordering::Relaxed);
        self.loop_waker.wake_after_budget();
    }

    /// After a drain that unwound: the latch may still be armed with work queued, which would
    /// coalesce every later wake into nothing. Start over with a fresh wake.
    pub(crate) fn rearm(&self) {
        self.latch.disarm();
        self.arm();
    }

    /// Asks the loop for a drain at `deadline` (the earliest timer), on the owner thread.
    pub(crate) fn wake_at(&self, deadline: std::time::Instant) {
        self.loop_waker.wake_at(deadline);
    }

    /// How many loop wakes this queue asked for.
    pub(crate) fn wakes(&self) -> u64 {
        self.wakes.load(Ordering::Relaxed)
    }

    /// The runtime shuts down: a woken coroutine is queued without asking the loop for a drain.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
}
