import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CxxQtAsync
import AsyncJobs

// The job dashboard: a launcher (left), the live list of jobs (middle), diagnostics (right).
// Every job is an AsyncJob object created by `launch`; its row only shows it.
ApplicationWindow {
    id: root
    objectName: "mainWindow"
    title: qsTr("Async Jobs")
    width: 1280
    height: 800
    // Holds from 800×600 up: the panels share the width through a SplitView with minimum
    // widths, the diagnostics panel can be hidden, the kind list scrolls.
    minimumWidth: 800
    minimumHeight: 600
    visible: true

    property alias jobsModel: jobsModel
    property alias jobsView: jobsView
    property alias launcher: launcher
    property alias askDialog: askDialog
    property alias diagnosticsPanel: diagnosticsPanel
    property alias diagnosticsToggle: diagnosticsToggle
    property alias splitView: splitView

    // Ctrl+Q (the platform's Quit key) quits, like closing the window: jobs still running are
    // cancelled and the workers get a bounded time to finish.
    Shortcut {
        sequences: [StandardKey.Quit]
        onActivated: Qt.quit()
    }

    // The app's own QObjects (module AsyncJobs): lag and task list, and the remembered folder.
    readonly property Diagnostics diagnostics: Diagnostics {}
    readonly property AppSettings settings: AppSettings {}

    // Reports the first frame (only acted on by the startup benchmark).
    // Every frame feeds the lag plot's frame intervals.
    property bool firstFrameSeen: false
    onFrameSwapped: {
        root.diagnostics.noteFrame()
        if (!firstFrameSeen) {
            firstFrameSeen = true
            if (root.diagnostics.firstFrame())
                Qt.callLater(Qt.quit)
            if (root.diagnostics.benchLoad === "busy")
                Qt.callLater(startBenchLoad)
        }
    }

    // The frames benchmark's load (`cargo bench --bench app -- frames`): a long CPU job per
    // worker, a hash of an endless file (a progress flood), a scan of /usr streaming its
    // files, and a fan-out of 50 000 jobs, all through the window like a person's clicks.
    function startBenchLoad() {
        for (var i = 0; i < root.diagnostics.workerThreads; ++i)
            launch("primes", "Count primes below 2000000000", ["2000000000"], "")
        launch("hash", "Hash zero", ["/dev/zero"], "in /dev")
        launch("scan", "Scan usr for *", ["/usr", "*"], "/usr")
        launch("fanout", "Fan-out of 50000 jobs", ["50000"], "")
    }
    // The frames benchmark's floor (`benchLoad` "floor": no coroutine runs): a second to settle,
    // then `benchSeconds` of frame intervals, timed by QML alone.
    Timer {
        running: root.diagnostics.benchLoad === "floor"
        interval: 1000
        onTriggered: {
            root.diagnostics.benchRecordFrames()
            floorEnd.start()
        }
    }
    Timer {
        id: floorEnd
        interval: root.diagnostics.benchSeconds * 1000
        onTriggered: root.diagnostics.benchFloorDone()
    }
    Connections {
        target: root.diagnostics
        function onBenchDone() { Qt.quit() }
        // The fan-out benchmark (`cargo bench --bench app -- fanout N`): a fan-out, then at once
        // a Fail job, each reporting when it ends.
        function onBenchLoadWanted() {
            var jobs = [launch("fanout", "Fan-out", [String(root.diagnostics.benchFanOut)]),
                        launch("fail", "Fail (with context)", [])]
            jobs.forEach(function (job) {
                job.finished.connect(function () {
                    root.diagnostics.benchJobFinished(job.kind, job.state, job.elapsedMs)
                })
            })
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

    // One row per job, newest first. `job` is the AsyncJob (its row shows `recentItems`, the
    // newest lines it streamed, kept and updated once per frame by the job itself).
    ListModel {
        id: jobsModel
    }

    Component {
        id: jobComponent
        AsyncJob {}
    }

    // Starts a job of `kind` with `args`, its row titled `title` (what it works on) with
    // `detail` below. Returns the job, or null when its input was refused (then
    // `launcher.inputError` says why and nothing was added).
    function launch(kind, title, args, detail) {
        var job = jobComponent.createObject(root, { kind: kind, name: title })
        if (!job.start(args)) {
            launcher.inputError = job.inputError
            job.destroy()
            return null
        }
        launcher.inputError = ""
        job.question.connect(function (text) { askDialog.ask(job, text) })
        job.finished.connect(function () { askDialog.forget(job) })
        jobsModel.insert(0, { job: job, detail: detail || "" })
        jobsView.currentIndex = 0
        return job
    }

    function removeJob(index) {
        var job = jobsModel.get(index).job
        jobsModel.remove(index)
        if (job.running)
            job.cancel() // its `finished` also takes back a question it asked
        // Destroyed a moment later, once its row is gone (the row's bindings read the job).
        job.destroy(1000)
    }

    function clearFinished() {
        for (var i = jobsModel.count - 1; i >= 0; --i) {
            if (!jobsModel.get(i).job.running)
                removeJob(i)
        }
    }

    header: ToolBar {
        Accessible.name: qsTr("Tool bar")
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 12
            anchors.rightMargin: 12
            spacing: 12
            Label {
                text: qsTr("Async Jobs")
                font.bold: true
                font.pixelSize: 16
                Accessible.role: Accessible.Heading
            }
            Label {
                objectName: "subtitleLabel"
                text: qsTr("jobs run on worker threads; this window never waits for them")
                opacity: 0.7
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            ToolButton {
                id: diagnosticsToggle
                objectName: "diagnosticsToggle"
                text: qsTr("Diagnostics")
                checkable: true
                checked: root.settings.showDiagnostics
                onToggled: root.settings.setDiagnosticsShown(checked)
                // Qt 6.4 would flip `checked` without `toggled` for these actions.
                Accessible.onPressAction: { toggle(); toggled() }
                Accessible.onToggleAction: { toggle(); toggled() }
                Accessible.description: qsTr("Shows or hides the diagnostics panel")
                ToolTip.visible: hovered
                ToolTip.text: checked ? qsTr("Hide the diagnostics panel") : qsTr("Show the diagnostics panel")
            }
            Rectangle {
                id: spinner
                objectName: "spinner"
                width: 16
                height: 16
                radius: 3
                color: "#3d7bd9"
                // It turns on the GUI thread: a still square means a blocked loop.
                Accessible.role: Accessible.Animation
                Accessible.name: qsTr("Spinning square")
                Accessible.description: qsTr("turns while the GUI thread is free")
                NumberAnimation on rotation {
                    from: 0
                    to: 360
                    duration: 1200
                    loops: Animation.Infinite
                }
            }
            Label {
                objectName: "heartbeatLabel"
                text: qsTr("GUI heartbeat %1").arg(root.heartbeat)
                font.family: "monospace"
                // The count changes 60 times a second: a reader gets it once a second.
                Accessible.name: qsTr("GUI heartbeat %1").arg(Math.floor(root.heartbeat / 60) * 60)
            }
        }
    }

    SplitView {
        id: splitView
        objectName: "splitView"
        anchors.fill: parent
        anchors.margins: 10
        orientation: Qt.Horizontal

        Launcher {
            id: launcher
            objectName: "launcher"
            lastFolder: root.settings.lastFolder
            // A share of a small window, 330 px from 1100 px up (until a handle is dragged).
            SplitView.preferredWidth: Math.max(250, Math.min(330, root.width * 0.3))
            SplitView.minimumWidth: 250
            SplitView.maximumWidth: 520
            onLaunchRequested: function (kind, title, detail, args, rememberPath) {
                if (root.launch(kind, title, args, detail) !== null && rememberPath !== "")
                    root.settings.rememberPath(rememberPath)
            }
        }

        Frame {
            objectName: "jobsPanel"
            Accessible.role: Accessible.Grouping
            Accessible.name: qsTr("Jobs")
            SplitView.fillWidth: true
            SplitView.minimumWidth: 280
            padding: 0
            ColumnLayout {
                anchors.fill: parent
                spacing: 0
                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: 8
                    Label {
                        objectName: "jobsTitleLabel"
                        text: qsTr("Jobs")
                        font.bold: true
                        Accessible.role: Accessible.Heading
                    }
                    Label {
                        objectName: "jobCountLabel"
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignRight
                        // Narrow: two lines rather than a cut-off count.
                        wrapMode: Text.WordWrap
                        text: {
                            var running = 0
                            for (var i = 0; i < jobsModel.count; ++i)
                                running += jobsModel.get(i).job.running ? 1 : 0
                            return qsTr("%1 running · %2 in the list")
                                .arg(running.toLocaleString(Qt.locale(), 'f', 0))
                                .arg(jobsModel.count.toLocaleString(Qt.locale(), 'f', 0))
                        }
                        opacity: 0.7
                    }
                    Button {
                        objectName: "clearButton"
                        text: qsTr("Clear finished")
                        Accessible.description: qsTr("Removes every job that is not running from the list")
                        enabled: jobsModel.count > 0
                        Accessible.onPressAction: clicked()
                        onClicked: root.clearFinished()
                    }
                }
                ListView {
                    id: jobsView
                    objectName: "jobsView"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    spacing: 6
                    leftMargin: 8
                    rightMargin: 8
                    bottomMargin: 8
                    model: jobsModel
                    activeFocusOnTab: true
                    keyNavigationEnabled: true
                    Accessible.role: Accessible.List
                    Accessible.name: qsTr("Jobs")
                    Accessible.description: qsTr("Up and Down select a job; Delete cancels a running one or removes a finished one; Space shows its details")
                    ScrollBar.vertical: ScrollBar {
                        Accessible.name: qsTr("Scroll the jobs")
                    }
                    // Space on the list: the selected row's details open or close.
                    signal detailsToggleRequested(int index)
                    delegate: JobRow {
                        id: jobRow
                        width: jobsView.width - 16
                        selected: ListView.isCurrentItem
                        onRemoveRequested: root.removeJob(index)
                        Connections {
                            target: jobsView
                            function onDetailsToggleRequested(i) {
                                if (i === jobRow.index)
                                    jobRow.toggleDetails()
                            }
                        }
                    }
                    // The focus is on the list: the selected row shows it.
                    Rectangle {
                        anchors.fill: parent
                        color: "transparent"
                        border.color: jobsView.activeFocus ? "#3d7bd9" : "transparent"
                        border.width: 2
                        radius: 2
                        Accessible.ignored: true
                    }
                    // Space: the selected row's details (its items, or the backtrace) open or close.
                    Keys.onSpacePressed: detailsToggleRequested(currentIndex)
                    // Delete: cancels the selected job if it runs, else removes it from the list.
                    Keys.onDeletePressed: {
                        if (currentIndex < 0)
                            return
                        var job = jobsModel.get(currentIndex).job
                        if (job.running)
                            job.cancel()
                        else
                            root.removeJob(currentIndex)
                    }
                    Label {
                        objectName: "emptyHint"
                        anchors.centerIn: parent
                        width: parent.width - 32
                        horizontalAlignment: Text.AlignHCenter
                        wrapMode: Text.Wrap
                        visible: jobsModel.count === 0
                        text: qsTr("No jobs yet. Pick one on the left and press Start (or Enter).")
                        opacity: 0.6
                    }
                }
            }
        }

        DiagnosticsPanel {
            id: diagnosticsPanel
            objectName: "diagnosticsPanel"
            diagnostics: root.diagnostics
            heartbeat: root.heartbeat
            visible: root.settings.showDiagnostics
            SplitView.preferredWidth: Math.max(230, Math.min(330, root.width * 0.28))
            SplitView.minimumWidth: 230
        }
    }

    // Asks a job's yes/no question. The job's coroutine awaits the answer without a nested event
    // loop; questions of several jobs wait their turn here.
    Dialog {
        id: askDialog
        objectName: "askDialog"
        title: qsTr("A job asks")
        modal: true
        anchors.centerIn: parent
        width: 380
        // Buttons of our own rather than standardButtons: Qt 6.4's standard ones cannot be
        // pressed through AT-SPI (see Launcher.qml's Start), and these are translated here.
        footer: RowLayout {
            spacing: 8
            Item {
                Layout.fillWidth: true
            }
            Button {
                objectName: "yesButton"
                text: qsTr("Yes")
                Layout.bottomMargin: 12
                Accessible.onPressAction: clicked()
                onClicked: askDialog.accept()
            }
            Button {
                objectName: "noButton"
                text: qsTr("No")
                Layout.rightMargin: 12
                Layout.bottomMargin: 12
                Accessible.onPressAction: clicked()
                onClicked: askDialog.reject()
            }
        }
        property var pending: []
        property var current: null
        property string question: ""

        function ask(job, text) {
            pending.push({ job: job, text: text })
            showNext()
        }
        function showNext() {
            if (current !== null || pending.length === 0)
                return
            var next = pending.shift()
            current = next.job
            question = next.text
            open()
        }
        function forget(job) {
            pending = pending.filter(function (p) { return p.job !== job })
            if (current === job) {
                current = null
                close()
            }
        }
        function reply(yes) {
            var job = current
            current = null
            if (job !== null)
                job.answer(yes)
            Qt.callLater(showNext)
        }
        onAccepted: reply(true)
        onRejected: reply(false)

        // The question comes from the job (Rust); the ones the app's jobs ask are listed here
        // for translation.
        readonly property var knownQuestions: [QT_TR_NOOP("Overwrite the output?")]

        Label {
            objectName: "questionLabel"
            text: qsTr(askDialog.question) + (askDialog.current ? "\n(" + askDialog.current.name + ")" : "")
            wrapMode: Text.Wrap
            width: parent.width
        }
    }
}
