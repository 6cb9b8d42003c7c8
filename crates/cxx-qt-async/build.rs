//! Builds the library's `CxxQtAsync` QML module (the `AsyncJob` element and the runtime's
//! `LoopDriver`), the drain timer and the object watch. Links Qt Core and Qml only.

use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("CxxQtAsync"))
        .files(["src/async_job.rs", "src/loop_driver.rs"])
        // The default include root is the whole crate (target/ included), which makes this
        // script rerun on every cargo call.
        .crate_include_root(None)
        .qt_module("Qml")
        .cpp_file("src/drain_timer.cpp")
        .cpp_file("src/object_watch.cpp")
        .build()
        .export();
}
