import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AsyncJobs

// What the engine and the event loop are doing: a live lag plot, the lag figures, and the
// engine's live task list (every coroutine: label, owner, what it awaits, age).
Frame {
    id: panel

    Accessible.role: Accessible.Grouping
    Accessible.name: qsTr("Diagnostics")

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

    // The engine's task states (Rust), listed for translation; a state not listed shows as is.
    readonly property var taskStates: [
        QT_TR_NOOP("starting"), QT_TR_NOOP("running"), QT_TR_NOOP("waiting on other"),
        QT_TR_NOOP("waiting on worker job"), QT_TR_NOOP("waiting on timer"),
        QT_TR_NOOP("waiting on signal"), QT_TR_NOOP("waiting on stream"),
        QT_TR_NOOP("waiting on progress"), QT_TR_NOOP("waiting on coroutine"),
        QT_TR_NOOP("waiting on tokio task")
    ]
    function stateText(state) {
        return qsTr(state)
    }

    function mib(value) {
        return Qt.locale().formattedDataSize(Math.round(value * 1048576), 1)
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
            text: qsTr("Event-loop lag and frames")
            font.bold: true
            Accessible.role: Accessible.Heading
        }
        LagPlot {
            id: lagPlot
            objectName: "lagPlot"
            p99Ms: panel.diagnostics.lagP99Ms
            Layout.fillWidth: true
            Layout.preferredHeight: 120
        }
        Label {
            objectName: "lagLabel"
            text: qsTr("timer lateness: last %1 ms · p99 %2 ms · max %3 ms")
                  .arg(panel.diagnostics.lagLastMs.toLocaleString(Qt.locale(), 'f', 2))
                  .arg(panel.diagnostics.lagP99Ms.toLocaleString(Qt.locale(), 'f', 2))
                  .arg(panel.diagnostics.lagMaxMs.toLocaleString(Qt.locale(), 'f', 1))
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
            // residentMb and heapMb are in MiB: shown by the locale as MiB.
            text: (panel.diagnostics.heapMb >= 0
                   ? qsTr("memory: %1 resident · %2 allocated").arg(panel.mib(panel.diagnostics.residentMb))
                        .arg(panel.mib(panel.diagnostics.heapMb))
                   : qsTr("memory: %1 resident").arg(panel.mib(panel.diagnostics.residentMb)))
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
            text: qsTr("Slow polls: %1").arg(panel.diagnostics.slowPollCount.toLocaleString(Qt.locale(), 'f', 0))
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
                text: qsTr("%1 ms").arg(modelData.tookMs.toLocaleString(Qt.locale(), 'f', 1)) + " · " + modelData.label
                      + (modelData.owner !== "" ? " · " + modelData.owner : "")
                      + (modelData.site !== "" ? " · " + qsTr("spawned at %1").arg(modelData.site) : "")
                wrapMode: Text.WrapAnywhere
                maximumLineCount: 3
                font.pixelSize: 11
            }
        }

        Label {
            // Two forms, as English and German have (a language with more would want %n).
            text: panel.taskList.length === 1 ? qsTr("Tasks (1 coroutine)")
                  : qsTr("Tasks (%1 coroutines)").arg(panel.taskList.length.toLocaleString(Qt.locale(), 'f', 0))
            font.bold: true
            Accessible.role: Accessible.Heading
            Layout.topMargin: 6
        }
        ListView {
            id: taskView
            objectName: "taskView"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: panel.taskList
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Tasks")
            ScrollBar.vertical: ScrollBar {
                Accessible.name: qsTr("Scroll the tasks")
            }
            delegate: Column {
                id: taskItem
                width: taskView.width
                bottomPadding: 4
                readonly property string age: qsTr("%1 s").arg(((panel.now - modelData.spawnedAtMs) / 1000).toLocaleString(Qt.locale(), 'f', 1))
                // One list item per coroutine; its age is in whole seconds for a reader.
                Accessible.role: Accessible.ListItem
                Accessible.name: "#" + modelData.id + " " + modelData.label + " — " + panel.stateText(modelData.state)
                                 + (modelData.owner !== "" ? " — " + modelData.owner : "")
                Label {
                    width: parent.width
                    text: "#" + modelData.id + " " + modelData.label
                    elide: Text.ElideRight
                    font.pixelSize: 12
                }
                Label {
                    width: parent.width
                    text: "   " + panel.stateText(modelData.state) + " · " + taskItem.age
                          + (modelData.owner !== "" ? " · " + modelData.owner : "")
                    elide: Text.ElideRight
                    font.pixelSize: 11
                    opacity: 0.7
                }
            }
        }
    }
}
