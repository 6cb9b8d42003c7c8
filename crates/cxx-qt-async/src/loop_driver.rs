//! The QObject the runtime's wakes are queued on.
//!
//! It has no properties and no invokables: it exists so that `CxxQtThread::queue` (a
//! `QMetaObject::invokeMethod(.., Qt::QueuedConnection)`) can post "drain now" to the thread it
//! lives on. Being a QObject of that thread, it is destroyed there too; closures queued on it
//! after that are dropped without running.

/// The bridge: the `LoopDriver` QObject.
#[cxx_qt::bridge]
pub mod qobject {
    extern "RustQt" {
        #[qobject]
        type LoopDriver = super::LoopDriverRust;
    }

    impl cxx_qt::Threading for LoopDriver {}

    unsafe extern "C++" {
        include!("cxx-qt-lib/common.h");

        /// Creates a parentless driver on the current thread.
        #[namespace = "rust::cxxqtlib1"]
        #[rust_name = "new_loop_driver"]
        fn make_unique() -> UniquePtr<LoopDriver>;
    }
}

/// The backing struct of [`qobject::LoopDriver`]; it holds nothing.
#[derive(Default, Debug)]
pub struct LoopDriverRust;
