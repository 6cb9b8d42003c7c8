//! Builds the cxx-qt bridges and the `AsyncJobs` QML module, and the small C++ entry point of
//! the GUI tests and the benchmark's timer (only those binaries reference them).

use cxx_qt_build::{CxxQtBuilder, QmlModule};

fn main() {
    CxxQtBuilder::new_qml_module(QmlModule::new("AsyncJobs").qml_files([
        "qml/Main.qml",
        "qml/Launcher.qml",
        "qml/JobRow.qml",
        "qml/DiagnosticsPanel.qml",
        "qml/LagPlot.qml",
    ]))
    // Every bridge of a QML module must sit in one directory (QTBUG-93443).
    .files([
        "src/qobjects/loop_driver.rs",
        "src/qobjects/async_job.rs",
        "src/qobjects/app_settings.rs",
        "src/qobjects/diagnostics.rs",
    ])
    // The default include root is the whole crate (target/ included), which makes this script
    // rerun on every cargo call. No headers of ours are exported.
    .crate_include_root(None)
    .qt_module("Gui")
    .qt_module("Quick")
    .qt_module("QuickTest")
    .cpp_file("src/qt/drain_timer.cpp")
    .cpp_file("src/app/window_icon.cpp")
    .cpp_file("tests/gui/quick_test_main.cpp")
    .cpp_file("benches/support/qt_timer.cpp")
    .build();
}
