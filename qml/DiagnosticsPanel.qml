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
    // The engine's task list and its worst slow polls, as arrays of objects.
    readonly property var taskList: diagnostics.tasks
    readonly property var slowPolls: diagnostics.slowPolls
    property alias slowPollView: slowPollView

    // The clock the task ages are shown against (a few times a second, not every frame).
    property real now: Date.now()
    Timer {
        interval: 250
        repeat: true
        running: panel.visible
        onTriggered: panel.now = Date.now()
    }

    Connections {
        target: panel.diagnostics
        function onLagSample(peakMs, framePeakMs, newSlowPolls) {
            lagPlot.add(peakMs, framePeakMs, newSlowPolls)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6

        Label {
            text: "Event-loop lag and frames"
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
        // Resident size beside what the allocator has handed out (a job's buffer counts in
        // full before its pages are touched, so the second can exceed the first). Memory that
        // jobs freed goes back to the system after a burst, so the first follows the second.
        Label {
            objectName: "memoryLabel"
            visible: panel.diagnostics.residentMb > 0
            text: "memory: " + panel.diagnostics.residentMb.toFixed(0) + " MB resident"
                  + (panel.diagnostics.heapMb >= 0 ? " · " + panel.diagnostics.heapMb.toFixed(0) + " MB allocated" : "")
            font.family: "monospace"
            font.pixelSize: 11
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        // Coroutines whose single poll held the GUI thread for 8 ms or more (a blocking call in
        // a coroutine): the worst, named.
        Label {
            objectName: "slowPollsLabel"
            visible: panel.diagnostics.slowPollCount > 0
            text: "Slow polls: " + panel.diagnostics.slowPollCount
            font.bold: true
            color: "#c0392b"
            Layout.topMargin: 6
        }
        Repeater {
            id: slowPollView
            objectName: "slowPollView"
            model: panel.slowPolls.slice(0, 3)
            delegate: Label {
                required property var modelData
                Layout.fillWidth: true
                text: modelData.tookMs.toFixed(1) + " ms · " + modelData.label
                      + (modelData.owner !== "" ? " · " + modelData.owner : "")
                      + (modelData.site !== "" ? " · spawned at " + modelData.site : "")
                wrapMode: Text.WrapAnywhere
                maximumLineCount: 3
                font.pixelSize: 11
            }
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
                    text: "   " + modelData.state + " · " + ((panel.now - modelData.spawnedAtMs) / 1000).toFixed(1) + " s"
                          + (modelData.owner !== "" ? " · " + modelData.owner : "")
                    elide: Text.ElideRight
                    font.pixelSize: 11
                    opacity: 0.7
                }
            }
        }
    }
}
