import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AsyncJobs

// What the engine and the event loop are doing: a live lag plot, the lag figures, and the
// engine's live task list (every coroutine: label, owner, what it awaits, age).
Frame {
    id: panel

    required property Diagnostics diagnostics
    property int heartbeat: 0
    property alias lagPlot: lagPlot
    property alias taskView: taskView
    readonly property var taskList: {
        try {
            return JSON.parse(diagnostics.tasksJson || "[]")
        } catch (e) {
            return []
        }
    }

    Connections {
        target: panel.diagnostics
        function onLagSample(peakMs) { lagPlot.add(peakMs) }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6

        Label {
            text: "Event-loop lag"
            font.bold: true
        }
        LagPlot {
            id: lagPlot
            objectName: "lagPlot"
            Layout.fillWidth: true
            Layout.preferredHeight: 120
        }
        Label {
            objectName: "lagLabel"
            text: "timer lateness: last " + panel.diagnostics.lagLastMs.toFixed(2) + " ms · p99 "
                  + panel.diagnostics.lagP99Ms.toFixed(2) + " ms · max " + panel.diagnostics.lagMaxMs.toFixed(1) + " ms"
            font.family: "monospace"
            font.pixelSize: 11
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Label {
            text: "Tasks (" + panel.taskList.length + " coroutines)"
            font.bold: true
            Layout.topMargin: 6
        }
        ListView {
            id: taskView
            objectName: "taskView"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: panel.taskList
            ScrollBar.vertical: ScrollBar {}
            delegate: Column {
                width: taskView.width
                bottomPadding: 4
                Label {
                    width: parent.width
                    text: "#" + modelData.id + " " + modelData.label
                    elide: Text.ElideRight
                    font.pixelSize: 12
                }
                Label {
                    width: parent.width
                    text: "   " + modelData.state + " · " + (modelData.ageMs / 1000).toFixed(1) + " s"
                          + (modelData.owner !== "" ? " · " + modelData.owner : "")
                    elide: Text.ElideRight
                    font.pixelSize: 11
                    opacity: 0.7
                }
            }
        }
    }
}
