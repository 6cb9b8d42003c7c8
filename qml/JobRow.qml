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
    // What else the job works on, beside its title (`job.name`): a folder, a host, a command
    // line (empty: nothing).
    required property string detail
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

    // The state in words, translated.
    readonly property string stateText: {
        switch (job.state) {
        case "idle": return qsTr("idle")
        case "queued": return qsTr("queued")
        case "running": return qsTr("running")
        case "done": return qsTr("done")
        case "failed": return qsTr("failed")
        case "cancelled": return qsTr("cancelled")
        default: return job.state
        }
    }
    // A job's step text starts with what it has done ("3.0 MiB of 8.0 MiB"), details follow
    // after " · " (speed, time left): a job that stopped keeps the first part.
    readonly property string doneText: job.progressText.split(" · ")[0]
    readonly property string percentText: job.running && job.progress >= 0
        ? qsTr("%1 %").arg(Math.floor(job.progress * 100).toLocaleString(Qt.locale(), 'f', 0)) : ""
    // The non-empty parts, joined by " — ".
    function joined(parts) {
        var kept = []
        for (var i = 0; i < parts.length; ++i) {
            if (parts[i] !== "")
                kept.push(parts[i])
        }
        return kept.join(" — ")
    }
    function seconds(ms, digits) {
        return qsTr("%1 s").arg(Number(ms / 1000).toLocaleString(Qt.locale(), 'f', digits))
    }

    // Opens or closes the details, if there are any (Space on the list).
    function toggleDetails() {
        if (detailsButton.visible)
            expanded = !expanded
    }

    function select() {
        row.ListView.view.currentIndex = row.index
        row.ListView.view.forceActiveFocus()
    }

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
        onTapped: row.select()
    }

    background: Rectangle {
        color: row.selected ? Qt.rgba(0.24, 0.48, 0.85, 0.08) : "transparent"
        border.color: row.selected ? "#3d7bd9" : "#c8c8c8"
        radius: 4
    }

    // The Frame is a container to a screen reader (Qt Quick Controls set a Frame's role
    // themselves); the column inside is the list item.
    Accessible.ignored: true

    ColumnLayout {
        id: content
        anchors.fill: parent
        spacing: 4

        // For a screen reader: "Download big.bin — from 127.0.0.1 — running — 40 %", and the
        // result, the error or what it had done as the description.
        Accessible.role: Accessible.ListItem
        Accessible.name: row.joined([row.job.name, row.detail, row.stateText, row.percentText])
        Accessible.description: row.job.error !== "" ? row.job.error
                              : row.job.result !== "" ? row.job.result
                              : row.job.running ? row.job.progressText
                              : row.doneText !== "" ? qsTr("stopped at: %1").arg(row.doneText) : ""
        Accessible.selectable: true
        Accessible.selected: row.selected
        Accessible.onPressAction: row.select()

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Label {
                objectName: "titleLabel"
                text: row.job.name
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
                Accessible.ignored: true // in the row's name
            }
            Label {
                objectName: "stateLabel"
                text: row.stateText
                Accessible.ignored: true // in the row's name
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
                text: row.seconds(row.elapsedMs, row.elapsedMs < 10000 ? 2 : 1)
                font.family: "monospace"
                // Whole seconds while it runs: a reader is not told ten times a second.
                Accessible.name: qsTr("elapsed: %1").arg(row.job.running ? row.seconds(Math.floor(row.elapsedMs / 1000) * 1000, 0) : text)
            }
            Button {
                id: cancelButton
                objectName: "cancelButton"
                text: qsTr("Cancel")
                visible: row.job.running
                Accessible.name: qsTr("Cancel %1").arg(row.job.name)
                Accessible.onPressAction: clicked()
                onClicked: row.job.cancel()
            }
            ToolButton {
                id: removeButton
                objectName: "removeButton"
                text: "✕"
                visible: !row.job.running
                Accessible.name: qsTr("Remove %1 from the list").arg(row.job.name)
                Accessible.onPressAction: clicked()
                onClicked: row.removeRequested()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Remove from the list")
            }
        }

        Label {
            objectName: "detailLabel"
            text: row.detail
            visible: text !== ""
            opacity: 0.75
            font.pixelSize: 11
            Layout.fillWidth: true
            elide: Text.ElideMiddle
            Accessible.ignored: true // in the row's name
        }

        ProgressBar {
            objectName: "progressBar"
            Accessible.name: qsTr("Progress of %1").arg(row.job.name)
            Layout.fillWidth: true
            visible: row.job.running || row.job.state === "done"
            from: 0
            to: 1
            value: row.job.progress >= 0 ? row.job.progress : 0
            indeterminate: row.job.running && row.job.progress < 0
        }

        Label {
            objectName: "progressTextLabel"
            // While it runs, its step; once it stopped (cancelled, failed), what it had done.
            text: row.job.running ? row.job.progressText
                  : row.job.state === "cancelled" || row.job.state === "failed"
                    ? (row.doneText !== "" ? qsTr("stopped at: %1").arg(row.doneText) : "") : ""
            visible: text !== ""
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
            readonly property string what: row.job.details !== "" ? qsTr("Details (backtrace)")
                                                                 : row.job.itemCount === 1 ? qsTr("1 item found")
                                                                 : qsTr("%1 items found").arg(row.job.itemCount.toLocaleString(Qt.locale(), 'f', 0))
            text: (row.expanded ? "▾ " : "▸ ") + what
            // For a screen reader: its name without the arrow; checked while open.
            Accessible.name: qsTr("%1 of %2").arg(what).arg(row.job.name)
            Accessible.checkable: true
            Accessible.checked: row.expanded
            Accessible.onPressAction: clicked()
            onClicked: row.expanded = !row.expanded
        }

        ScrollView {
            visible: row.expanded && row.job.details !== ""
            ScrollBar.vertical: ScrollBar {
                Accessible.name: qsTr("Scroll the backtrace of %1").arg(row.job.name)
            }
            ScrollBar.horizontal: ScrollBar {
                Accessible.name: qsTr("Scroll the backtrace of %1 sideways").arg(row.job.name)
            }
            Layout.fillWidth: true
            Layout.preferredHeight: 160
            TextArea {
                objectName: "detailsText"
                Accessible.name: qsTr("Backtrace of %1").arg(row.job.name)
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
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Items of %1").arg(row.job.name)
            ScrollBar.vertical: ScrollBar {
                Accessible.name: qsTr("Scroll the items of %1").arg(row.job.name)
            }
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
