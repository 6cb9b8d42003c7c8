//! Shutdown ends everything: dropping the runtime drops every live coroutine on the GUI thread
//! (held handles, scopes that outlive it, parked on a timer or on a waker held elsewhere) and
//! runs its destructors there; what those destructors ask for meanwhile (a spawn, a runtime) is
//! refused; dropping the runtime where it may not be is refused without a panic.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, ThreadId};
use std::time::Duration;

use cxx_qt_async_engine::integration::is_shutting_down;
use cxx_qt_async_engine::{
    has_runtime, sleep, spawn_blocking, spawn_local, testing::FakeLoop, Runtime, Scope, Task,
    TaskError,
};

use crate::child::in_child;

/// Counts its drops, and those on the thread that made it.
#[derive(Clone)]
struct Drops {
    all: Arc<AtomicUsize>,
    on_maker: Arc<AtomicUsize>,
}

impl Drops {
    fn new() -> Self {
        Self {
            all: Arc::default(),
            on_maker: Arc::default(),
        }
    }

    fn guard(&self) -> DropGuard {
        DropGuard(self.clone(), thread::current().id())
    }

    /// (drops, of which on the maker's thread)
    fn counts(&self) -> (usize, usize) {
        (
            self.all.load(Ordering::SeqCst),
            self.on_maker.load(Ordering::SeqCst),
        )
    }
}

struct DropGuard(Drops, ThreadId);

impl Drop for DropGuard {
    fn drop(&mut self) {
        if thread::current().id() == self.1 {
            self.0.on_maker.fetch_add(1, Ordering::SeqCst);
        }
        self.0.all.fetch_add(1, Ordering::SeqCst);
    }
}

fn installed(fake: &FakeLoop) -> Runtime {
    fake.install(Runtime::builder().shutdown_wait(Duration::from_secs(5)))
}

#[test]
fn shutdown_drops_a_coroutine_whose_handle_is_held_on_the_gui_thread() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let drops = Drops::new();
    let guard = drops.guard();
    let held = spawn_local(async move {
        let _guard = guard;
        sleep(Duration::from_secs(3600)).await;
    });
    fake.turn(); // parked on its timer
    drop(runtime);
    assert_eq!(
        drops.counts(),
        (1, 1),
        "dropped by the shutdown, on this thread"
    );
    assert_eq!(fake.try_block_on(held).unwrap(), Err(TaskError::Cancelled));
}

#[test]
fn shutdown_drops_the_coroutines_of_a_scope_that_outlives_the_runtime() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let drops = Drops::new();
    let scope = Scope::new();
    let (_tx, rx) = futures::channel::oneshot::channel::<()>();
    let guard = drops.guard();
    scope
        .spawn_local(async move {
            let _guard = guard;
            let _ = rx.await;
        })
        .detach();
    fake.turn();
    drop(runtime);
    assert_eq!(
        drops.counts(),
        (1, 1),
        "dropped by the shutdown, on this thread"
    );
    assert!(scope.is_empty());
    drop(scope);
    assert_eq!(drops.counts(), (1, 1));
}

#[test]
fn shutdown_drops_a_coroutine_parked_on_a_waker_held_elsewhere() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let drops = Drops::new();
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let guard = drops.guard();
    spawn_local(async move {
        let _guard = guard;
        let _ = rx.await;
    })
    .detach();
    fake.turn(); // its waker is in the channel, which the test holds
    drop(runtime);
    assert_eq!(
        drops.counts(),
        (1, 1),
        "dropped by the shutdown, on this thread"
    );
    // The waker's holder goes later, on another thread: nothing left to drop or wake.
    thread::spawn(move || drop(tx)).join().unwrap();
    assert_eq!(drops.counts(), (1, 1));
}

#[cfg(feature = "tokio")]
#[test]
fn shutdown_drops_a_coroutine_parked_on_tokio() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let drops = Drops::new();
    let notify = Arc::new(tokio::sync::Notify::new());
    let (guard, waits) = (drops.guard(), Arc::clone(&notify));
    let held = spawn_local(async move {
        let _guard = guard;
        waits.notified().await;
    });
    fake.turn();
    drop(runtime);
    assert_eq!(
        drops.counts(),
        (1, 1),
        "dropped by the shutdown, on this thread"
    );
    notify.notify_waiters();
    assert_eq!(fake.try_block_on(held).unwrap(), Err(TaskError::Cancelled));
}

#[test]
fn shutdown_drops_a_detached_coroutine_that_kept_no_waker() {
    // Parked where nothing can wake it (a future that dropped its waker): async-task alone
    // would free its task without dropping its future, so its destructors would never run.
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let drops = Drops::new();
    let guard = drops.guard();
    spawn_local(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    })
    .detach();
    fake.turn();
    assert_eq!(drops.counts(), (0, 0), "alive while the runtime is");
    drop(runtime);
    assert_eq!(
        drops.counts(),
        (1, 1),
        "dropped by the shutdown, on this thread"
    );
}

#[test]
fn shutdown_drops_a_coroutine_that_never_ran() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let drops = Drops::new();
    let guard = drops.guard();
    let _held = spawn_local(async move {
        let _guard = guard;
    });
    drop(runtime);
    assert_eq!(drops.counts(), (1, 1));
}

#[test]
fn shutdown_drops_the_coroutines_its_destructors_wake() {
    // A destructor that cancels another coroutine (drops its handle) during the shutdown.
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let drops = Drops::new();
    let guard = drops.guard();
    let other = spawn_local(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    });
    spawn_local(async move {
        let _other = other; // dropped with this coroutine
        sleep(Duration::from_secs(3600)).await;
    })
    .detach();
    fake.turn();
    drop(runtime);
    assert_eq!(drops.counts(), (1, 1));
    assert!(!has_runtime());
}

#[test]
fn a_runtime_is_shutting_down_only_while_its_drop_ends_its_coroutines() {
    let fake = FakeLoop::new_uninstalled();
    let runtime = installed(&fake);
    let seen = Rc::new(Cell::new(None));
    /// Notes, when dropped, whether the runtime shut down and was still installed.
    struct Probe(Rc<Cell<Option<(bool, bool)>>>);
    impl Drop for Probe {
        fn drop(&mut self) {
            self.0.set(Some((is_shutting_down(), has_runtime())));
        }
    }
    let probe = Probe(Rc::clone(&seen));
    spawn_local(async move {
        let _probe = probe;
        std::future::pending::<()>().await
    })
    .detach();
    fake.turn();
    assert!(!is_shutting_down());
    drop(runtime);
    assert_eq!(
        seen.get(),
        Some((true, true)),
        "shutting down, still installed"
    );
    assert!(!is_shutting_down() && !has_runtime());
}

/// Runs `f` when dropped.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

#[test]
fn a_spawn_during_shutdown_is_refused_and_its_future_dropped_at_once() {
    in_child(
        module_path!(),
        "a_spawn_during_shutdown_is_refused_and_its_future_dropped_at_once",
        || {
            let fake = FakeLoop::new_uninstalled();
            let runtime = installed(&fake);
            let drops = Drops::new();
            let spawned: Rc<RefCell<Option<Task<()>>>> = Rc::default();
            let (slot, drops_in) = (Rc::clone(&spawned), drops.clone());
            let spawner = OnDrop(move || {
                let guard = drops_in.guard();
                let task = spawn_local(async move {
                    let _guard = guard;
                });
                assert_eq!(drops_in.counts(), (1, 1), "its future was dropped at once");
                *slot.borrow_mut() = Some(task);
            });
            spawn_local(async move {
                let _spawner = spawner;
                sleep(Duration::from_secs(3600)).await;
            })
            .detach();
            fake.turn();
            drop(runtime);
            assert_eq!(drops.counts(), (1, 1));
            let task = spawned.borrow_mut().take().expect("the destructor ran");
            match futures::executor::block_on(task) {
                Err(TaskError::Refused { rule, .. }) => {
                    assert!(rule.contains("shuts down"), "{rule}")
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        },
    );
}

#[test]
fn installing_a_runtime_during_shutdown_is_refused_and_leaves_none_behind() {
    in_child(
        module_path!(),
        "installing_a_runtime_during_shutdown_is_refused_and_leaves_none_behind",
        || {
            let fake = FakeLoop::new_uninstalled();
            let runtime = installed(&fake);
            // What an integration does when a destructor spawns on a thread it thinks has no
            // runtime: install one and keep it.
            let second: Rc<RefCell<Option<Runtime>>> = Rc::default();
            let keep = Rc::clone(&second);
            let installer = OnDrop(move || {
                let other = FakeLoop::new_uninstalled();
                *keep.borrow_mut() = Some(other.install(Runtime::builder().worker_threads(1)));
            });
            spawn_local(async move {
                let _installer = installer;
            })
            .detach(); // never polled: dropped by the shutdown
            drop(runtime);
            assert!(second.borrow().is_some(), "the destructor ran");
            assert!(!has_runtime(), "no second runtime was left installed");
            drop(second.borrow_mut().take()); // the refused one's guard: does nothing
            assert!(!has_runtime());
        },
    );
}

#[test]
fn dropping_the_runtime_while_its_coroutine_unwinds_is_refused_without_an_abort() {
    in_child(
        module_path!(),
        "dropping_the_runtime_while_its_coroutine_unwinds_is_refused_without_an_abort",
        || {
            let fake = FakeLoop::new_uninstalled();
            let runtime = installed(&fake);
            let out = fake.block_on(spawn_local(async move {
                let _runtime = runtime; // dropped during the unwind
                panic!("the coroutine that owns the runtime panics");
            }));
            assert!(
                matches!(&out, Err(TaskError::Refused { rule, .. }) if rule.contains("may not be dropped")),
                "{out:?}"
            );
            // Still installed and working: a job round trip.
            let job = fake.block_on(spawn_local(async { spawn_blocking(|| 41 + 1).await }));
            assert_eq!(job.unwrap().unwrap(), 42);
        },
    );
}

#[test]
fn dropping_the_runtime_from_a_destructor_that_runs_inside_a_drain_is_refused() {
    in_child(
        module_path!(),
        "dropping_the_runtime_from_a_destructor_that_runs_inside_a_drain_is_refused",
        || {
            let fake = FakeLoop::new_uninstalled();
            let runtime = installed(&fake);
            let owner = spawn_local(async move {
                let _runtime = runtime;
                std::future::pending::<()>().await
            });
            fake.turn();
            drop(owner); // its future (with the runtime) is dropped inside the next drain
            fake.turn();
            assert!(has_runtime(), "still installed");
            let job = fake.block_on(spawn_local(async { spawn_blocking(|| 6 * 7).await }));
            assert_eq!(job.unwrap().unwrap(), 42);
        },
    );
}
