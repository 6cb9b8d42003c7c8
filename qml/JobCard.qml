import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AsyncJobs

// One job: an optional number field, a Run button and the job's state, result or error.
Frame {
    id: card

    property string title
    property string description
    property bool needsInput: false
    property string defaultInput: ""
    // function (runner, text): starts the job on this card's runner
    property var start
    readonly property alias runner: runner
    readonly property alias input: field
    readonly property alias runButton: runButton
    readonly property alias confirmDialog: confirmDialog

    JobRunner {
        id: runner
    }

    // A job may ask a yes/no question mid-way; its coroutine awaits the answer (no nested loop).
    Connections {
        target: runner
        function onConfirmRequested(question) {
            questionLabel.text = question
            confirmDialog.open()
        }
    }

    Dialog {
        id: confirmDialog
        objectName: "confirmDialog"
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        title: card.title
        standardButtons: Dialog.Yes | Dialog.No
        Label {
            id: questionLabel
        }
        onAccepted: runner.answer(true)
        onRejected: runner.answer(false)
    }

    function run() {
        if (!runner.running)
            card.start(runner, field.text);
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6

        Label {
            text: card.title
            font.bold: true
            font.pointSize: 12
        }
        Label {
            text: card.description
            wrapMode: Text.WordWrap
            opacity: 0.75
            Layout.fillWidth: true
        }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: field
                objectName: "input"
                visible: card.needsInput
                text: card.defaultInput
                placeholderText: "N"
                selectByMouse: true
                Layout.fillWidth: true
                onAccepted: card.run()
            }
            Button {
                objectName: "cancelButton"
                text: "Cancel"
                visible: runner.running
                onClicked: runner.cancel()
            }
            Button {
                id: runButton
                objectName: "runButton"
                text: runner.running ? "Running…" : "Run"
                enabled: !runner.running
                onClicked: card.run()
            }
        }
        Label {
            objectName: "inputError"
            visible: runner.inputError !== ""
            text: runner.inputError
            color: "#b3261e"
        }
        ProgressBar {
            objectName: "progressBar"
            visible: runner.running && runner.progress >= 0
            from: 0
            to: 1
            value: Math.max(0, runner.progress)
            Layout.fillWidth: true
        }
        RowLayout {
            BusyIndicator {
                running: runner.running
                visible: runner.running
                Layout.preferredWidth: 24
                Layout.preferredHeight: 24
            }
            Label {
                objectName: "status"
                text: runner.status
                    + (runner.elapsedMs > 0 ? "  (" + runner.elapsedMs.toFixed(0) + " ms)" : "")
                color: runner.status === "failed" ? "#b3261e"
                     : runner.status === "done" ? "#1b6e20" : palette.text
            }
        }
        Label {
            objectName: "result"
            visible: runner.result !== ""
            text: runner.result
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Label {
            objectName: "error"
            visible: runner.error !== ""
            text: runner.error
            color: "#b3261e"
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Button {
            id: detailsButton
            objectName: "detailsButton"
            visible: runner.details !== ""
            checkable: true
            flat: true
            text: checked ? "Hide worker backtrace" : "Show worker backtrace"
        }
        ScrollView {
            visible: detailsButton.visible && detailsButton.checked
            Layout.fillWidth: true
            Layout.fillHeight: true
            TextArea {
                objectName: "details"
                text: runner.details
                readOnly: true
                font.family: "monospace"
                font.pointSize: 8
                wrapMode: TextEdit.NoWrap
            }
        }
        Item {
            visible: !(detailsButton.visible && detailsButton.checked)
            Layout.fillHeight: true
        }
    }
}
