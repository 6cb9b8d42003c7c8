import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CxxQtAsyncExamples

// The seed blog's handle_click: a Rust slot awaits two chained jobs on worker threads and shows
// each result, while the window stays live (the bar keeps moving). "Fail" shows a job's error.
ApplicationWindow {
    id: window
    title: "handle_click"
    width: 460
    height: 240
    visible: true

    readonly property bool demo: Qt.application.arguments.indexOf("--demo") >= 0

    Greeter {
        id: greeter
        onTextChanged: window.demoStep()
        onErrorChanged: window.demoStep()
    }

    // --demo: click both buttons, print what the window shows once both are done, quit.
    function demoStep() {
        if (demo && greeter.text.indexOf("task2") === 0 && greeter.error !== "") {
            console.log("demo: " + greeter.text + " | error: " + greeter.error)
            Qt.quit()
        }
    }
    Component.onCompleted: {
        if (demo) {
            greeter.handle_click()
            greeter.fail_click()
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 8
        RowLayout {
            Button {
                text: "Click me"
                enabled: !greeter.busy
                onClicked: greeter.handle_click()
            }
            Button {
                text: "Fail"
                onClicked: greeter.fail_click()
            }
            BusyIndicator {
                running: greeter.busy
            }
        }
        Label {
            text: greeter.text === "" ? "Click the button." : greeter.text
        }
        Label {
            text: greeter.error
            color: "#c0392b"
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        ProgressBar {
            indeterminate: true
            Layout.fillWidth: true
        }
    }
}
