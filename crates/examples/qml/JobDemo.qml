import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CxxQtAsync

// No QObject of your own: the library's AsyncJob runs the "count_primes" kind registered in
// Rust (examples/async_job.rs); QML only binds to its properties.
ApplicationWindow {
    id: window
    title: "AsyncJob"
    width: 460
    height: 240
    visible: true

    readonly property bool demo: Qt.application.arguments.indexOf("--demo") >= 0

    AsyncJob {
        id: job
        kind: "count_primes"
        onFinished: {
            if (window.demo) {
                console.log("demo: " + state + " " + result + error)
                Qt.quit()
            }
        }
    }

    Component.onCompleted: {
        if (demo && !job.start(["xyz"]))
            console.log("demo: refused: " + job.inputError)
        // Small: the tests run this demo in a debug build, on a machine that may be loaded.
        if (demo)
            job.start(["200000"])
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 8
        RowLayout {
            TextField {
                id: limit
                text: "50000000"
                Layout.fillWidth: true
                onAccepted: job.start([text])
            }
            Button {
                text: job.running ? "Cancel" : "Count primes"
                onClicked: job.running ? job.cancel() : job.start([limit.text])
            }
        }
        Label {
            text: job.inputError
            color: "#c0392b"
            visible: text !== ""
        }
        ProgressBar {
            from: 0
            to: 1
            value: Math.max(0, job.progress)
            indeterminate: job.running && job.progress < 0
            Layout.fillWidth: true
        }
        Label {
            text: job.state + (job.result !== "" ? ": " + job.result : "") + (job.error !== "" ? ": " + job.error : "")
        }
    }
}
