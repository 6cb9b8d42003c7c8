//! `Probe`: a QObject the library's soundness tests poke at
//! (`crates/cxx-qt-async/tests/qt_loop/soundness.rs`): it runs coroutines like any QObject, has
//! a value to read and write, and a field of the old `OwnsCoroutines` kind, to show that moving
//! it away changes nothing.

use cxx_qt_async::engine::Scope;

/// The bridge: the `Probe` QObject (made from Rust with [`qobject::new_probe`]).
#[cxx_qt::bridge]
pub mod qobject {
    extern "RustQt" {
        #[qobject]
        #[qproperty(i32, value)]
        type Probe = super::ProbeRust;

        /// Emitted by the tests inside `with`: a handler connected to it acts while the object
        /// is lent.
        #[qsignal]
        fn poked(self: Pin<&mut Probe>);
    }

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
    /// A scope of the old kind (`OwnsCoroutines`): the library no longer keeps an object's
    /// coroutines in a field, so a test can take this away without effect.
    pub legacy: Scope,
}

// SAFETY: nothing relies on it any more (the trait is deprecated); `legacy` is a field of the
// backing struct.
#[allow(deprecated)]
unsafe impl cxx_qt_async::OwnsCoroutines for ProbeRust {
    fn coroutines(&self) -> &Scope {
        &self.legacy
    }
}
