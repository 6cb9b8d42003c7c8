//! Runs the user's QObject from QML in a real Qt event loop (offscreen) and checks what the
//! library documents: the chained, joined and cancelled jobs give their results; the object
//! destroyed mid-job never sees its coroutine resume, and its job sees its token.
//! Exit status 0 when every claim holds.

mod chain;

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cxx_qt_lib::{QByteArray, QCoreApplication, QQmlApplicationEngine, QUrl};

const QML: &str = r#"
import QtQml
import Outside

QtObject {
    id: root
    property Chain chain: Chain {}
    property string summary: chain.summary
    property Component doomedComponent: Component { Chain {} }
    property var doomed: null
    property int ticks: 0
    property Timer destroyLater: Timer {
        interval: 200
        onTriggered: { root.doomed.destroy(); root.doomed = null; root.finishLater.start() }
    }
    property Timer finishLater: Timer {
        interval: 50
        repeat: true
        onTriggered: {
            root.ticks += 1
            if (root.chain.done && root.ticks >= 6) {
                console.log("outside: " + root.chain.summary)
                Qt.exit(0)
            }
            if (root.ticks > 200)
                Qt.exit(3)
        }
    }
    Component.onCompleted: {
        chain.run()
        doomed = doomedComponent.createObject(root)
        doomed.runLong()
        destroyLater.start()
    }
}
"#;

fn main() -> ExitCode {
    cxx_qt::init_crate!(outside_user);
    cxx_qt::init_qml_module!("Outside");
    cxx_qt_async::init_qml();
    let mut app = QCoreApplication::new();
    let runtime = cxx_qt_async::QtRuntime::builder()
        .shutdown_wait(Duration::from_secs(5))
        .install();
    let mut engine = QQmlApplicationEngine::new();
    if let Some(engine) = engine.as_mut() {
        engine.load_data(&QByteArray::from(QML), &QUrl::from("file:///outside.qml"));
    }
    let code = app.as_mut().map_or(-1, |app| app.exec());
    drop(engine);
    drop(runtime);
    drop(app);
    let started = chain::LONG_STARTED.load(Ordering::SeqCst);
    let stopped = chain::LONG_STOPPED_BY_TOKEN.load(Ordering::SeqCst);
    let resumed = chain::RESUMED_AFTER_DEATH.load(Ordering::SeqCst);
    println!(
        "outside: exit code {code}; doomed object: job started {started}, stopped by its token \
         {stopped}, coroutine resumed after death {resumed}"
    );
    if code == 0 && started == 1 && stopped == 1 && resumed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
