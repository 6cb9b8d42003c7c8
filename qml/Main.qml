import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AsyncJobs

ApplicationWindow {
    id: root
    objectName: "mainWindow"
    title: "Async Jobs"
    width: 1140
    height: 700
    minimumWidth: 640
    minimumHeight: 480
    visible: true

    // Ctrl+Q (the platform's Quit key) quits, like closing the window: jobs still running are
    // cancelled and the workers get a bounded time to finish.
    Shortcut {
        sequences: [StandardKey.Quit]
        onActivated: Qt.quit()
    }

    Diagnostics {
        id: diagnostics
    }

    // Reports the first frame (only acted on by the startup benchmark).
    property bool firstFrameSeen: false
    onFrameSwapped: {
        if (!firstFrameSeen) {
            firstFrameSeen = true
            if (diagnostics.firstFrame())
                Qt.callLater(Qt.quit)
        }
    }

    // Ticks every 16 ms on the GUI thread: it only advances while the event loop is free.
    property int heartbeat: 0
    Timer {
        interval: 16
        repeat: true
        running: true
        onTriggered: root.heartbeat++
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.margins: 8
            Label {
                text: "Async Jobs: each job runs on a worker thread; the window stays live."
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Rectangle {
                id: spinner
                objectName: "spinner"
                width: 18
                height: 18
                radius: 3
                color: "#3d7bd9"
                NumberAnimation on rotation {
                    from: 0
                    to: 360
                    duration: 1200
                    loops: Animation.Infinite
                }
            }
            Label {
                objectName: "lagLabel"
                text: "lag p99 " + diagnostics.lagP99Ms.toFixed(1) + " ms · max "
                      + diagnostics.lagMaxMs.toFixed(1) + " ms · coroutines " + diagnostics.liveCoroutines + " ·"
                font.family: "monospace"
            }
            Label {
                objectName: "heartbeatLabel"
                text: "GUI heartbeat " + root.heartbeat
                font.family: "monospace"
            }
        }
    }

    GridLayout {
        anchors.fill: parent
        anchors.margins: 12
        columns: 3
        rowSpacing: 12
        columnSpacing: 12

        JobCard {
            objectName: "primesCard"
            title: "Count primes below N"
            description: "A CPU job on a worker: a segmented sieve. Try 2000000000 and watch the heartbeat keep going."
            needsInput: true
            defaultInput: "10000000"
            start: function (runner, text) { runner.countPrimes(text) }
            Layout.fillWidth: true
            Layout.fillHeight: true
            // Equal columns and rows, whatever the cards show.
            Layout.preferredWidth: 1
            Layout.preferredHeight: 1
        }
        JobCard {
            objectName: "chainCard"
            title: "Chained jobs"
            description: "Two jobs awaited in sequence: count the primes below N, then find the largest of them."
            needsInput: true
            defaultInput: "1000000"
            start: function (runner, text) { runner.chainJobs(text) }
            Layout.fillWidth: true
            Layout.fillHeight: true
            // Equal columns and rows, whatever the cards show.
            Layout.preferredWidth: 1
            Layout.preferredHeight: 1
        }
        JobCard {
            objectName: "failCard"
            title: "A job that fails"
            description: "Reads a settings file that does not exist; the whole error chain is shown."
            start: function (runner, text) { runner.failingJob() }
            Layout.fillWidth: true
            Layout.fillHeight: true
            // Equal columns and rows, whatever the cards show.
            Layout.preferredWidth: 1
            Layout.preferredHeight: 1
        }
        JobCard {
            objectName: "askCard"
            title: "Ask mid-job"
            description: "Computes, then asks “Overwrite the output?” and waits for your answer without blocking anything; writes only on Yes."
            start: function (runner, text) { runner.askThenWrite() }
            Layout.fillWidth: true
            Layout.fillHeight: true
            // Equal columns and rows, whatever the cards show.
            Layout.preferredWidth: 1
            Layout.preferredHeight: 1
        }
        JobCard {
            objectName: "panicCard"
            title: "A job that panics"
            description: "Indexes past the end of a list on the worker; the panic becomes an error and the app lives on."
            start: function (runner, text) { runner.panickingJob() }
            Layout.fillWidth: true
            Layout.fillHeight: true
            // Equal columns and rows, whatever the cards show.
            Layout.preferredWidth: 1
            Layout.preferredHeight: 1
        }
    }
}
