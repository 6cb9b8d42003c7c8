//! Builds the app's `AsyncJobs` QML module: its QML files and its two QObjects (the library's
//! `AsyncJob` comes from the `CxxQtAsync` module of `cxx-qt-async`), and the window icon.

use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("AsyncJobs").qml_files([
        "qml/Main.qml",
        "qml/Launcher.qml",
        "qml/JobRow.qml",
        "qml/DiagnosticsPanel.qml",
        "qml/LagPlot.qml",
    ]))
    // Every bridge of a QML module must sit in one directory (QTBUG-93443): src/.
    .files(["src/app_settings.rs", "src/diagnostics.rs"])
    // The default include root is the whole crate (target/ included), which makes this script
    // rerun on every cargo call. No headers of ours are exported.
    .crate_include_root(None)
    .qt_module("Gui")
    .qt_module("Quick")
    .cpp_file("src/window_icon.cpp")
    .build();
}
