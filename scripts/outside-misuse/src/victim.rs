//! The misuses' victim: a QObject of this crate, as any app has.

use std::cell::RefCell;
use std::pin::Pin;

use cxx_qt_async::{QObjectRef, QObjectSpawn};
use cxx_qt_lib::QString;

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(i32, value)]
        #[qproperty(QString, text)]
        type Victim = super::VictimRust;

        #[qsignal]
        fn poked(self: Pin<&mut Victim>);

        /// Uses the handle kept in `KEPT` (called from QML: behind cxx's shim).
        #[qinvokable]
        fn use_kept(self: Pin<&mut Victim>) -> bool;

        /// Hands a handle to this object to `ADOPTED`.
        #[qinvokable]
        fn adopt(self: Pin<&mut Victim>);
    }

    impl cxx_qt::Threading for Victim {}

    unsafe extern "C++" {
        include!("cxx-qt-lib/common.h");
        #[namespace = "rust::cxxqtlib1"]
        #[rust_name = "new_victim"]
        fn make_unique() -> UniquePtr<Victim>;
    }
}

#[derive(Default)]
pub struct VictimRust {
    value: i32,
    pub text: QString,
    pub on_drop: Option<Box<dyn FnOnce()>>,
}

impl Drop for VictimRust {
    fn drop(&mut self) {
        if let Some(hook) = self.on_drop.take() {
            hook();
        }
    }
}

thread_local! {
    pub static KEPT: RefCell<Option<QObjectRef<qobject::Victim>>> = const { RefCell::new(None) };
    pub static ADOPTED: RefCell<Vec<QObjectRef<qobject::Victim>>> = const { RefCell::new(Vec::new()) };
}

impl qobject::Victim {
    fn use_kept(self: Pin<&mut Self>) -> bool {
        KEPT.with(|k| {
            k.borrow()
                .as_ref()
                .is_some_and(|h| h.with(|o| o.set_value(-1)).is_ok())
        })
    }

    fn adopt(self: Pin<&mut Self>) {
        self.spawn_local(|this| async move { ADOPTED.with(|a| a.borrow_mut().push(this)) })
            .detach();
    }
}
