//! Coroutines that belong to a QObject and use it between awaits.
//!
//! Any cxx-qt QObject with `impl cxx_qt::Threading` can spawn coroutines
//! ([`QObjectSpawn::spawn_local`]): the library keeps them, per C++ object, in a [`Scope`] of
//! its own, and ends them when the C++ object is destroyed. A coroutine reaches its object
//! through a [`QObjectRef`], whose [`with`](QObjectRef::with) lends the object as
//! `Pin<&mut T>` for a synchronous closure, only when no other `&mut` to it can exist:
//!
//! * only while one of **this object's** coroutines is being polled: polls run only from the
//!   event loop's drains, so no invokable, signal handler or queued closure of the object is on
//!   the stack (a handle kept elsewhere is refused);
//! * only an object **no Rust code owns**: one a QML engine made, or one in a [`QObjectBox`],
//!   which owns a Rust-made object and gives out no `Pin<&mut T>`. A `UniquePtr<T>`'s
//!   `pin_mut()` could be held across an `.await` while a lend gives a second `&mut`, so an
//!   object behind a bare `UniquePtr` is never lent;
//! * only while the object is **not being destroyed**: cxx-qt's own thread handle
//!   (`CxxQtThread::is_destroyed`) says so from the moment its destructor begins, before the
//!   backing struct is dropped, whatever the object's signal connections;
//! * only **once at a time** (a `with` inside a `with` of the same object is refused).
//!
//! A refusal is not a panic (a panic inside a signal handler or an invokable, behind cxx's shim,
//! would abort the process): `with` returns [`LendRefused`], the refusal is logged, and the
//! coroutine being polled ends with
//! [`TaskError::Refused`](crate::engine::TaskError::Refused) once its poll returns. If the
//! object is destroyed **while lent** (a signal emitted inside `with` whose handler deletes it
//! synchronously), the process stops with a message before the closure could touch freed
//! memory.
//!
//! What no library can see is cxx-qt's own: a nested event loop (`process_events`, a second
//! `exec`) run while Rust code holds a `Pin<&mut T>` lets Qt deliver queued closures, signal
//! handlers and drains inside it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::c_void;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::thread::{self, ThreadId};

use cxx::memory::UniquePtrTarget;
use cxx::UniquePtr;
use cxx_qt::casting::Upcast;
use cxx_qt::{CxxQtType, Threading};

use super::runtime::ensure;
use crate::engine::integration::{current_scope, refuse, refused_task};
use crate::engine::{Scope, ScopeId, Task};

extern "C" {
    fn cxx_qt_async_watch_object(object: *const c_void, entry: *mut c_void);
    fn cxx_qt_async_object_on_current_thread(object: *const c_void) -> bool;
    fn cxx_qt_async_object_made_by_qml(object: *const c_void) -> bool;
    fn cxx_qt_async_delete_later(object: *mut c_void);
}

/// Why [`QObjectRef::with`] did not lend the object: the rule the call would have broken. The
/// refusal is also logged, and the coroutine being polled ends with
/// [`TaskError::Refused`](crate::engine::TaskError::Refused) once its poll returns.
///
/// # Examples
///
/// ```
/// use cxx_qt_async::LendRefused;
///
/// // Every refusal names its rule, in words.
/// assert!(LendRefused::NotItsCoroutine.to_string().contains("own coroutines"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LendRefused {
    /// Called outside a poll of one of the object's own coroutines: from an invokable, a signal
    /// handler, another object's coroutine, or with a handle kept elsewhere.
    #[error(
        "cxx-qt-async rule: QObjectRef::with lends the object only to its own coroutines, while \
         one of them runs (never from an invokable, a signal handler, another object's \
         coroutine, or a handle kept elsewhere)"
    )]
    NotItsCoroutine,
    /// The object was destroyed, or its destruction has begun (its backing struct is being
    /// dropped).
    #[error("cxx-qt-async rule: QObjectRef::with called on an object that is destroyed or being destroyed")]
    Destroyed,
    /// Called inside another `with` of the same object (directly, or from a signal handler or
    /// invokable reached from inside it).
    #[error(
        "cxx-qt-async rule: QObjectRef::with called inside another `with` on the same object: \
         the object is lent once at a time"
    )]
    AlreadyLent,
    /// The object is owned by a bare `UniquePtr`, whose `pin_mut()` could be held across an
    /// `.await` while the lend gives a second `&mut`.
    #[error(
        "cxx-qt-async rule: QObjectRef::with lends only objects that no Rust code owns: made by \
         QML, or owned by a QObjectBox (this one is owned by a bare UniquePtr, whose pin_mut() \
         could be held across an .await)"
    )]
    RustOwned,
}

/// What the library knows of one C++ object that runs coroutines.
struct Entry {
    /// The C++ object (as a `QObject*`), the registry's key.
    address: usize,
    /// The thread the object lives on (and the entry is used on).
    thread: ThreadId,
    /// `false` once the C++ object's `destroyed` signal came.
    alive: Cell<bool>,
    /// `true` from the moment the C++ object's destruction began: cxx-qt's thread handle of
    /// the object (`CxxQtThread::is_destroyed`), cleared by the object's destructor before the
    /// backing struct is dropped and whatever its connections.
    destroying: Box<dyn Fn() -> bool>,
    /// A [`QObjectRef::with`] lends the object right now.
    lent: Cell<bool>,
    /// Owned by a [`QObjectBox`].
    boxed: Cell<bool>,
    /// Seen made by a QML engine (kept once seen).
    made_by_qml: Cell<bool>,
    /// The object's coroutines; dropped (so ended) when the object is destroyed.
    scope: RefCell<Option<Scope>>,
    /// The scope's id (what `with` compares with the scope being polled).
    scope_id: ScopeId,
}

impl Entry {
    /// `true` once the C++ object is destroyed or its destruction has begun.
    fn gone(&self) -> bool {
        !self.alive.get() || (self.destroying)()
    }

    /// Ends the object's coroutines (they are dropped at the next drain, never polled again).
    fn end_coroutines(&self) {
        let scope = self.scope.try_borrow_mut().ok().and_then(|mut s| s.take());
        drop(scope);
    }

    /// `true` when no Rust code owns the object: a QML engine made it, or a [`QObjectBox`]
    /// owns it.
    fn owned_outside_rust(&self) -> bool {
        if self.boxed.get() || self.made_by_qml.get() {
            return true;
        }
        // SAFETY: the object is alive (checked by the caller: not `gone`) and lives on this
        // thread; the function only reads its QML data.
        let by_qml = unsafe { cxx_qt_async_object_made_by_qml(self.address as *const c_void) };
        self.made_by_qml.set(by_qml);
        by_qml
    }
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
        // connection of this object's `destroyed` signal, which calls this at most once; the
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
        forget_entry(&entry);
        entry.end_coroutines();
    });
    if outcome.is_err() {
        abort_with("cxx-qt-async: panicked while ending a destroyed QObject's coroutines");
    }
}

/// Takes `entry` out of this thread's registry (if it is still the one registered there).
fn forget_entry(entry: &Rc<Entry>) {
    let _ = OBJECTS.try_with(|objects| {
        if let Ok(mut objects) = objects.try_borrow_mut() {
            if objects
                .get(&entry.address)
                .is_some_and(|e| Rc::ptr_eq(e, entry))
            {
                objects.remove(&entry.address);
            }
        }
    });
}

/// Reports `why` on standard error and stops the process (from a C++ frame, where a panic may
/// not unwind).
fn abort_with(why: &str) -> ! {
    eprintln!("cxx-qt-async: {why}; stopping the process");
    std::process::abort()
}

/// The entry of `object`, made on its first coroutine; `Err` with the rule when the object
/// cannot run coroutines here.
fn entry_for<T>(object: Pin<&mut T>) -> Result<Rc<Entry>, &'static str>
where
    T: CxxQtType + Upcast<cxx_qt::QObject> + Threading + 'static,
{
    let ptr = NonNull::from(object.as_ref().get_ref());
    // SAFETY: `ptr` points to a live `T` (it came from the `Pin<&mut T>` we hold), and cxx-qt's
    // `upcast_ptr` is a `static_cast` to its `QObject` base, which a live object has.
    let qobject = unsafe { T::upcast_ptr(ptr.as_ptr()) }.cast::<c_void>();
    let address = qobject as usize;
    if let Some(entry) = OBJECTS.with(|o| o.borrow().get(&address).cloned()) {
        if !entry.gone() {
            return Ok(entry);
        }
        // An entry whose object went without its `destroyed` reaching us (C++ disconnected
        // every signal of it): a new object at the same address gets an entry of its own.
        entry.alive.set(false);
        forget_entry(&entry);
        entry.end_coroutines();
    }
    // SAFETY: `qobject` is a live QObject (from the `Pin<&mut T>`); only its thread affinity
    // is read.
    if !unsafe { cxx_qt_async_object_on_current_thread(qobject) } {
        return Err(
            "cxx-qt-async rule: a QObject's coroutines run on the thread the object lives on \
             (spawn_local was called from another thread)",
        );
    }
    let thread_handle = object.as_ref().get_ref().qt_thread();
    if thread_handle.is_destroyed() {
        return Err(
            "cxx-qt-async rule: an object whose destruction has begun spawns no coroutines",
        );
    }
    let scope = Scope::with_owner({
        let type_name = std::any::type_name::<T>();
        let short = type_name.rsplit("::").next().unwrap_or(type_name);
        let serial = OWNER_SERIAL.with(|n| n.replace(n.get() + 1));
        format!("{short} #{serial}")
    });
    let entry = Rc::new(Entry {
        address,
        thread: thread::current().id(),
        alive: Cell::new(true),
        destroying: Box::new(move || thread_handle.is_destroyed()),
        lent: Cell::new(false),
        boxed: Cell::new(false),
        made_by_qml: Cell::new(false),
        scope_id: scope.id(),
        scope: RefCell::new(Some(scope)),
    });
    let for_qt = Rc::into_raw(Rc::clone(&entry)).cast_mut().cast::<c_void>();
    // SAFETY: `qobject` is a live QObject of this thread (checked above); the connection holds
    // `for_qt`, one strong reference, until `destroyed` hands it back to
    // `cxx_qt_async_object_destroyed` (if C++ disconnects it first, that reference leaks: an
    // `Entry`, never a dangling pointer).
    unsafe { cxx_qt_async_watch_object(qobject, for_qt) };
    OBJECTS.with(|o| o.borrow_mut().insert(address, Rc::clone(&entry)));
    Ok(entry)
}

/// The handle to `object`, on this thread's Qt runtime (installed if there is none); `Err`
/// with the rule when it cannot run coroutines here.
fn prepare<T>(object: Pin<&mut T>) -> Result<QObjectRef<T>, &'static str>
where
    T: CxxQtType + Upcast<cxx_qt::QObject> + Threading + 'static,
{
    ensure()?;
    let ptr = NonNull::from(object.as_ref().get_ref());
    let entry = entry_for(object)?;
    Ok(QObjectRef { ptr, entry })
}

/// Starts coroutines from a QObject's `#[qinvokable]`s: the coroutine gets a [`QObjectRef`] to
/// its object, runs on the GUI thread, and ends when the C++ object is destroyed.
///
/// Implemented for every cxx-qt QObject with cxx-qt's `Threading` (`impl cxx_qt::Threading for
/// MyObject {}` in the bridge): the library reads from cxx-qt's thread handle when the object's
/// destruction begins. The object needs no field of its own for it.
///
/// # Examples
///
/// ```ignore
/// impl qobject::Greeter {
///     fn handle_click(self: Pin<&mut Self>) {
///         self.spawn_local(|this| async move {
///             let val1 = spawn_blocking(|| worker(66)).await?;
///             this.with(|o| o.set_text(QString::from(&format!("task1 returned: {val1}"))))?;
///             anyhow::Ok(())
///         })
///         .detach();
///     }
/// }
/// ```
pub trait QObjectSpawn: CxxQtType + Upcast<cxx_qt::QObject> + Threading + Sized + 'static {
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
    /// A spawn that breaks a rule (the object lives on another thread, or is being destroyed;
    /// the thread's runtime is not a `QtRuntime` or is shutting down) is refused without a
    /// panic: it is logged and the returned `Task` resolves to
    /// [`TaskError::Refused`](crate::engine::TaskError::Refused).
    #[track_caller]
    fn spawn_local<F, Fut>(self: Pin<&mut Self>, start: F) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<Self>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        match prepare(self) {
            Ok(this) => this.spawn_local(start),
            Err(rule) => refused_task(rule),
        }
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
        match prepare(self) {
            Ok(this) => this.spawn_local_labeled(label, start),
            Err(rule) => refused_task(rule),
        }
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

impl<T> QObjectSpawn for T where T: CxxQtType + Upcast<cxx_qt::QObject> + Threading + 'static {}

/// A coroutine's handle to the QObject that spawned it.
///
/// [`QObjectRef::with`] lends the object as `Pin<&mut T>` for a synchronous closure, so no borrow
/// can be held across an `.await`; see the [module](self) for when it lends and what a refusal
/// does. The handle is `!Send`: it never leaves the GUI thread. Keeping a handle keeps no object
/// alive: [`is_alive`](QObjectRef::is_alive) says whether it still is.
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
            .field("alive", &self.is_alive())
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
    /// `false` once the C++ object's destruction has begun. (A coroutine of the object never
    /// sees this: it is dropped first. A handle kept elsewhere might.)
    pub fn is_alive(&self) -> bool {
        !self.entry.gone()
    }

    /// Runs `f` with the object: read or set properties, emit signals, connect handlers.
    ///
    /// Lends the object only inside a poll of one of its own coroutines, only an object no
    /// Rust code owns (made by QML, or in a [`QObjectBox`]), only while it is not being
    /// destroyed, and once at a time. Otherwise returns the [`LendRefused`] rule without
    /// running `f`: the refusal is logged, and the coroutine being polled (if any) ends with
    /// [`TaskError::Refused`](crate::engine::TaskError::Refused) once its poll returns. If the
    /// object is destroyed while `f` runs, the process stops with a message (see the
    /// [module](self)).
    ///
    /// # Examples
    ///
    /// ```ignore
    /// self.spawn_local(|this| async move {
    ///     let sum = spawn_blocking(|| 40 + 2).await?;
    ///     this.with(|o| o.set_text(QString::from(&format!("{sum}"))))?; // `?`: LendRefused is an Error
    ///     anyhow::Ok(())
    /// })
    /// .detach();
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> Result<R, LendRefused> {
        let entry = &*self.entry;
        let refused = if current_scope() != Some(entry.scope_id) {
            Some(LendRefused::NotItsCoroutine)
        } else if entry.gone() {
            // Whatever `destroyed` did not end (C++ disconnected it) ends now.
            entry.end_coroutines();
            Some(LendRefused::Destroyed)
        } else if entry.lent.get() {
            Some(LendRefused::AlreadyLent)
        } else if !entry.owned_outside_rust() {
            Some(LendRefused::RustOwned)
        } else {
            None
        };
        if let Some(refused) = refused {
            refuse(&refused.to_string());
            return Err(refused);
        }
        entry.lent.set(true);
        let _lend = Lend(entry);
        // SAFETY: the invariants that make this `&mut T` valid and unique, and who keeps each:
        // * Non-null, aligned, pinned: the pointer came from a `Pin<&mut T>` of a QObject
        //   (`prepare`), which cxx-qt never moves.
        // * Alive and whole: `gone()` was false just above: the object's `destroyed` signal
        //   has not come, and cxx-qt's thread handle says its destructor has not begun (it is
        //   cleared before the backing struct is dropped, whatever the object's connections).
        //   Should the object be destroyed while `f` runs, its `destroyed` signal sees `lent`
        //   and stops the process before `f` can run another instruction (and a `QObjectBox`
        //   dropped meanwhile defers the deletion to the event loop).
        // * On this thread: `QObjectRef` is `!Send` (it holds an `Rc`), and the object was
        //   checked to live on the thread that made the handle.
        // * Not aliased by another lend: `lent` refuses a second one until `_lend` drops, and
        //   the borrow cannot outlive `f`.
        // * Not aliased by an invokable, signal handler or queued closure of `T` on the stack:
        //   the scope check above admits only a poll of this object's own coroutine; polls run
        //   only in drains, only the Qt event loop runs drains (the runtime's `Drainer` never
        //   leaves `QtRuntime`; a thread whose runtime is not a `QtRuntime` spawns no object
        //   coroutines), and a drain never nests inside another.
        // * Not aliased by a `Pin<&mut T>` that Rust code holds elsewhere, across an `.await`
        //   or not: `owned_outside_rust` admits only an object a QML engine made (safe code
        //   gets its `Pin<&mut T>` only inside C++ frames: invokables, handlers, queued
        //   closures, none of which can be held past their call) or one a `QObjectBox` owns
        //   (which gives out no `Pin<&mut T>` or `&T`). A bare `UniquePtr<T>` is refused.
        // What cxx-qt itself shares stays out of reach: a nested event loop run while Rust
        // code holds a `Pin<&mut T>` lets Qt run a drain inside it (the README's one rule),
        // and a signal emitted inside `f` whose handler is handed this object by cxx-qt gets a
        // reborrow of the `Pin<&mut T>` that `f` passed to the emission (cxx-qt's own model).
        let object = unsafe { Pin::new_unchecked(&mut *self.ptr.as_ptr()) };
        Ok(f(object))
    }
}

impl<T> QObjectRef<T>
where
    T: 'static,
{
    /// Spawns another coroutine owned by the same object: `start` gets a handle of its own.
    /// Spawning touches only the library's record of the object, so it works from anywhere on
    /// the object's thread (a kept handle included); the coroutine lends the object like any
    /// of its coroutines. Refused, without a panic, once the object is destroyed or its
    /// destruction has begun: the returned `Task` resolves to
    /// [`TaskError::Refused`](crate::engine::TaskError::Refused).
    ///
    /// # Examples
    ///
    /// ```ignore
    /// this.spawn_local(|this| async move {
    ///     sleep(Duration::from_secs(1)).await;
    ///     this.with(|o| o.set_busy(false))
    /// })
    /// .detach();
    /// ```
    #[track_caller]
    pub fn spawn_local<F, Fut>(&self, start: F) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<T>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        let this = self.clone();
        match self.live_scope() {
            Ok(scope) => scope.spawn_local(async move { start(this).await }),
            Err(rule) => refused_task(rule),
        }
    }

    /// Like [`QObjectRef::spawn_local`], with a label for the [task list](crate::engine::tasks).
    #[track_caller]
    pub fn spawn_local_labeled<F, Fut>(
        &self,
        label: impl Into<std::borrow::Cow<'static, str>>,
        start: F,
    ) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<T>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        let this = self.clone();
        match self.live_scope() {
            Ok(scope) => scope.spawn_local_labeled(label, async move { start(this).await }),
            Err(rule) => refused_task(rule),
        }
    }

    /// The object's scope, borrowed, while it may spawn.
    fn live_scope(&self) -> Result<std::cell::Ref<'_, Scope>, &'static str> {
        const GONE: &str =
            "cxx-qt-async rule: an object that is destroyed or being destroyed spawns no coroutines";
        if self.entry.gone() {
            return Err(GONE);
        }
        std::cell::Ref::filter_map(self.entry.scope.borrow(), Option::as_ref).map_err(|_| GONE)
    }
}

/// Owns a QObject made from Rust (a `UniquePtr<T>` from a cxx-qt constructor) so that its
/// coroutines can be lent it: unlike the `UniquePtr`, the box gives out no `Pin<&mut T>` (nor
/// `&T`) that could be held across an `.await` while a lend gives a second `&mut`. The object
/// is reached only by its own coroutines ([`QObjectBox::spawn_local`], then
/// [`QObjectRef::with`]), exactly like an object QML made. Dropping the box deletes the object
/// (at once; or, when a coroutine's `with` lends it right then, at the next turn of the event
/// loop, through `deleteLater`), which ends its coroutines.
///
/// # Examples
///
/// ```ignore
/// let probe = QObjectBox::new(qobject::new_probe());
/// probe
///     .spawn_local(|this| async move {
///         let answer = spawn_blocking(|| 6 * 7).await?;
///         this.with(|o| o.set_value(answer))?;
///         anyhow::Ok(())
///     })
///     .detach();
/// ```
///
/// ```compile_fail,E0599
/// // No `pin_mut()`: nothing to hold across an await.
/// fn try_it<T: cxx_qt_async::QObjectSpawn + cxx::memory::UniquePtrTarget>(boxed: &mut cxx_qt_async::QObjectBox<T>) {
///     let _held = boxed.pin_mut();
/// }
/// ```
pub struct QObjectBox<T: QObjectSpawn + UniquePtrTarget> {
    object: UniquePtr<T>,
    handle: QObjectRef<T>,
}

impl<T: QObjectSpawn + UniquePtrTarget> std::fmt::Debug for QObjectBox<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QObjectBox")
            .field("alive", &self.handle.is_alive())
            .finish()
    }
}

impl<T: QObjectSpawn + UniquePtrTarget> QObjectBox<T> {
    /// Takes ownership of `object`, made on this thread (installing a default
    /// [`QtRuntime`](crate::QtRuntime) if this thread has none).
    ///
    /// # Panics
    ///
    /// When `object` is null, or cannot run coroutines on this thread (it lives on another
    /// thread; this thread's runtime is not a `QtRuntime` or is shutting down), naming the rule.
    pub fn new(mut object: UniquePtr<T>) -> Self {
        let pinned = object
            .as_mut()
            .expect("QObjectBox::new: the UniquePtr is null");
        let handle = prepare(pinned).unwrap_or_else(|rule| panic!("QObjectBox::new: {rule}"));
        handle.entry.boxed.set(true);
        Self { object, handle }
    }

    /// Spawns a coroutine owned by the object; see [`QObjectSpawn::spawn_local`].
    #[track_caller]
    pub fn spawn_local<F, Fut>(&self, start: F) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<T>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        self.handle.spawn_local(start)
    }

    /// Spawns a labelled coroutine owned by the object; see
    /// [`QObjectSpawn::spawn_local_labeled`].
    #[track_caller]
    pub fn spawn_local_labeled<F, Fut>(
        &self,
        label: impl Into<std::borrow::Cow<'static, str>>,
        start: F,
    ) -> Task<Fut::Output>
    where
        F: FnOnce(QObjectRef<T>) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: 'static,
    {
        self.handle.spawn_local_labeled(label, start)
    }

    /// A handle to the object (to spawn more coroutines on it, or to see whether it lives).
    pub fn handle(&self) -> QObjectRef<T> {
        self.handle.clone()
    }
}

impl<T: QObjectSpawn + UniquePtrTarget> Drop for QObjectBox<T> {
    fn drop(&mut self) {
        let object = std::mem::replace(&mut self.object, UniquePtr::null());
        if !self.handle.entry.lent.get() {
            drop(object); // deletes it now; its `destroyed` ends its coroutines
            return;
        }
        // A coroutine's `with` lends the object right now (the box was dropped from inside
        // the closure): deleting it would free the object under that `&mut`. Qt deletes it
        // once control is back in the event loop instead; its coroutines end then.
        let raw = object.into_raw();
        // SAFETY: `raw` is the live object the box owned (released from the `UniquePtr`, so
        // it is deleted once, by Qt); `upcast_ptr` is a `static_cast` to its `QObject` base,
        // and the object lives on this thread (the box is `!Send`, made on its thread).
        unsafe { cxx_qt_async_delete_later(T::upcast_ptr(raw).cast::<c_void>().cast_mut()) };
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
