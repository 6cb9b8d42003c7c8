//! Owned coroutines, headless: a scope's coroutines die with it, and their failures are
//! reported with where they were spawned.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{mpsc, Mutex};

use anyhow::anyhow;
use cxx_qt_async_engine::{set_report_hook, spawn_blocking, stats, testing::FakeLoop, Scope};

static REPORTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn install_report_recorder() {
    set_report_hook(|report| REPORTS.lock().unwrap().push(report.to_string()));
}

fn reported(needle: &str) -> bool {
    REPORTS.lock().unwrap().iter().any(|r| r.contains(needle))
}

struct DropCounter(Rc<Cell<u32>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn owner_destroyed_while_suspended_drops_the_coroutine_without_resuming_it() {
    let fake = FakeLoop::new();
    let scope = Scope::new();
    let (release, blocked) = mpsc::channel::<()>();
    let (polled, resumed, dropped) = (
        Rc::new(Cell::new(0)),
        Rc::new(Cell::new(0)),
        Rc::new(Cell::new(0)),
    );
    let (p, r, d) = (polled.clone(), resumed.clone(), dropped.clone());
    scope
        .spawn_local(async move {
            let _guard = DropCounter(d);
            p.set(p.get() + 1);
            spawn_blocking(move || blocked.recv().unwrap()).await?;
            r.set(r.get() + 1); // would touch the (destroyed) owner
            anyhow::Ok(())
        })
        .detach();
    fake.run_until(|| polled.get() == 1).unwrap();
    drop(scope); // the owner goes away while its coroutine waits for the job
    release.send(()).unwrap(); // the job finishes anyway
    fake.run_until(|| dropped.get() == 1).unwrap();
    // Give a resumption every chance to happen: one more full job round trip.
    fake.block_on(spawn_blocking(|| ())).unwrap();
    assert_eq!(resumed.get(), 0, "the coroutine never ran past its await");
    assert_eq!(polled.get(), 1);
}

#[test]
fn finished_coroutines_leave_their_scope() {
    let fake = FakeLoop::new();
    let scope = Scope::new();
    for _ in 0..3 {
        scope
            .spawn_local(async {
                spawn_blocking(|| ()).await?;
                anyhow::Ok(())
            })
            .detach();
    }
    assert_eq!(scope.len(), 3);
    fake.run_until(|| scope.is_empty()).unwrap();
    assert_eq!(stats().live_coroutines, 0);
}

#[test]
fn failed_owned_coroutine_is_reported_with_its_spawn_site_and_chain() {
    install_report_recorder();
    let fake = FakeLoop::new();
    let scope = Scope::new();
    let failing = async { anyhow::Result::<()>::Err(anyhow!("inner cause").context("outer step")) };
    let line = line!() + 1; // the next line is the call site
    scope.spawn_local(failing).detach();
    let site = format!("coroutine spawned at {}:{line}:", file!());
    fake.run_until(|| reported(&site)).unwrap();
    assert!(
        reported("failed: outer step: inner cause"),
        "{:?}",
        REPORTS.lock().unwrap()
    );
}

#[test]
fn panicking_owned_coroutine_is_reported_and_its_siblings_carry_on() {
    install_report_recorder();
    let fake = FakeLoop::new();
    let scope = Scope::new();
    let done = Rc::new(Cell::new(false));
    scope
        .spawn_local(async { panic!("owned coroutine blew up") })
        .detach();
    let d = done.clone();
    scope
        .spawn_local(async move {
            spawn_blocking(|| ()).await?;
            d.set(true);
            anyhow::Ok(())
        })
        .detach();
    fake.run_until(|| done.get() && reported("panicked: owned coroutine blew up"))
        .unwrap();
    assert!(scope.is_empty());
}
