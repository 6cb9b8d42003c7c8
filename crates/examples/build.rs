//! Builds the examples' QML module `CxxQtAsyncExamples`: the `Greeter` QObject and the QML
//! windows of the two examples, and the `Probe` QObject of the library's soundness tests.

use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(
        QmlModule::new("CxxQtAsyncExamples").qml_files(["qml/HandleClick.qml", "qml/JobDemo.qml"]),
    )
    .files(["src/greeter.rs", "src/probe.rs"])
    .cpp_file("src/probe_helpers.cpp")
    .crate_include_root(None)
    .qt_module("Gui")
    .qt_module("Quick")
    .build();
}
