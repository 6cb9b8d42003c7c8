//! What the examples of `cxx-qt-async` (in `crates/cxx-qt-async/examples`, whose dev-dependency
//! this is) share: the `Greeter` QObject of the seed blog's
//! `handle_click` ([`greeter`]), the examples' QML module, and a tiny app runner; and the
//! `Probe` QObject of the library's soundness tests ([`probe`]).
//!
//! * `cargo run -p cxx-qt-async --example handle_click`: one QObject, one QML file; a
//!   click chains two jobs on workers and shows each result, another shows a job's error.
//! * `cargo run -p cxx-qt-async --example async_job`: no QObject of your own: a job kind
//!   registered from Rust, run by the library's `AsyncJob` element from QML.
//!
//! Both accept `--demo`: they click their own buttons, print what the window shows and quit
//! (the tests run them that way, offscreen).

#![warn(missing_docs, rust_2018_idioms)]

pub mod greeter;
pub mod probe;

use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};

/// Registers the library's QML module and this one's. Call once, before loading QML.
pub fn init_qml() {
    cxx_qt_async::init_qml();
    cxx_qt::init_crate!(cxx_qt_async_examples);
    cxx_qt::init_qml_module!("CxxQtAsyncExamples");
}

/// Runs the QML file `file` of this module in a window until it quits; returns the exit code.
/// The runtime is installed after the application and shut down before it.
pub fn run(file: &str) -> i32 {
    init_qml();
    let mut app = QGuiApplication::new();
    let runtime = cxx_qt_async::QtRuntime::install();
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load(&QUrl::from(
            format!("qrc:/qt/qml/CxxQtAsyncExamples/qml/{file}").as_str(),
        ));
    }
    let code = app.as_mut().map_or(1, |app| app.exec());
    drop(engine);
    drop(runtime);
    drop(app);
    code
}
