import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import AsyncJobs

// Picks a kind of job, takes its input and asks the window to start it (`launchRequested`).
// Keyboard: Up/Down in the list picks, Tab moves to the fields, Enter starts. Every control is
// named for screen readers by its visible label, and the kinds can be picked through their
// accessible Press action.
Frame {
    id: launcher

    property string lastFolder: ""
    property string inputError: ""
    property alias kindList: kindList
    property alias field1: field1
    property alias field2: field2
    property alias startButton: startButton
    property alias browseButton: browseButton
    property alias browseButton2: browseButton2
    readonly property var current: kinds[Math.max(0, kindList.currentIndex)]

    // `title`: the row's title; `detail`: what else it works on (empty: nothing).
    signal launchRequested(string kind, string title, string detail, var args, string rememberPath)

    Accessible.role: Accessible.Grouping
    Accessible.name: qsTr("New job")

    // What the launcher asks Rust: a row's subject (a URL's file name and host, a program's
    // name), file URLs and paths.
    readonly property LaunchHelper helper: LaunchHelper {}

    // `field1`/`field2`: the label of each input (absent: no input); `browse`/`browse2`:
    // "file" or "folder" (a Browse… button for that field); `hint2`: what the second field
    // does beyond its label.
    readonly property var kinds: [
        { kind: "hash", title: qsTr("Hash a file"),
          help: qsTr("SHA-256 of a file, read in 1 MiB chunks on a worker. Progress by bytes; Cancel stops it mid-file."),
          field1: qsTr("File"), default1: "", browse: "file" },
        { kind: "scan", title: qsTr("Scan a folder"),
          help: qsTr("Walks a folder tree on a worker and streams the matching files into the list as they are found. Unreadable folders are reported and skipped."),
          field1: qsTr("Folder"), default1: "", field2: qsTr("Name pattern (*, ?, [abc])"), default2: "*.rs", browse: "folder" },
        { kind: "primes", title: qsTr("Compute: count primes"),
          help: qsTr("Counts the primes below N with a segmented sieve. Try 2000000000 and watch the heartbeat keep going."),
          field1: qsTr("N (2 to 2000000000)"), default1: "200000000" },
        { kind: "pipeline", title: qsTr("Pipeline"),
          help: qsTr("Three jobs in a row: generate records → compress (DEFLATE) → SHA-256 checksum, each with its own status."),
          field1: qsTr("Size in MiB (1 to 1024)"), default1: "64" },
        { kind: "fanout", title: qsTr("Fan-out"),
          help: qsTr("Starts many small jobs at once on the worker pool, joins them all and reports jobs per second."),
          field1: qsTr("Number of jobs (1 to 100000)"), default1: "20000" },
        { kind: "race", title: qsTr("Race with timeout"),
          help: qsTr("The sieve and trial division count the same primes; the first result wins and the loser is cancelled. With a timeout, both are cancelled when it expires."),
          field1: qsTr("N (2 to 2000000000)"), default1: "3000000", field2: qsTr("Timeout in ms (empty: none)"), default2: "" },
        { kind: "fail", title: qsTr("Fail"),
          help: qsTr("Reads a settings file that does not exist. The error shows its whole context chain.") },
        { kind: "panic", title: qsTr("Panic"),
          help: qsTr("Indexes past the end of a list on a worker. The panic becomes this job's error, with the worker's backtrace; the app lives on.") },
        { kind: "ask", title: qsTr("Ask mid-job"),
          help: qsTr("Computes, then asks “Overwrite the output?” and waits for your answer without blocking anything; writes %1 only on Yes.").arg(launcher.helper.askOutput) },
        { kind: "block", title: qsTr("Block the GUI thread"),
          help: qsTr("A deliberate bug: the job sleeps 50 ms inside its coroutine, on the GUI thread. The window stalls for three frames and the diagnostics panel names the job under Slow polls.") },
        { kind: "download", title: qsTr("Download a URL"),
          help: qsTr("An HTTP(S) GET on tokio's threads, written to a file as it arrives: bytes, speed and time left, then the size and SHA-256 of what was saved. Cancel removes the partial file."),
          field1: qsTr("URL (http:// or https://)"), default1: "",
          field2: qsTr("Save to (a folder or a file name; empty: your Downloads folder)"), default2: "", browse2: "folder",
          hint2: qsTr("Nothing is ever replaced: in a folder, a name that is taken becomes “name (1).ext”; a file name that is taken is refused.") },
        { kind: "command", title: qsTr("Run a command"),
          help: qsTr("Runs a program with its arguments (no shell: quotes group words, nothing else is special). Its output lines stream into the job as they come; Cancel kills it and its children."),
          field1: qsTr("Command line"), default1: "ls -la /" }
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

    // A whole number as the locale writes it ("200,000,000"; German "200.000.000").
    function count(n) {
        return Number(n).toLocaleString(Qt.locale(), 'f', 0)
    }

    // The row's title and detail for `kind` started with `args`: what the job works on.
    function describe(k, args) {
        var s = launcher.helper.subject(k.kind, args)
        var n = Number(String(args[0] || "").trim().replace(/[_,]/g, ""))
        switch (k.kind) {
        case "hash":
            return [qsTr("Hash %1").arg(s[0]), qsTr("in %1").arg(s[1])]
        case "scan":
            return [qsTr("Scan %1 for %2").arg(s[0]).arg(s[2]), s[1]]
        case "primes":
            return [qsTr("Count primes below %1").arg(count(n)), ""]
        case "pipeline":
            return [qsTr("Pipeline of %1").arg(Qt.locale().formattedDataSize(n * 1048576, 0)), ""]
        case "fanout":
            return [n === 1 ? qsTr("Fan-out of 1 job") : qsTr("Fan-out of %1 jobs").arg(count(n)), ""]
        case "race":
            return [qsTr("Race to count primes below %1").arg(count(n)),
                    String(args[1] || "").trim() === "" ? qsTr("no timeout")
                                                        : qsTr("timeout %1 ms").arg(count(Number(args[1])))]
        case "ask":
            return [k.title, qsTr("writes %1").arg(launcher.helper.askOutput)]
        case "download":
            return [qsTr("Download %1").arg(s[0]), qsTr("from %1").arg(s[1])]
        case "command":
            return [qsTr("Run %1").arg(s[0]), s[1]]
        default:
            return [k.title, ""]
        }
    }

    function start() {
        var k = current
        var args = []
        if (k.field1)
            args.push(field1.text)
        if (k.field2 !== undefined)
            args.push(field2.text)
        var d = describe(k, args)
        launchRequested(k.kind, d[0], d[1], args, k.browse ? field1.text : "")
    }

    // Picks the kind at `index` (a click, or a screen reader's Press action).
    function pick(index) {
        kindList.currentIndex = index
        kindList.forceActiveFocus()
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
            text: qsTr("New job")
            font.bold: true
            Accessible.role: Accessible.Heading
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
            ScrollBar.vertical: ScrollBar {
                Accessible.name: qsTr("Scroll the kinds of job")
            }
            focus: true
            activeFocusOnTab: true
            keyNavigationEnabled: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Kinds of job")
            Accessible.description: qsTr("Up and Down pick a kind, Tab goes to its input, Enter starts it")
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
                Accessible.role: Accessible.ListItem
                Accessible.name: modelData.title
                Accessible.description: modelData.help
                Accessible.selectable: true
                Accessible.selected: ListView.isCurrentItem
                // The list item's own action: without a handler Qt offers none for list items.
                Accessible.onPressAction: launcher.pick(index)
                onClicked: launcher.pick(index)
                onDoubleClicked: launcher.start()
            }
            // The keyboard focus, visible.
            Rectangle {
                anchors.fill: parent
                color: "transparent"
                border.color: kindList.activeFocus ? "#3d7bd9" : "transparent"
                border.width: 2
                radius: 2
                Accessible.ignored: true
            }
        }

        Label {
            objectName: "helpLabel"
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
            Accessible.ignored: true // it is the field's name
        }
        RowLayout {
            visible: launcher.current.field1 !== undefined
            Layout.fillWidth: true
            TextField {
                id: field1
                objectName: "field1"
                Layout.fillWidth: true
                selectByMouse: true
                Accessible.name: launcher.current.field1 || ""
                Accessible.description: launcher.inputError
                onTextEdited: launcher.typed[launcher.current.kind + 1] = text
                onAccepted: launcher.start()
            }
            Button {
                id: browseButton
                objectName: "browseButton"
                text: qsTr("Browse…")
                visible: launcher.current.browse !== undefined
                Accessible.name: launcher.current.browse === "file" ? qsTr("Browse for the file")
                                                                     : qsTr("Browse for the folder")
                Accessible.onPressAction: clicked()
                onClicked: launcher.browse(1)
            }
        }

        Label {
            text: launcher.current.field2 || ""
            visible: launcher.current.field2 !== undefined
            wrapMode: Text.Wrap
            Layout.fillWidth: true
            Accessible.ignored: true // it is the field's name
        }
        RowLayout {
            visible: launcher.current.field2 !== undefined
            Layout.fillWidth: true
            TextField {
                id: field2
                objectName: "field2"
                Layout.fillWidth: true
                selectByMouse: true
                Accessible.name: launcher.current.field2 || ""
                Accessible.description: launcher.current.hint2 || ""
                onTextEdited: launcher.typed[launcher.current.kind + 2] = text
                onAccepted: launcher.start()
            }
            Button {
                id: browseButton2
                objectName: "browseButton2"
                text: qsTr("Browse…")
                visible: launcher.current.browse2 !== undefined
                Accessible.name: qsTr("Browse for the folder to save to")
                Accessible.onPressAction: clicked()
                onClicked: launcher.browse(2)
            }
        }
        Label {
            objectName: "hint2Label"
            text: launcher.current.hint2 || ""
            visible: text !== ""
            wrapMode: Text.Wrap
            opacity: 0.75
            font.pixelSize: 11
            Layout.fillWidth: true
            Accessible.ignored: true // the field's description
        }

        Label {
            objectName: "inputErrorLabel"
            text: launcher.inputError
            visible: text !== ""
            color: "#c0392b"
            wrapMode: Text.Wrap
            Layout.fillWidth: true
            Accessible.role: Accessible.AlertMessage
            Accessible.name: text
        }

        Button {
            id: startButton
            objectName: "startButton"
            text: qsTr("Start “%1”").arg(launcher.current.title)
            highlighted: true
            Layout.fillWidth: true
            // Qt 6.4 lists Press for a button but calls only a handler like this one (the
            // button's own C++ press action is not invokable): every button here has one.
            Accessible.onPressAction: clicked()
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
            return qsTr("The file dialog cannot open: Qt's module Qt.labs.folderlistmodel is missing "
                 + "(Debian: qml6-module-qt-labs-folderlistmodel; scripts/deps.sh installs it). "
                 + "Type the path instead.")
        }
    }

    // Which field the folder dialog fills (1 or 2).
    property int browsing: 1

    function browse(which) {
        var problem = dialogSupportError()
        if (problem !== "") {
            inputError = problem
            return
        }
        browsing = which
        var kind = which === 1 ? current.browse : current.browse2
        var dialog = kind === "file" ? fileDialog : folderDialog
        dialog.currentFolder = dialogFolder()
        dialog.open()
    }

    // The folder a dialog opens in: the field's folder if it names one, else the last folder.
    function dialogFolder() {
        var typedPath = (browsing === 1 ? field1 : field2).text
        return launcher.helper.folderUrl(typedPath !== "" ? typedPath : launcher.lastFolder)
    }

    function setField(which, path) {
        var field = which === 1 ? field1 : field2
        field.text = path
        launcher.typed[launcher.current.kind + which] = path
    }

    FileDialog {
        id: fileDialog
        title: qsTr("Choose a file to hash")
        onAccepted: launcher.setField(1, launcher.helper.pathFromUrl(selectedFile))
    }

    FolderDialog {
        id: folderDialog
        title: launcher.browsing === 2 ? qsTr("Choose the folder to save to") : qsTr("Choose a folder to scan")
        onAccepted: launcher.setField(launcher.browsing, launcher.helper.pathFromUrl(selectedFolder))
    }
}
