//! Coroutines that belong to a QObject and use it between awaits.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::thread::{self, ThreadId};

use cxx_qt::CxxQtType;

use super::runtime::ensure_runtime;
use crate::engine::integration::Liveness;
use crate::engine::{CoroutineId, Scope};

/// Implemented by a QObject's backing struct (`FooRust`) that owns a [`Scope`], which makes
/// [`QObjectSpawn::spawn_local`] available on the QObject.
///
/// # Safety
///
/// [`QObjectRef::with`] lends the QObject to coroutines while its scope is alive, so the scope
/// must die with the object. Implement it only so that `coroutines` returns a [`Scope`] that is
/// a field of `Self` (owned by it, dropped when the object's backing struct is dropped), and
/// the same one on every call. A scope kept elsewhere (leaked, in a static, shared with another
/// object) would let a coroutine reach a destroyed object.
///
/// # Examples
///
/// ```
/// use cxx_qt_async::{engine::Scope, OwnsCoroutines};
///
/// #[derive(Default)]
/// pub struct CounterRust {
///     count: i32,
///     coroutines: Scope,
/// }
///
/// // SAFETY: the scope is a field of the backing struct, dropped with the QObject.
/// unsafe impl OwnsCoroutines for CounterRust {
///     fn coroutines(&self) -> &Scope {
///         &self.coroutines
///     }
/// }
/// ```
///
/// Without `unsafe` it does not compile:
///
/// ```compile_fail,E0200
/// use cxx_qt_async::{engine::Scope, OwnsCoroutines};
///
/// pub struct LeakyRust;
///
/// impl OwnsCoroutines for LeakyRust {
///     fn coroutines(&self) -> &Scope {
///         Box::leak(Box::new(Scope::new())) // outlives the object: refused
///     }
/// }
/// ```
pub unsafe trait OwnsCoroutines {
    /// The scope whose coroutines are cancelled when this object is destroyed: a field of
    /// `Self`, the same one every time.
    fn coroutines(&self) -> &Scope;
}

/// Starts coroutines from a QObject's `#[qinvokable]`s.
///
/// Blanket-implemented for every cxx-qt QObject whose backing struct implements
/// [`OwnsCoroutines`].
///
/// # Examples
///
/// ```ignore
/// impl qobject::Greeter {
///     fn handle_click(self: Pin<&mut Self>) {
///         self.spawn_local(|this| async move {
///             let val1 = spawn_blocking(|| worker(66)).await?;
///             this.with(|o| o.set_text(QString::from(&format!("task1 returned: {val1}"))));
///             Ok(())
///         });
///     }
/// }
/// ```
pub trait QObjectSpawn: CxxQtType + Sized + 'static
where
    Self::Rust: OwnsCoroutines,
{
    /// Spawns the coroutine `start(this)`, owned by this object: `start` is called, and the
    /// coroutine first runs, at the next drain (after the invokable returned, so `start` may use
    /// `this.with(..)` at once), it resumes on this thread after each await, and it is dropped,
    /// never to run again, if the object is destroyed first. An error it returns, or a panic, is
    /// reported through the [report hook](crate::engine::set_report_hook).
    ///
    /// Installs a default [`super::QtRuntime`] on this thread if there is none.
    #[track_caller]
    fn spawn_local<F, Fut>(self: Pin<&mut Self>, start: F) -> CoroutineId
    where
        F: FnOnce(QObjectRef<Self>) -> Fut + 'static,
        Fut: Future<Output = anyhow::Result<()>> + 'static,
    {
        let (scope, this) = prepare(self);
        scope.spawn_local(async move { start(this).await })
    }

    /// Like [`QObjectSpawn::spawn_local`], with a label for the [task list](crate::engine::tasks)
    /// (which otherwise shows the spawn site).
    #[track_caller]
    fn spawn_local_labeled<F, Fut>(
        self: Pin<&mut Self>,
        label: impl Into<std::borrow::Cow<'static, str>>,
        start: F,
    ) -> CoroutineId
    where
        F: FnOnce(QObjectRef<Self>) -> Fut + 'static,
        Fut: Future<Output = anyhow::Result<()>> + 'static,
    {
        let (scope, this) = prepare(self);
        scope.spawn_local_labeled(label, async move { start(this).await })
    }
}

/// The object's scope (its owner named after the type, e.g. `AsyncJob #3`, unless named
/// already) and a handle to the object.
fn prepare<T>(object: Pin<&mut T>) -> (&Scope, QObjectRef<T>)
where
    T: CxxQtType + 'static,
    T::Rust: OwnsCoroutines,
{
    ensure_runtime();
    let ptr = NonNull::from(object.as_ref().get_ref());
    let object = object.into_ref().get_ref();
    let scope = object.rust().coroutines();
    scope.name_owner_once(|| {
        let type_name = std::any::type_name::<T>();
        let short = type_name.rsplit("::").next().unwrap_or(type_name);
        let serial = OWNER_SERIAL.with(|n| n.replace(n.get() + 1));
        format!("{short} #{serial}")
    });
    let this = QObjectRef {
        ptr,
        liveness: scope.liveness(),
        thread: thread::current().id(),
        _not_send: PhantomData,
    };
    (scope, this)
}

thread_local! {
    /// Numbers the QObjects that own coroutines, for the task list.
    static OWNER_SERIAL: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

impl<T> QObjectSpawn for T
where
    T: CxxQtType + 'static,
    T::Rust: OwnsCoroutines,
{
}

/// A coroutine's handle to the QObject that spawned it.
///
/// [`QObjectRef::with`] lends the object as `Pin<&mut T>` for a synchronous closure, so no borrow
/// can be held across an `.await`. The handle is `!Send`: it never leaves the GUI thread.
pub struct QObjectRef<T> {
    ptr: NonNull<T>,
    liveness: Liveness,
    thread: ThreadId,
    _not_send: PhantomData<*const ()>,
}

impl<T> Clone for QObjectRef<T> {
    fn clone(&self) -> Self {
        Self {
            ptr: self.ptr,
            liveness: self.liveness.clone(),
            thread: self.thread,
            _not_send: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for QObjectRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QObjectRef")
            .field("alive", &self.liveness.is_alive())
            .finish()
    }
}

impl<T> QObjectRef<T> {
    /// `false` once the object was destroyed. (A coroutine of the object never sees this: it is
    /// dropped first. A handle that escaped its coroutine might.)
    pub fn is_alive(&self) -> bool {
        self.liveness.is_alive()
    }

    /// Runs `f` with the object: read or set properties, emit signals.
    ///
    /// # Panics
    ///
    /// Off the object's thread, after the object was destroyed, or when called while the object
    /// is already lent (a `with` inside a `with`), each with a message naming the rule.
    pub fn with<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> R {
        assert!(
            thread::current().id() == self.thread,
            "QObjectRef::with called off the object's thread. {}",
            crate::engine::GUI_THREAD_RULE
        );
        let _entered = self.liveness.enter().unwrap_or_else(|| {
            if self.liveness.is_alive() {
                panic!("QObjectRef::with called inside another `with` on the same object: the object is lent once at a time")
            } else {
                panic!("QObjectRef::with called after the object was destroyed")
            }
        });
        // SAFETY: the invariants that make this `&mut T` valid and unique, and who keeps each:
        // * Non-null, aligned, pinned: the pointer came from a `Pin<&mut T>` of a QObject
        //   (`prepare`), which cxx-qt never moves.
        // * Alive: `enter()` succeeded, so the object's `Scope` still exists; by the contract of
        //   the `unsafe trait OwnsCoroutines`, that scope is a field of the object's backing
        //   struct and dies with it.
        // * Not used by another thread: the assertion above (this thread is the object's, and
        //   `QObjectRef` is `!Send`).
        // * Not aliased by another lend: `enter()` refuses a second lend until `_entered` drops,
        //   and the borrow cannot outlive `f`.
        // * Not aliased by an invokable of `T` on the stack: coroutines are polled only by a
        //   drain, and only the Qt event loop runs drains (the runtime's `Drainer` never leaves
        //   `QtRuntime`; `QObjectSpawn::spawn_local` refuses a runtime that is not a `QtRuntime`).
        //   `spawn_local` itself runs `start` at the first poll, not inside the invokable that called
        //   it. The one way around this is cxx-qt's own: an invokable that runs a nested event
        //   loop (`process_events`, `exec`) lets Qt deliver other events to its object meanwhile,
        //   ours included; the README states that rule.
        let object = unsafe { Pin::new_unchecked(&mut *self.ptr.as_ptr()) };
        f(object)
    }
}
