//! Destruction: no lend once an object's destruction has begun, whatever its connections; its
//! coroutines end with it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use cxx_qt::CxxQtType as _;
use cxx_qt_async::engine::{sleep, spawn_local, TaskError};
use cxx_qt_async::{LendRefused, QObjectBox, QObjectRef, QtRuntime};
use cxx_qt_async_examples::probe::disconnect_everything;
use cxx_qt_async_examples::probe::qobject::{new_probe, Probe};
use cxx_qt_lib::{QCoreApplication, QString};

use super::harness::{expect, qml_probe, until, Outcome, ENGINES};

/// A coroutine destroys its own (boxed) object outside `with`; the backing struct's `Drop`
/// then asks for a lend of the object whose fields are going: refused (it was lent, and read a
/// dropped `QString`, before).
pub async fn a_lend_is_refused_from_the_backing_structs_drop() -> Outcome {
    let boxed = Rc::new(RefCell::new(Some(QObjectBox::new(new_probe()))));
    let handle = boxed.borrow().as_ref().expect("a box").handle();
    let owner = Rc::clone(&boxed);
    let saw: Rc<RefCell<Option<Result<usize, LendRefused>>>> = Rc::default();
    let seen = Rc::clone(&saw);
    let task = handle.spawn_local(move |this| async move {
        this.with(|mut o| {
            o.as_mut().set_text(QString::from(
                "a text long enough to live on the heap, 67 bytes",
            ));
            let kept = this.clone();
            o.as_mut().rust_mut().on_drop = Some(Box::new(move || {
                // Runs while the C++ destructor drops the backing struct.
                *seen.borrow_mut() = Some(kept.with(|o| o.text().to_string().len()));
            }));
        })?;
        sleep(Duration::from_millis(5)).await;
        drop(owner.borrow_mut().take()); // destroys its own object, outside `with`
        Ok::<_, LendRefused>(())
    });
    let out = task.await;
    let saw = saw.borrow_mut().take();
    expect(
        saw == Some(Err(LendRefused::Destroyed)),
        format!("the Drop's lend: {saw:?}"),
    )?;
    expect(
        matches!(out, Err(TaskError::Refused { .. } | TaskError::Cancelled)),
        format!("the coroutine that broke the rule: {out:?}"),
    )?;
    expect(!handle.is_alive(), "the handle sees the object gone")
}

/// C++ disconnects every signal of an object (the library's watch of its `destroyed` too) and
/// the object is deleted: its parked coroutine, woken later, is refused the freed object, and a
/// new object at the same address is an object of its own.
pub async fn a_lend_is_refused_after_cpp_disconnected_everything() -> Outcome {
    let boxed = QObjectBox::new(new_probe());
    let saw: Rc<RefCell<Option<Result<i32, LendRefused>>>> = Rc::default();
    let seen = Rc::clone(&saw);
    let parked = boxed.spawn_local(move |this| async move {
        this.with(disconnect_everything)?;
        sleep(Duration::from_millis(30)).await; // meanwhile the object is deleted
        *seen.borrow_mut() = Some(this.with(|o| *o.value()));
        Ok::<_, LendRefused>(())
    });
    sleep(Duration::from_millis(5)).await;
    drop(boxed); // deleted; its `destroyed` reaches nobody
    let out = parked.await;
    let saw = saw.borrow_mut().take();
    let again = QObjectBox::new(new_probe()); // often at the same address
    let fresh = again
        .spawn_local(|this| async move {
            this.with(|o| o.set_value(9))?;
            this.with(|o| *o.value())
        })
        .await;
    expect(
        saw == Some(Err(LendRefused::Destroyed)),
        format!("the woken coroutine's lend: {saw:?}"),
    )?;
    expect(
        matches!(out, Err(TaskError::Refused { .. })),
        format!("the woken coroutine: {out:?}"),
    )?;
    expect(
        matches!(fresh, Ok(Ok(9))),
        format!("the new object's own coroutine: {fresh:?}"),
    )
}

/// Destroying the C++ object ends its coroutines (dropped at their await, never resumed),
/// whatever happened to the fields of its backing struct (an old-style scope taken away).
pub async fn the_cxx_objects_destruction_ends_its_coroutines_whatever_its_rust_fields_do() -> Outcome
{
    let boxed = QObjectBox::new(new_probe());
    let dropped = Rc::new(Cell::new(false));
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let flag = Flag(Rc::clone(&dropped));
    let resumed = Rc::new(Cell::new(false));
    let resumed_in = Rc::clone(&resumed);
    let parked = boxed.spawn_local(move |this| async move {
        let _flag = flag;
        sleep(Duration::from_secs(3600)).await;
        resumed_in.set(true);
        this.with(|o| o.set_value(9))
    });
    // What a Rust caller can do to the object's fields: move its (old-style) scope away and
    // keep it alive elsewhere. Before, liveness lived in that field.
    let taken = boxed
        .spawn_local(|this| async move {
            this.with(|mut o| std::mem::take(&mut o.as_mut().rust_mut().legacy))
        })
        .await;
    let kept: QObjectRef<Probe> = boxed.handle();
    drop(boxed); // the C++ object goes
    let out = parked.await;
    expect(
        out == Err(TaskError::Cancelled),
        format!("its handle says {out:?}"),
    )?;
    expect(dropped.get(), "its coroutine was dropped")?;
    expect(!resumed.get(), "it never ran past its await")?;
    expect(!kept.is_alive(), "a kept handle sees the object gone")?;
    let late = kept
        .spawn_local(|this| async move { this.with(|o| o.set_value(1)) })
        .await;
    expect(
        matches!(late, Err(TaskError::Refused { .. })),
        format!("a spawn on the destroyed object: {late:?}"),
    )?;
    drop(taken);
    Ok(())
}

/// A coroutine drops its object's `QObjectBox` from inside `with` (the box reached through an
/// `Rc`): the object stays whole under the lend, and the event loop deletes it after.
pub async fn a_box_dropped_inside_a_lend_is_deleted_by_the_event_loop_after_it() -> Outcome {
    let boxed = Rc::new(RefCell::new(Some(QObjectBox::new(new_probe()))));
    let handle = boxed.borrow().as_ref().expect("a box").handle();
    let owner = Rc::clone(&boxed);
    let out = handle
        .spawn_local(move |this| async move {
            this.with(|mut o| {
                drop(owner.borrow_mut().take()); // the box goes while its object is lent
                o.as_mut().set_value(11); // still whole
                *o.value()
            })
        })
        .await;
    expect(matches!(out, Ok(Ok(11))), format!("{out:?}"))?;
    until(|| !handle.is_alive()).await?;
    Ok(())
}

/// The child of the "destroyed while lent" claim: a QML-made probe whose `poked` handler drops
/// the QML engine (which deletes the probe synchronously), emitted inside `with`.
pub fn an_object_destroyed_while_lent() {
    let mut app = QCoreApplication::new();
    let runtime = QtRuntime::install();
    spawn_local(async {
        let probe = qml_probe().await.expect("a QML-made probe");
        probe
            .spawn_local(|this| async move {
                let _ = this.with(|mut o| {
                    let _connection = o.as_mut().on_poked(|_| {
                        // Synchronous: the engine deletes its objects, this probe among them,
                        // inside the emission, inside `with`.
                        ENGINES.with(|e| e.borrow_mut().clear());
                    });
                    o.as_mut().poked();
                    // Had the process gone on, this would read freed memory (AddressSanitizer
                    // reports it as a heap-use-after-free).
                    let value = *o.value();
                    eprintln!(
                        "UNSOUND: the closure ran on after its object was destroyed ({value})"
                    );
                });
            })
            .detach();
    })
    .detach();
    if let Some(app) = app.as_mut() {
        app.exec();
    }
    drop(runtime);
}
