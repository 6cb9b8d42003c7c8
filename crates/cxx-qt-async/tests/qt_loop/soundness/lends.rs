//! No second `&mut`: `with` lends only an object that no other `&mut` can reach.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cxx_qt::CxxQtType as _;
use cxx_qt_async::engine::{sleep, spawn_local, Scope, TaskError};
use cxx_qt_async::{LendRefused, QObjectBox, QObjectRef, QObjectSpawn};
use cxx_qt_async_examples::probe::qobject::{new_probe, Probe};

use super::harness::{expect, qml_probe, Outcome};

/// `out` is the refusal of a coroutine that broke the rule `rule` says.
pub fn refused_with<T: std::fmt::Debug>(out: &Result<T, TaskError>, rule: &str) -> Outcome {
    match out {
        Err(TaskError::Refused { rule: why, .. }) if why.contains(rule) => Ok(()),
        other => Err(format!(
            "expected the coroutine to end refused ({rule:?}), got {other:?}"
        )),
    }
}

/// The probe's value, read by a coroutine of its own.
pub async fn value_of(probe: &QObjectRef<Probe>) -> Result<i32, String> {
    match probe
        .spawn_local(|this| async move { this.with(|o| *o.value()) })
        .await
    {
        Ok(Ok(value)) => Ok(value),
        other => Err(format!("could not read the probe: {other:?}")),
    }
}

/// A coroutine holds a bare `UniquePtr`'s `pin_mut()` across an `.await` while the object's
/// own coroutine asks for a lend: refused, so the holder's `&mut` stays the only one.
pub async fn a_rust_made_object_behind_a_bare_unique_ptr_is_never_lent() -> Outcome {
    let probe = Rc::new(RefCell::new(new_probe()));
    let p = Rc::clone(&probe);
    // The misuse itself: a borrow held across the await.
    #[allow(clippy::await_holding_refcell_ref)]
    let holder = spawn_local(async move {
        let mut owner = p.borrow_mut();
        let held = owner.pin_mut();
        let before = *held.value();
        sleep(Duration::from_millis(30)).await;
        (before, *held.value())
    });
    let lend = probe.borrow_mut().pin_mut().spawn_local(|this| async move {
        sleep(Duration::from_millis(10)).await;
        this.with(|o| o.set_value(5))
    });
    let lent = lend.await;
    let (before, after) = holder.await.map_err(|e| format!("the holder: {e}"))?;
    expect(
        before == after,
        format!("the value changed under a live Pin<&mut>: {before} -> {after}"),
    )?;
    refused_with(&lent, &LendRefused::RustOwned.to_string())
}

/// The object's own coroutine reaches its owner (a bare `UniquePtr` in an `Rc`) and holds its
/// `pin_mut()` while it asks for a lend: refused.
pub async fn an_owner_reached_through_an_rc_is_not_lent_beside_its_pin_mut() -> Outcome {
    let owner = Rc::new(RefCell::new(new_probe()));
    let reach = Rc::clone(&owner);
    let went_on = Rc::new(RefCell::new(None));
    let seen = Rc::clone(&went_on);
    let task = owner
        .borrow_mut()
        .pin_mut()
        .spawn_local(move |this| async move {
            let mut guard = reach.borrow_mut();
            let held = guard.pin_mut();
            let lent = this.with(|o| o.set_value(7));
            *seen.borrow_mut() = Some((lent, *held.value()));
        });
    let out = task.await;
    let went_on = went_on.borrow_mut().take();
    expect(
        went_on == Some((Err(LendRefused::RustOwned), 0)),
        format!("what the coroutine saw: {went_on:?}"),
    )?;
    refused_with(&out, "owned by a bare UniquePtr")
}

/// A `&Scope` into the object's backing struct is held across an `.await` while the object's
/// coroutine would replace that field through a lend (a use-after-free read, once): refused.
pub async fn a_field_borrowed_across_an_await_is_never_replaced_by_a_lend() -> Outcome {
    let probe = Rc::new(RefCell::new(new_probe()));
    let p = Rc::clone(&probe);
    // The misuse itself: a borrow held across the await.
    #[allow(clippy::await_holding_refcell_ref)]
    let reader = spawn_local(async move {
        let owner = p.borrow();
        let scope: &Scope = &owner.as_ref().expect("a probe").rust().legacy;
        let before = scope.id();
        sleep(Duration::from_millis(30)).await;
        (before, scope.id())
    });
    let lend = probe.borrow_mut().pin_mut().spawn_local(|this| async move {
        sleep(Duration::from_millis(10)).await;
        this.with(|mut o| o.as_mut().rust_mut().legacy = Scope::default())
    });
    let lent = lend.await;
    let (before, after) = reader.await.map_err(|e| format!("the reader: {e}"))?;
    expect(
        before == after,
        format!("the borrowed field was replaced under it: {before:?} -> {after:?}"),
    )?;
    refused_with(&lent, "owned by a bare UniquePtr")
}

/// An object made by QML is lent to its own coroutines.
pub async fn an_object_qml_made_is_lent_to_its_own_coroutines() -> Outcome {
    let probe = qml_probe().await?;
    let out = probe
        .spawn_local(|this| async move {
            this.with(|o| o.set_value(42))?;
            this.with(|o| *o.value())
        })
        .await;
    expect(matches!(out, Ok(Ok(42))), format!("{out:?}"))
}

/// An object a `QObjectBox` owns is lent to its own coroutines.
pub async fn a_boxed_object_is_lent_to_its_own_coroutines() -> Outcome {
    let boxed = QObjectBox::new(new_probe());
    let out = boxed
        .spawn_local(|this| async move {
            this.with(|o| o.set_value(43))?;
            this.with(|o| *o.value())
        })
        .await;
    expect(matches!(out, Ok(Ok(43))), format!("{out:?}"))
}

/// A handle kept outside its object's coroutines is refused there (here: in a free coroutine,
/// where an invokable of the object could as well hold its `Pin<&mut>`).
pub async fn a_handle_that_escaped_its_coroutine_is_refused_outside_them() -> Outcome {
    let probe = qml_probe().await?;
    let escaped = probe.clone();
    let out = spawn_local(async move { escaped.with(|o| o.set_value(1)) }).await;
    refused_with(&out, "only to its own coroutines")?;
    let value = value_of(&probe).await?;
    expect(value == 0, format!("the object was touched: {value}"))
}

/// Another object's coroutine is refused a lend of the first object.
pub async fn another_objects_coroutine_is_refused() -> Outcome {
    let (first, second) = (qml_probe().await?, qml_probe().await?);
    let other = first.clone();
    let out = second
        .spawn_local(move |_| async move { other.with(|o| o.set_value(7)) })
        .await;
    refused_with(&out, "only to its own coroutines")?;
    let value = value_of(&first).await?;
    expect(value == 0, format!("the first object was touched: {value}"))
}

/// A `with` inside a `with` of the same object is refused (the inner one), and the coroutine
/// ends.
pub async fn a_with_inside_a_with_of_the_same_object_is_refused() -> Outcome {
    let probe = qml_probe().await?;
    let inner = Rc::new(RefCell::new(None));
    let seen = Rc::clone(&inner);
    let out = probe
        .spawn_local(move |this| async move {
            let again = this.clone();
            let outer = this.with(|_| {
                *seen.borrow_mut() = Some(again.with(|o| o.set_value(3)));
            });
            outer.map(|()| "went on")
        })
        .await;
    let inner = inner.borrow_mut().take();
    expect(
        inner == Some(Err(LendRefused::AlreadyLent)),
        format!("the inner with: {inner:?}"),
    )?;
    refused_with(&out, "inside another `with`")?;
    let value = value_of(&probe).await?;
    expect(value == 0, format!("the object was touched: {value}"))
}
