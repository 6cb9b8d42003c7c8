import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CxxQtAsync

// One job of the list: name, state, progress, elapsed time, result or error, and on demand the
// details (the error's worker backtrace, or the items the job streamed).
Frame {
    id: row

    required property AsyncJob job
    required property int index
    property bool selected: false
    property bool expanded: false
    property alias cancelButton: cancelButton
    property alias removeButton: removeButton
    property alias detailsButton: detailsButton
    property alias itemsView: itemsView

    signal removeRequested()

    objectName: "jobRow" + index

    // Live elapsed time while running; the job's own figure afterwards.
    property real now: Date.now()
    Timer {
        interval: 100
        repeat: true
        running: row.job.running
        onTriggered: row.now = Date.now()
    }
    readonly property real elapsedMs: job.running ? Math.max(0, now - job.startedAtMs) : job.elapsedMs

    readonly property color stateColor: {
        switch (job.state) {
        case "done": return "#2e8b57"
        case "failed": return "#c0392b"
        case "cancelled": return "#8a6d3b"
        case "queued": return "#7f8c8d"
        default: return "#3d7bd9"
        }
    }

    // A click selects the row and gives the list the keyboard (Delete cancels or removes).
    TapHandler {
        onTapped: {
            row.ListView.view.currentIndex = row.index
            row.ListView.view.forceActiveFocus()
        }
    }

    background: Rectangle {
        color: row.selected ? Qt.rgba(0.24, 0.48, 0.85, 0.08) : "transparent"
        border.color: row.selected ? "#3d7bd9" : "#c8c8c8"
        radius: 4
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Label {
                text: row.job.name
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                objectName: "stateLabel"
                text: row.job.state
                color: "white"
                leftPadding: 6
                rightPadding: 6
                background: Rectangle {
                    color: row.stateColor
                    radius: 3
                }
            }
            Label {
                objectName: "elapsedLabel"
                text: (row.elapsedMs / 1000).toFixed(row.elapsedMs < 10000 ? 2 : 1) + " s"
                font.family: "monospace"
            }
            Button {
                id: cancelButton
                objectName: "cancelButton"
                text: "Cancel"
                visible: row.job.running
                onClicked: row.job.cancel()
            }
            ToolButton {
                id: removeButton
                objectName: "removeButton"
                text: "✕"
                visible: !row.job.running
                onClicked: row.removeRequested()
                ToolTip.visible: hovered
                ToolTip.text: "Remove from the list"
            }
        }

        ProgressBar {
            Layout.fillWidth: true
            visible: row.job.running || row.job.state === "done"
            from: 0
            to: 1
            value: row.job.progress >= 0 ? row.job.progress : 0
            indeterminate: row.job.running && row.job.progress < 0
        }

        Label {
            objectName: "progressTextLabel"
            text: row.job.progressText
            visible: text !== "" && row.job.running
            opacity: 0.8
            Layout.fillWidth: true
            elide: Text.ElideRight
        }

        Label {
            objectName: "resultLabel"
            text: row.job.error !== "" ? row.job.error : row.job.result
            visible: text !== ""
            color: row.job.error !== "" ? "#c0392b" : palette.windowText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Button {
            id: detailsButton
            objectName: "detailsButton"
            flat: true
            visible: row.job.details !== "" || row.job.itemCount > 0
            text: (row.expanded ? "▾ " : "▸ ")
                  + (row.job.details !== "" ? "Details (backtrace)" : row.job.itemCount + " items found")
            onClicked: row.expanded = !row.expanded
        }

        ScrollView {
            visible: row.expanded && row.job.details !== ""
            Layout.fillWidth: true
            Layout.preferredHeight: 160
            TextArea {
                objectName: "detailsText"
                text: row.job.details
                readOnly: true
                selectByMouse: true
                font.family: "monospace"
                font.pixelSize: 11
                wrapMode: TextEdit.NoWrap
            }
        }

        ListView {
            id: itemsView
            objectName: "itemsView"
            visible: row.expanded && row.job.details === "" && row.job.itemCount > 0
            Layout.fillWidth: true
            Layout.preferredHeight: 160
            clip: true
            // The job keeps its newest lines itself (keptItems) and replaces this list at most
            // once per frame: no script runs per line. Read only while shown: a hidden view
            // then costs nothing when the list changes.
            model: visible ? row.job.recentItems : []
            ScrollBar.vertical: ScrollBar {}
            delegate: Label {
                width: itemsView.width
                required property string modelData
                text: modelData
                font.family: "monospace"
                font.pixelSize: 11
                elide: Text.ElideMiddle
                color: text.startsWith("⚠") ? "#c0392b" : palette.windowText
            }
        }
    }
}
