//! Coroutines that belong to a QObject and use it between awaits.
//!
//! Any cxx-qt QObject can spawn coroutines ([`QObjectSpawn::spawn_local`]): the library keeps
//! them, per C++ object, in a [`Scope`] of its own, and ends them when the C++ object is
//! destroyed (its `destroyed` signal). A coroutine reaches its object through a [`QObjectRef`],
//! whose [`with`](QObjectRef::with) lends the object only when that is sound:
//!
//! * only while one of **this object's** coroutines is being polled (so never while an
//!   invokable of the object is on the stack: polls run only from the event loop's drains, and
//!   a handle that escaped its coroutine is refused anywhere else);
//! * only while the **C++ object** is alive (its own `destroyed` signal says so, whatever
//!   happened to the Rust side's fields);
//! * only **once at a time** (a `with` inside a `with` of the same object is refused);
//! * and if the object is destroyed **while lent** (a QML handler of a signal emitted inside
//!   `with` destroys it synchronously), the process stops with a message before the closure
//!   could touch freed memory.
//!
//! Each refusal is a panic naming the rule; the coroutine ends with it
//! ([`TaskError::Panicked`](crate::engine::TaskError::Panicked)), the app lives on.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::c_void;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::thread::{self, ThreadId};

use cxx_qt::casting::Upcast;
use cxx_qt::CxxQtType;

use super::runtime::ensure;
use crate::engine::integration::current_scope;
use crate::engine::{Scope, Task, GUI_THREAD_RULE};

extern "C" {
    fn cxx_qt_async_watch_object(object: *const c_void, entry: *mut c_void);
    fn cxx_qt_async_object_on_current_thread(object: *const c_void) -> bool;
}

/// What the library knows of one C++ object that runs coroutines.
struct Entry {
    /// The C++ object (as a `QObject*`), the registry's key.
    address: usize,
    /// The thread the object lives on (and the entry is used on).
    thread: ThreadId,
    /// `false` once the C++ object's `destroyed` signal came.
    alive: Cell<bool>,
    /// A [`QObjectRef::with`] lends the object right now.
    lent: Cell<bool>,
    /// The object's coroutines; dropped (so ended) when the object is destroyed.
    scope: RefCell<Option<Scope>>,
    /// The scope's id (what `with` compares with the scope being polled).
    scope_id: crate::engine::ScopeId,
}

thread_local! {
    /// This thread's objects that run coroutines, by `QObject*`.
    static OBJECTS: RefCell<HashMap<usize, Rc<Entry>>> = RefCell::new(HashMap::new());
    /// Numbers the QObjects that own coroutines, for the task list.
    static OWNER_SERIAL: Cell<u64> = const { Cell::new(1) };
}

/// Called by the object watch (src/object_watch.cpp) from the C++ object's `~QObject`: the
/// object is gone. Takes back the reference given to C++ in [`entry_for`].
#[no_mangle]
extern "C" fn cxx_qt_async_object_destroyed(entry: *mut c_void) {
    // No panic may cross into Qt: whatever goes wrong here is reported and stops the process.
    let outcome = std::panic::catch_unwind(|| {
        // SAFETY: `entry` is the pointer `Rc::into_raw` made in `entry_for`, handed to the one
        // connection of this object's `destroyed` signal, which calls this exactly once; the
        // reference it stands for was never released elsewhere.
        let entry = unsafe { Rc::from_raw(entry.cast_const().cast::<Entry>()) };
        if thread::current().id() != entry.thread {
            // The `Rc`s of the entry belong to its thread: touching them here would race.
            abort_with(
                "a QObject that runs cxx-qt-async coroutines was destroyed off its own thread; \
                 QObjects are destroyed on the thread they live on",
            );
        }
        if entry.lent.get() {
            // The closure given to `with` still holds `&mut` to the object being freed: it must
            // not run one more instruction.
            abort_with(
                "a QObject was destroyed while QObjectRef::with lent it (a handler of a signal \
                 emitted inside `with` destroyed it synchronously); destroy objects with \
                 deleteLater (QML's destroy()) instead",
            );
        }
        entry.alive.set(false);
        let _ = OBJECTS.try_with(|objects| {
            if let Ok(mut objects) = objects.try_borrow_mut() {
                objects.remove(&entry.address);
            }
        });
        // Ends the object's coroutines: they are dropped at the next drain, never polled again.
        let scope = entry.scope.borrow_mut().take();
        drop(scope);
    });
    if outcome.is_err() {
        abort_with("cxx-qt-async: panicked while ending a destroyed QObject's coroutines");
    }
}

/// Reports `why` on standard error and stops the process (from a C++ frame, where a panic may
/// not unwind).
fn abort_with(why: &str) -> ! {
    eprintln!("cxx-qt-async: {why}; stopping the process");
    std::process::abort()
}

/// The entry of `object` (a `QObject*`), made on its first coroutine.
fn entry_for(object: *const c_void, owner_name: impl FnOnce() -> String) -> Rc<Entry> {
    let address = object as usize;
    if let Some(entry) = OBJECTS.with(|o| o.borrow().get(&address).cloned()) {
        return entry;
    }
    // SAFETY: `object` is a live QObject (it came from the `Pin<&mut T>` of the caller); the
    // function only reads its thread affinity.
    let here = unsafe { cxx_qt_async_object_on_current_thread(object) };
    assert!(
        here,
        "QObjectSpawn::spawn_local called on an object that lives on another thread. {GUI_THREAD_RULE}"
    );
    let scope = Scope::with_owner(owner_name());
    let entry = Rc::new(Entry {
        address,
        thread: thread::current().id(),
        alive: Cell::new(true),
        lent: Cell::new(false),
        scope_id: scope.id(),
        scope: RefCell::new(Some(scope)),
    });
    let for_qt = Rc::into_raw(Rc::clone(&entry)).cast_mut().cast::<c_void>();
    // SAFETY: `object` is a live QObject of this thread (checked above); the connection holds
    // `for_qt`, one strong reference, until `destroyed` hands it back to
    // `cxx_qt_async_object_destroyed`.
    unsafe { cxx_qt_async_watch_object(object, for_qt) };
    OBJECTS.with(|o| o.borrow_mut().insert(address, Rc::clone(&entry)));
    entry
}

/// Starts coroutines from a QObject's `#[qinvokable]`s: the coroutine gets a [`QObjectRef`] to
/// its object, runs on the GUI thread, and ends when the C++ object is destroyed.
///
/// Implemented for every cxx-qt QObject (anything that upcasts to `QObject`); the object needs
/// no field or trait of its own for it.
///
/// # Examples
///
/// ```ignore
/// impl qobject::Greeter {
///     fn handle_click(self: Pin<&mut Self>) {
///         self.spawn_local(|this| async move {
///             let val1 = spawn_blocking(|| worker(66)).await?;
///             this.with(|o| o.set_text(QString::from(&format!("task1 returned: {val1}"))));
///             anyhow::Ok(())
///         })
///         .detach();
///     }
/// }
/// ```
pub trait QObjectSpawn: CxxQtType + Upcast<cxx_qt::QObject> + Sized + 'static {
    /// Spawns the coroutine `start(this)`, owned by this object: `start` is called, and the
    /// coroutine first runs, at the next drain (after the invokable returned, so `start` may use
    /// `this.with(..)` at once); it resumes on this thread after each await, and it is dropped,
    /// never to run again, when the C++ object is destroyed. Returns the same [`Task`] as the
    /// engine's `spawn_local` (dropping it cancels the coroutine; [`Task::detach`] leaves it to
    /// the object; a detached coroutine's error or panic goes to the
    /// [report hook](crate::engine::set_report_hook)).
    ///
    /// Installs a default [`super::QtRuntime`] on this thread if there is none.
    ///
    /// # Panics
    ///
    /// When the object lives on another thread than the caller's (a QObject's coroutines run on
    /// its own thread), naming the rule.
    #[track_caller]
    fn spawn_local<F, Fut>(self: Pin<&mut Self>, start: F) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<Self>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        let this = prepare(self);
        let entry = Rc::clone(&this.entry);
        let scope = entry.scope.borrow();
        let scope = scope
            .as_ref()
            .expect("an object being destroyed spawns nothing");
        scope.spawn_local(async move { start(this).await })
    }

    /// Like [`QObjectSpawn::spawn_local`], with a label for the [task list](crate::engine::tasks)
    /// (which otherwise shows the spawn site).
    #[track_caller]
    fn spawn_local_labeled<F, Fut>(
        self: Pin<&mut Self>,
        label: impl Into<std::borrow::Cow<'static, str>>,
        start: F,
    ) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<Self>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        let this = prepare(self);
        let entry = Rc::clone(&this.entry);
        let scope = entry.scope.borrow();
        let scope = scope
            .as_ref()
            .expect("an object being destroyed spawns nothing");
        scope.spawn_local_labeled(label, async move { start(this).await })
    }

    /// The old name of [`QObjectSpawn::spawn_local`].
    #[deprecated(since = "0.2.0", note = "renamed `spawn_local` (it returns a Task)")]
    #[track_caller]
    fn spawn<F, Fut>(self: Pin<&mut Self>, start: F) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<Self>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        self.spawn_local(start)
    }
}

impl<T> QObjectSpawn for T where T: CxxQtType + Upcast<cxx_qt::QObject> + 'static {}

/// The object's entry (its owner named after the type, e.g. `AsyncJob #3`) and a handle to it.
fn prepare<T>(object: Pin<&mut T>) -> QObjectRef<T>
where
    T: CxxQtType + Upcast<cxx_qt::QObject> + 'static,
{
    ensure();
    let ptr = NonNull::from(object.as_ref().get_ref());
    // SAFETY: `ptr` points to a live `T` (it came from the `Pin<&mut T>` we hold), and cxx-qt's
    // `upcast_ptr` is a `static_cast` to its `QObject` base, which a live object has.
    let qobject = unsafe { T::upcast_ptr(ptr.as_ptr()) }.cast::<c_void>();
    let entry = entry_for(qobject, || {
        let type_name = std::any::type_name::<T>();
        let short = type_name.rsplit("::").next().unwrap_or(type_name);
        let serial = OWNER_SERIAL.with(|n| n.replace(n.get() + 1));
        format!("{short} #{serial}")
    });
    QObjectRef { ptr, entry }
}

/// A coroutine's handle to the QObject that spawned it.
///
/// [`QObjectRef::with`] lends the object as `Pin<&mut T>` for a synchronous closure, so no borrow
/// can be held across an `.await`. The handle is `!Send`: it never leaves the GUI thread.
///
/// `with` lends the object only when that is sound:
///
/// * only while one of **this object's** coroutines is being polled (so never while an
///   invokable of the object is on the stack: polls run only from the event loop's drains, and
///   a handle that escaped its coroutine is refused anywhere else);
/// * only while the **C++ object** is alive (its own `destroyed` signal says so, whatever
///   happened to the Rust side's fields);
/// * only **once at a time** (a `with` inside a `with` of the same object is refused);
/// * and if the object is destroyed **while lent** (a QML handler of a signal emitted inside
///   `with` destroys it synchronously), the process stops with a message before the closure
///   could touch freed memory.
///
/// Each refusal is a panic naming the rule; the coroutine ends with it
/// ([`TaskError::Panicked`](crate::engine::TaskError::Panicked)), the app lives on.
///
/// ```compile_fail,E0277
/// // A QObjectRef stays on its object's thread.
/// fn assert_send<T: Send>(_: T) {}
/// fn check<T>(handle: cxx_qt_async::QObjectRef<T>) {
///     assert_send(handle);
/// }
/// ```
pub struct QObjectRef<T> {
    ptr: NonNull<T>,
    entry: Rc<Entry>,
}

impl<T> Clone for QObjectRef<T> {
    fn clone(&self) -> Self {
        Self {
            ptr: self.ptr,
            entry: Rc::clone(&self.entry),
        }
    }
}

impl<T> std::fmt::Debug for QObjectRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QObjectRef")
            .field("alive", &self.entry.alive.get())
            .finish()
    }
}

/// Ends a lend, also on unwind.
struct Lend<'a>(&'a Entry);

impl Drop for Lend<'_> {
    fn drop(&mut self) {
        self.0.lent.set(false);
    }
}

impl<T> QObjectRef<T> {
    /// `false` once the C++ object was destroyed. (A coroutine of the object never sees this:
    /// it is dropped first. A handle kept elsewhere might.)
    pub fn is_alive(&self) -> bool {
        self.entry.alive.get()
    }

    /// Runs `f` with the object: read or set properties, emit signals.
    ///
    /// # Panics
    ///
    /// With a message naming the rule, instead of lending the object: outside a poll of one of
    /// this object's own coroutines (a handle that escaped into another coroutine, a field, a
    /// thread-local, an invokable), after the object was destroyed, or inside another `with`
    /// of the same object. If the object is destroyed while `f` runs, the process stops with a
    /// message (see [`QObjectRef`]).
    pub fn with<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> R {
        let entry = &*self.entry;
        assert!(
            current_scope() == Some(entry.scope_id),
            "cxx-qt-async rule: QObjectRef::with lends the object only to its own coroutines, \
             while one of them runs (never from an invokable, another object's coroutine, or a \
             handle kept elsewhere)"
        );
        assert!(
            entry.alive.get(),
            "cxx-qt-async rule: QObjectRef::with called after the object was destroyed"
        );
        assert!(
            !entry.lent.replace(true),
            "cxx-qt-async rule: QObjectRef::with called inside another `with` on the same object: \
             the object is lent once at a time"
        );
        let _lend = Lend(entry);
        // SAFETY: the invariants that make this `&mut T` valid and unique, and who keeps each:
        // * Non-null, aligned, pinned: the pointer came from a `Pin<&mut T>` of a QObject
        //   (`prepare`), which cxx-qt never moves.
        // * Alive: `alive` is cleared by the C++ object's own `destroyed` signal (the object
        //   watch, connected when its first coroutine was spawned), before its memory is freed;
        //   it was set just above. Nothing a Rust caller does to the object's fields changes it.
        //   Should the object be destroyed while `f` runs, that signal sees `lent` and stops the
        //   process before `f` can run another instruction.
        // * On this thread: `QObjectRef` is `!Send` (it holds an `Rc`), and the object was
        //   checked to live on the thread that made the handle.
        // * Not aliased by another lend: `lent` refuses a second one until `_lend` drops, and
        //   the borrow cannot outlive `f`.
        // * Not aliased by an invokable of `T` on the stack: the scope check above admits only
        //   a poll of this object's own coroutine, polls run only in drains, and only the Qt
        //   event loop runs drains (the runtime's `Drainer` never leaves `QtRuntime`;
        //   `QObjectSpawn::spawn_local` refuses a runtime that is not a `QtRuntime`), never
        //   inside an invokable: `spawn_local` runs `start` at the first poll, not inside the
        //   invokable that called it. What cxx-qt itself shares is out of reach: an invokable
        //   that runs a nested event loop (`exec`, `processEvents`) lets Qt run a drain inside
        //   it, and a signal emitted inside `f` whose QML handler calls an invokable of this
        //   object makes cxx-qt hand that invokable a second `Pin<&mut T>` (as it would inside
        //   any invokable); the README states both rules.
        let object = unsafe { Pin::new_unchecked(&mut *self.ptr.as_ptr()) };
        f(object)
    }
}

/// Implemented by a QObject's backing struct that owned a [`Scope`]: no longer needed, since
/// every cxx-qt QObject can spawn coroutines ([`QObjectSpawn`]) and the library keeps them and
/// ends them with the C++ object. Kept one release so existing implementations compile.
///
/// # Safety
///
/// Nothing relies on it any more; it used to promise that `coroutines` is a field of `Self`.
#[deprecated(
    since = "0.2.0",
    note = "not needed: any QObject can spawn coroutines; remove the impl and the Scope field"
)]
pub unsafe trait OwnsCoroutines {
    /// The scope the object used to own its coroutines with.
    fn coroutines(&self) -> &Scope;
}
