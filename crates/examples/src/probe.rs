//! `Probe`: a QObject the library's soundness tests poke at (`crates/cxx-qt-async/tests/
//! qt_loop/soundness/`): it runs coroutines like any QObject, is made by QML (element `Probe` of
//! `CxxQtAsyncExamples`) or from Rust ([`qobject::new_probe`]), has a value and a text to read
//! and write, a signal to emit inside a lend, an invokable that uses a handle kept elsewhere,
//! and hooks that run in its backing struct's `Drop`.

use std::cell::RefCell;
use std::ffi::c_void;
use std::pin::Pin;

use cxx_qt::casting::Upcast;
use cxx_qt_async::engine::Scope;
use cxx_qt_async::{QObjectRef, QObjectSpawn};
use cxx_qt_lib::QString;

/// The bridge: the `Probe` QObject.
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// QString from cxx_qt_lib
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(i32, value)]
        #[qproperty(QString, text)]
        type Probe = super::ProbeRust;

        /// Emitted by the tests inside `with`: a handler connected to it acts while the object
        /// is lent.
        #[qsignal]
        fn poked(self: Pin<&mut Probe>);

        /// Uses the handle a test left in [`super::KEPT`] (from QML: an invokable on the stack,
        /// behind cxx-qt's shim) and says whether it was lent the object.
        #[qinvokable]
        fn use_kept_handle(self: Pin<&mut Probe>) -> bool;

        /// Hands a handle to this probe to the tests ([`super::ADOPTED`]), from a coroutine of
        /// its own (call it from QML: `Component.onCompleted: adopt()`).
        #[qinvokable]
        fn adopt(self: Pin<&mut Probe>);
    }

    impl cxx_qt::Threading for Probe {}

    unsafe extern "C++" {
        include!("cxx-qt-lib/common.h");

        /// A new parentless probe, owned by the returned pointer (dropping it deletes the
        /// C++ object at once).
        #[namespace = "rust::cxxqtlib1"]
        #[rust_name = "new_probe"]
        fn make_unique() -> UniquePtr<Probe>;
    }
}

/// The backing struct of [`qobject::Probe`].
#[derive(Default)]
pub struct ProbeRust {
    value: i32,
    text: QString,
    /// A scope of the old kind (`OwnsCoroutines`): the library no longer keeps an object's
    /// coroutines in a field, so a test can take this away without effect.
    pub legacy: Scope,
    /// Run when the backing struct is dropped (by the C++ destructor, before `~QObject`).
    pub on_drop: Option<Box<dyn FnOnce()>>,
}

impl Drop for ProbeRust {
    fn drop(&mut self) {
        if let Some(hook) = self.on_drop.take() {
            hook();
        }
    }
}

thread_local! {
    /// A handle a test keeps where no coroutine of its object runs (for `use_kept_handle`).
    pub static KEPT: RefCell<Option<QObjectRef<qobject::Probe>>> = const { RefCell::new(None) };
    /// Handles to the probes that called `adopt`, in order.
    pub static ADOPTED: RefCell<Vec<QObjectRef<qobject::Probe>>> = const { RefCell::new(Vec::new()) };
}

impl qobject::Probe {
    fn use_kept_handle(self: Pin<&mut Self>) -> bool {
        KEPT.with(|kept| {
            kept.borrow()
                .as_ref()
                .is_some_and(|handle| handle.with(|o| o.set_value(-1)).is_ok())
        })
    }

    fn adopt(self: Pin<&mut Self>) {
        self.spawn_local(|this| async move { ADOPTED.with(|a| a.borrow_mut().push(this)) })
            .detach();
    }
}

extern "C" {
    fn cxx_qt_async_examples_disconnect_everything(object: *mut c_void);
}

/// What a C++ `QObject::disconnect(object, nullptr, nullptr, nullptr)` does: every connection
/// of the object's signals goes (its `destroyed` signal's too), whoever made it.
pub fn disconnect_everything(probe: Pin<&mut qobject::Probe>) {
    let qobject: Pin<&mut cxx_qt::QObject> = probe.upcast_pin();
    // SAFETY: the pointer is a live QObject (it came from the `Pin<&mut>` we hold) of this
    // thread; the C++ side only disconnects its signals.
    unsafe {
        cxx_qt_async_examples_disconnect_everything(
            std::ptr::from_mut(qobject.get_unchecked_mut()).cast(),
        );
    }
}
