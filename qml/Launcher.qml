import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts

// Picks a kind of job, takes its input and asks the window to start it (`launchRequested`).
// Keyboard: Up/Down in the list picks, Tab moves to the fields, Enter starts.
Frame {
    id: launcher

    property string lastFolder: ""
    property string inputError: ""
    property alias kindList: kindList
    property alias field1: field1
    property alias field2: field2
    property alias startButton: startButton
    property alias browseButton: browseButton
    readonly property var current: kinds[Math.max(0, kindList.currentIndex)]

    signal launchRequested(string kind, string title, var args, string rememberPath)

    // `field1`/`field2`: the label of each input (absent: no input); `browse`: "file"/"folder".
    readonly property var kinds: [
        { kind: "hash", title: "Hash a file",
          help: "SHA-256 of a file, read in 1 MiB chunks on a worker. Progress by bytes; Cancel stops it mid-file.",
          field1: "File", default1: "", browse: "file" },
        { kind: "scan", title: "Scan a folder",
          help: "Walks a folder tree on a worker and streams the matching files into the list as they are found. Unreadable folders are reported and skipped.",
          field1: "Folder", default1: "", field2: "Name pattern (*, ?, [abc])", default2: "*.rs", browse: "folder" },
        { kind: "primes", title: "Compute: count primes",
          help: "Counts the primes below N with a segmented sieve. Try 2000000000 and watch the heartbeat keep going.",
          field1: "N (2 to 2000000000)", default1: "200000000" },
        { kind: "pipeline", title: "Pipeline",
          help: "Three jobs in a row: generate records → compress (DEFLATE) → SHA-256 checksum, each with its own status.",
          field1: "Size in MiB (1 to 1024)", default1: "64" },
        { kind: "fanout", title: "Fan-out",
          help: "Starts many small jobs at once on the worker pool, joins them all and reports jobs per second.",
          field1: "Number of jobs (1 to 100000)", default1: "20000" },
        { kind: "race", title: "Race with timeout",
          help: "The sieve and trial division count the same primes; the first result wins and the loser is cancelled. With a timeout, both are cancelled when it expires.",
          field1: "N (2 to 2000000000)", default1: "3000000", field2: "Timeout in ms (empty: none)", default2: "" },
        { kind: "fail", title: "Fail",
          help: "Reads a settings file that does not exist. The error shows its whole context chain." },
        { kind: "panic", title: "Panic",
          help: "Indexes past the end of a list on a worker. The panic becomes this job's error, with the worker's backtrace; the app lives on." },
        { kind: "ask", title: "Ask mid-job",
          help: "Computes, then asks “Overwrite the output?” and waits for your answer without blocking anything; writes only on Yes." },
        { kind: "block", title: "Block the GUI thread",
          help: "A deliberate bug: the job sleeps 50 ms inside its coroutine, on the GUI thread. The window stalls for three frames and the diagnostics panel names the job under Slow polls." },
        { kind: "download", title: "Download a URL",
          help: "An HTTP(S) GET on tokio's threads, written to a file as it arrives: bytes, speed and time left, then the size and SHA-256 of what was saved. Cancel removes the partial file.",
          field1: "URL (http:// or https://)", default1: "",
          field2: "Save to (a folder or a file name; empty: your Downloads folder)", default2: "" },
        { kind: "command", title: "Run a command",
          help: "Runs a program with its arguments (no shell: quotes group words, nothing else is special). Its output lines stream into the job as they come; Cancel kills it and its children.",
          field1: "Command line", default1: "ls -la /" }
    ]

    // What was typed per kind, kept while switching between kinds.
    property var typed: ({})

    function valueFor(kind, which, fallback) {
        var key = kind + which
        return typed[key] !== undefined ? typed[key] : fallback
    }

    function folderDefault(k) {
        return k.browse ? lastFolder : ""
    }

    function loadFields() {
        var k = current
        field1.text = k.field1 ? valueFor(k.kind, 1, k.default1 !== "" ? k.default1 : folderDefault(k)) : ""
        field2.text = k.field2 !== undefined ? valueFor(k.kind, 2, k.default2) : ""
        inputError = ""
    }

    function start() {
        var k = current
        var args = []
        if (k.field1)
            args.push(field1.text)
        if (k.field2 !== undefined)
            args.push(field2.text)
        launchRequested(k.kind, k.title, args, k.browse ? field1.text : "")
    }

    onLastFolderChanged: {
        // Fill an empty path field with the remembered folder.
        if (current.browse && field1.text === "")
            field1.text = lastFolder
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8

        Label {
            text: "New job"
            font.bold: true
        }

        ListView {
            id: kindList
            objectName: "kindList"
            Layout.fillWidth: true
            // As tall as every kind when there is room, down to three rows in a short window.
            Layout.fillHeight: true
            Layout.preferredHeight: contentHeight
            Layout.maximumHeight: contentHeight
            Layout.minimumHeight: 3 * 34
            clip: true
            // Scrolls when the window is too short for every kind.
            interactive: contentHeight > height
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            focus: true
            activeFocusOnTab: true
            keyNavigationEnabled: true
            model: launcher.kinds
            onCurrentIndexChanged: launcher.loadFields()
            Component.onCompleted: launcher.loadFields()
            Keys.onReturnPressed: launcher.start()
            Keys.onEnterPressed: launcher.start()
            delegate: ItemDelegate {
                objectName: "kind_" + modelData.kind
                width: kindList.width
                height: 34
                text: modelData.title
                highlighted: ListView.isCurrentItem
                focusPolicy: Qt.NoFocus
                onClicked: {
                    kindList.currentIndex = index
                    kindList.forceActiveFocus()
                }
                onDoubleClicked: launcher.start()
            }
            Rectangle {
                anchors.fill: parent
                color: "transparent"
                border.color: kindList.activeFocus ? "#3d7bd9" : "transparent"
                border.width: 2
                radius: 2
            }
        }

        Label {
            text: launcher.current.help
            wrapMode: Text.Wrap
            opacity: 0.75
            Layout.fillWidth: true
        }

        Label {
            text: launcher.current.field1 || ""
            visible: launcher.current.field1 !== undefined
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        RowLayout {
            visible: launcher.current.field1 !== undefined
            Layout.fillWidth: true
            TextField {
                id: field1
                objectName: "field1"
                Layout.fillWidth: true
                selectByMouse: true
                onTextEdited: launcher.typed[launcher.current.kind + 1] = text
                onAccepted: launcher.start()
            }
            Button {
                id: browseButton
                objectName: "browseButton"
                text: "Browse…"
                visible: launcher.current.browse !== undefined
                onClicked: launcher.browse()
            }
        }

        Label {
            text: launcher.current.field2 || ""
            visible: launcher.current.field2 !== undefined
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        TextField {
            id: field2
            objectName: "field2"
            visible: launcher.current.field2 !== undefined
            Layout.fillWidth: true
            selectByMouse: true
            onTextEdited: launcher.typed[launcher.current.kind + 2] = text
            onAccepted: launcher.start()
        }

        Label {
            objectName: "inputErrorLabel"
            text: launcher.inputError
            visible: text !== ""
            color: "#c0392b"
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Button {
            id: startButton
            objectName: "startButton"
            text: "Start “" + launcher.current.title + "”"
            highlighted: true
            Layout.fillWidth: true
            onClicked: launcher.start()
            Keys.onReturnPressed: launcher.start()
        }

        Item {
            Layout.fillHeight: true
        }
    }

    property alias fileDialog: fileDialog
    property alias folderDialog: folderDialog

    // On this Qt the file and folder dialogs are Qt Quick's own (non-native) implementation,
    // which needs the Qt.labs.folderlistmodel module: without it Qt crashes when a dialog opens.
    // So a dialog opens only once that module is known to load; otherwise the field says why.
    property bool dialogsAvailable: false
    function dialogSupportError() {
        if (dialogsAvailable)
            return ""
        try {
            var probe = Qt.createQmlObject("import Qt.labs.folderlistmodel; FolderListModel {}",
                                           launcher, "dialogProbe")
            probe.destroy()
            dialogsAvailable = true
            return ""
        } catch (e) {
            var detail = e.qmlErrors && e.qmlErrors.length > 0 ? e.qmlErrors[0].message : String(e)
            console.warn("Browse… unavailable: " + detail)
            return "The file dialog cannot open: Qt's module Qt.labs.folderlistmodel is missing "
                 + "(Debian: qml6-module-qt-labs-folderlistmodel; scripts/deps.sh installs it). "
                 + "Type the path instead."
        }
    }

    function browse() {
        var problem = dialogSupportError()
        if (problem !== "") {
            inputError = problem
            return
        }
        if (current.browse === "file")
            fileDialog.open()
        else
            folderDialog.open()
    }

    function pathOf(url) {
        var s = url.toString()
        return decodeURIComponent(s.replace(/^file:\/\//, ""))
    }

    FileDialog {
        id: fileDialog
        title: "Choose a file to hash"
        currentFolder: launcher.lastFolder !== "" ? "file://" + launcher.lastFolder : ""
        onAccepted: {
            field1.text = launcher.pathOf(selectedFile)
            launcher.typed[launcher.current.kind + 1] = field1.text
        }
    }

    FolderDialog {
        id: folderDialog
        title: "Choose a folder to scan"
        currentFolder: launcher.lastFolder !== "" ? "file://" + launcher.lastFolder : ""
        onAccepted: {
            field1.text = launcher.pathOf(selectedFolder)
            launcher.typed[launcher.current.kind + 1] = field1.text
        }
    }
}
