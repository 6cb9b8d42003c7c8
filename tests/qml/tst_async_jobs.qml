import QtQuick
import QtQuick.Controls
import QtTest
import CxxQtAsync
import AsyncJobs
import TestEnv

// Drives the real dashboard (qml/Main.qml) with real mouse clicks and key presses.
TestCase {
    id: tc
    name: "AsyncJobs"
    when: windowShown

    Component {
        id: mainWindow
        Main {}
    }

    Component {
        id: lonelyJob
        AsyncJob {}
    }

    property var win: null
    property string current: ""
    readonly property string fixtures: {
        var url = Qt.resolvedUrl("fixtures").toString()
        return decodeURIComponent(url.replace(/^file:\/\//, ""))
    }

    // Opens a fresh main window for test `name` and waits until it is on screen.
    function open(name) {
        current = name
        win = createTemporaryObject(mainWindow, tc)
        verify(win !== null, "the main window was created")
        tryVerify(function () { return win.visible && win.width > 0 }, 5000)
        waitForRendering(win.contentItem, 5000)
        // Without a window manager (bare Xvfb) nothing activates a new window: ask for it, so
        // key presses reach it like a person's would.
        win.requestActivate()
        tryVerify(function () { return win.active }, 5000, "the window is active")
        return win
    }

    // Clicks the job kind `kind` in the launcher's list.
    function pick(kind) {
        var item = findChild(win.launcher.kindList, "kind_" + kind)
        verify(item !== null, "kind " + kind + " is listed")
        mouseClick(item)
        compare(win.launcher.current.kind, kind)
        // Fields appear or hide with the kind: let the layout place them before any click.
        waitForRendering(win.contentItem, 2000)
    }

    // Replaces the text of `field` with `text`, typed key by key.
    function typeInto(field, text) {
        // The field may have just appeared: wait until its layouts have placed it.
        tryVerify(function () { return field.visible && field.width > 0 }, 2000)
        for (var p = field.parent; p !== null && p !== win.contentItem; p = p.parent)
            waitForItemPolished(p, 2000)
        mouseClick(field)
        tryVerify(function () { return field.activeFocus }, 2000)
        keyClick(Qt.Key_A, Qt.ControlModifier)
        keyClick(Qt.Key_Delete)
        for (var i = 0; i < text.length; ++i)
            keyClick(text[i])
        compare(field.text, text)
    }

    // Picks `kind`, types its inputs, clicks Start; returns the new job (or null if refused).
    function startJob(kind, text1, text2) {
        pick(kind)
        if (text1 !== undefined)
            typeInto(win.launcher.field1, text1)
        if (text2 !== undefined)
            typeInto(win.launcher.field2, text2)
        var before = win.jobsModel.count
        mouseClick(win.launcher.startButton)
        if (win.jobsModel.count === before)
            return null
        compare(win.jobsModel.count, before + 1)
        return win.jobsModel.get(0).job
    }

    // The on-screen row of the newest job.
    // Whether the engine's task list (as the panel gets it) has a coroutine labelled `label`.
    function taskListHas(label) {
        var list = win.diagnostics.tasks
        for (var i = 0; i < list.length; ++i) {
            if (list[i].label === label)
                return true
        }
        return false
    }

    function newestRow() {
        win.jobsView.positionViewAtBeginning()
        var row = win.jobsView.itemAtIndex(0)
        verify(row !== null, "the newest job has a row")
        return row
    }

    // Every test fails on a QML module or component that does not load (a missing Debian
    // package, a typo in an import): on this Qt such a failure can crash the app later.
    function init() {
        failOnWarning(/is not installed/)
        failOnWarning(/Failed to load/)
        failOnWarning(/module .* is not installed/)
    }

    function cleanup() {
        // Saved for every test; the Rust harness keeps only the failures' screenshots.
        if (win && current !== "") {
            var image = grabImage(win.contentItem)
            image.save("target/gui-screens/" + current + ".png")
        }
        current = ""
    }

    function test_compute_job_shows_its_result() {
        open("test_compute_job_shows_its_result")
        var job = startJob("primes", "1000000")
        verify(job !== null, "the job started")
        var count = findChild(win.contentItem, "jobCountLabel")
        tryVerify(function () { return job.state === "done" || count.text === "1 running · 1 in the list" }, 20000, count.text)
        tryCompare(job, "state", "done", 20000)
        tryCompare(count, "text", "0 running · 1 in the list", 2000)
        compare(job.result, "78498 primes below 1000000")
        compare(job.error, "")
        compare(job.progress, 1)
        var row = newestRow()
        compare(findChild(row, "resultLabel").text, "78498 primes below 1000000")
        compare(findChild(row, "stateLabel").text, "done")
        verify(job.elapsedMs > 0)
    }

    function test_enter_starts_the_selected_job_from_the_list_and_from_a_field() {
        open("test_enter_starts_the_selected_job_from_the_list_and_from_a_field")
        pick("primes")
        typeInto(win.launcher.field1, "100")
        keyClick(Qt.Key_Return)
        compare(win.jobsModel.count, 1, "Enter in the field started the job")
        tryCompare(win.jobsModel.get(0).job, "result", "25 primes below 100", 20000)
        // From the list: the kind list has the focus after a click; Down picks the next kind.
        pick("primes")
        keyClick(Qt.Key_Down)
        compare(win.launcher.current.kind, "pipeline")
        keyClick(Qt.Key_Up)
        keyClick(Qt.Key_Return)
        compare(win.jobsModel.count, 2, "Enter in the list started the job")
        compare(win.jobsModel.get(0).job.kind, "primes")
    }

    function test_tab_moves_from_the_list_to_the_fields_and_start() {
        open("test_tab_moves_from_the_list_to_the_fields_and_start")
        pick("race")
        verify(win.launcher.kindList.activeFocus)
        keyClick(Qt.Key_Tab)
        verify(win.launcher.field1.activeFocus, "list → first field")
        keyClick(Qt.Key_Tab)
        verify(win.launcher.field2.activeFocus, "first field → second field")
        keyClick(Qt.Key_Tab)
        verify(win.launcher.startButton.activeFocus, "second field → Start")
    }

    function test_bad_numbers_show_their_message_and_start_nothing() {
        open("test_bad_numbers_show_their_message_and_start_nothing")
        var cases = [
            ["primes", "", "Enter a whole number N"],
            ["primes", "abc", "“abc” is not a whole number"],
            ["primes", "1", "N must be at least 2"],
            ["primes", "2000000001", "N must be at most 2000000000"],
            ["fanout", "0", "The number of jobs must be from 1 to 100000"],
            ["fanout", "x1", "“x1” is not a whole number"],
            ["pipeline", "5000", "The size in MiB must be from 1 to 1024"],
        ]
        for (var i = 0; i < cases.length; ++i) {
            var job = startJob(cases[i][0], cases[i][1])
            compare(job, null, "nothing started for " + cases[i][1])
            compare(win.launcher.inputError, cases[i][2])
            verify(findChild(win.launcher, "inputErrorLabel").visible, "the message is on screen")
        }
        compare(win.jobsModel.count, 0)
        // A valid input clears the message.
        verify(startJob("primes", "10") !== null)
        compare(win.launcher.inputError, "")
    }

    function test_hash_of_a_typed_path_shows_its_sha256() {
        open("test_hash_of_a_typed_path_shows_its_sha256")
        var job = startJob("hash", fixtures + "/abc.txt")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 20000)
        compare(job.result, "SHA-256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (3 B)")
    }

    function test_hash_of_a_missing_path_or_a_folder_shows_a_message_and_starts_nothing() {
        open("test_hash_of_a_missing_path_or_a_folder_shows_a_message_and_starts_nothing")
        compare(startJob("hash", fixtures + "/no-such-file.bin"), null)
        compare(win.launcher.inputError, "No such file or folder: " + fixtures + "/no-such-file.bin")
        compare(startJob("hash", fixtures), null)
        compare(win.launcher.inputError, fixtures + " is a folder; choose a file")
        compare(startJob("hash", ""), null)
        compare(win.launcher.inputError, "Enter a path")
        compare(win.jobsModel.count, 0)
    }

    function test_hash_can_be_cancelled_mid_file() {
        open("test_hash_can_be_cancelled_mid_file")
        // An endless file: only Cancel ends this hash.
        var job = startJob("hash", "/dev/zero")
        verify(job !== null, win.launcher.inputError)
        tryVerify(function () { return job.progressText.indexOf("MiB") > 0 }, 10000, "bytes are being hashed: " + job.progressText)
        var row = newestRow()
        verify(row.cancelButton.visible, "a running job offers Cancel")
        tryVerify(function () { return taskListHas("Hash zero") }, 5000, "listed while it runs")
        mouseClick(row.cancelButton)
        compare(job.state, "cancelled")
        compare(job.running, false)
        verify(!row.cancelButton.visible, "nothing left to cancel")
        // Its coroutine is gone from the engine's task list.
        tryVerify(function () {
            return !taskListHas("Hash zero")
        }, 5000, "the task list no longer shows the job")
    }

    function test_scan_streams_matches_and_reports_the_unreadable_entry() {
        open("test_scan_streams_matches_and_reports_the_unreadable_entry")
        var job = startJob("scan", fixtures + "/scan", "*.txt")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 20000)
        compare(job.result, "2 matching files, 12 B; 1 could not be read")
        compare(job.itemCount, 3, "two files and one unreadable entry were streamed")
        var row = newestRow()
        verify(row.detailsButton.visible)
        mouseClick(row.detailsButton)
        tryVerify(function () { return row.itemsView.visible }, 2000)
        compare(row.itemsView.count, 3)
        var texts = []
        for (var i = 0; i < row.job.recentItems.length; ++i)
            texts.push(row.job.recentItems[i])
        var all = texts.join("\n")
        verify(all.indexOf("/scan/one.txt  (4 B)") > 0, all)
        verify(all.indexOf("/scan/sub/two.txt  (8 B)") > 0, all)
        verify(all.indexOf("⚠ cannot read ") === all.indexOf("⚠"), all)
        verify(all.indexOf("broken.txt") > 0, all)
    }

    function test_scan_bad_pattern_or_missing_folder_shows_a_message_and_starts_nothing() {
        open("test_scan_bad_pattern_or_missing_folder_shows_a_message_and_starts_nothing")
        compare(startJob("scan", fixtures, "[z-a"), null)
        verify(win.launcher.inputError.indexOf("Bad pattern “[z-a”: ") === 0, win.launcher.inputError)
        compare(startJob("scan", fixtures + "/nowhere", "*"), null)
        compare(win.launcher.inputError, "No such file or folder: " + fixtures + "/nowhere")
        compare(startJob("scan", fixtures + "/abc.txt", "*"), null)
        compare(win.launcher.inputError, fixtures + "/abc.txt is not a folder")
        compare(win.jobsModel.count, 0)
    }

    function test_a_successful_scan_remembers_its_folder() {
        open("test_a_successful_scan_remembers_its_folder")
        verify(startJob("scan", fixtures + "/scan", "*") !== null)
        tryCompare(win.settings, "lastFolder", fixtures + "/scan", 5000)
        // A fresh window fills the path field with it.
        win = createTemporaryObject(mainWindow, tc)
        tryVerify(function () { return win.visible })
        pick("hash")
        compare(win.launcher.field1.text, fixtures + "/scan")
    }

    function test_pipeline_runs_three_steps_with_their_status() {
        open("test_pipeline_runs_three_steps_with_their_status")
        var steps = []
        var job = startJob("pipeline", "4")
        verify(job !== null, win.launcher.inputError)
        job.progressTextChanged.connect(function () {
            if (steps.indexOf(job.progressText) < 0 && job.progressText !== "")
                steps.push(job.progressText)
        })
        tryCompare(job, "state", "done", 60000)
        verify(/^4\.0 MiB → .* compressed; SHA-256 [0-9a-f]{16}…$/.test(job.result), job.result)
        // The first step may have been shown before the test listened.
        verify(steps.indexOf("step 2 of 3: compressing") >= 0, steps)
        verify(steps.indexOf("step 3 of 3: checksum") > steps.indexOf("step 2 of 3: compressing"), steps)
    }

    function test_fanout_joins_all_jobs_and_reports_jobs_per_second() {
        open("test_fanout_joins_all_jobs_and_reports_jobs_per_second")
        var job = startJob("fanout", "3000")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 60000)
        verify(/^3000 jobs joined in \d+ ms: \d+ jobs\/s \(checksum \d+\)$/.test(job.result), job.result)
    }

    function test_race_shows_the_winner_and_cancels_the_loser() {
        open("test_race_shows_the_winner_and_cancels_the_loser")
        var job = startJob("race", "2000000", "")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 60000)
        compare(job.result, "the sieve won: 148933 primes below 2000000; trial division was cancelled")
    }

    function test_race_timeout_cancels_both() {
        open("test_race_timeout_cancels_both")
        var job = startJob("race", "2000000000", "50")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "failed", 20000)
        verify(job.error.indexOf("neither finished in time; both were cancelled: timed out after 50ms") === 0, job.error)
        compare(startJob("race", "1000", "0"), null)
        compare(win.launcher.inputError, "The timeout in ms must be from 1 to 600000")
    }

    function test_failing_job_shows_its_error_chain_and_backtrace() {
        open("test_failing_job_shows_its_error_chain_and_backtrace")
        var job = startJob("fail")
        tryCompare(job, "state", "failed", 20000)
        var e = job.error
        verify(e.indexOf("job awaited at src/jobs.rs:") === 0, e)
        verify(e.indexOf("loading the demo settings: reading /nonexistent/async-jobs/settings.toml: No such file or directory") > 0, e)
        var row = newestRow()
        compare(findChild(row, "resultLabel").text, e)
        // The failure shows at once; its worker backtrace follows (rendered on a worker).
        tryVerify(function () { return row.detailsButton.visible }, 5000, "the backtrace can be opened")
        mouseClick(row.detailsButton)
        var details = findChild(row, "detailsText")
        tryVerify(function () { return details.visible }, 2000, "the backtrace is shown")
        verify(details.text.indexOf("cxx_qt_async_engine::job::run_on_worker") >= 0, "a worker frame is in it")
    }

    function test_panicking_job_becomes_an_error_and_the_app_lives_on() {
        open("test_panicking_job_becomes_an_error_and_the_app_lives_on")
        var job = startJob("panic")
        tryCompare(job, "state", "failed", 20000)
        var e = job.error
        // On a core worker, or on a reserve worker when the core ones are still busy with an
        // earlier test's jobs (a loaded machine).
        verify(/panicked on cxx-qt-async-(worker|reserve)-[0-9]+/.test(e), e)
        verify(e.indexOf("index out of bounds: the len is 0 but the index is 3") > 0, e)
        verify(e.indexOf("src/work.rs") > 0, "panic location: " + e)
        var after = startJob("primes", "1000")
        tryCompare(after, "state", "done", 20000)
        compare(after.result, "168 primes below 1000")
    }

    function test_ask_mid_job_yes_writes_and_no_keeps() {
        open("test_ask_mid_job_yes_writes_and_no_keeps")
        var job = startJob("ask")
        tryVerify(function () { return win.askDialog.opened }, 20000, "the job asks")
        compare(findChild(win.askDialog, "questionLabel").text, "Overwrite the output?\n(Ask mid-job)")
        compare(job.progressText, "waiting for your answer")
        verify(job.waitingForAnswer)
        // The loop keeps running while the coroutine waits: no nested event loop, no freeze.
        var beat = win.heartbeat
        tryVerify(function () { return win.heartbeat >= beat + 10 }, 5000, "heartbeat while asking")
        mouseClick(findChild(win.askDialog.footer, "yesButton"))
        tryCompare(job, "state", "done", 20000)
        verify(job.result.indexOf("wrote ") === 0, job.result)
        verify(job.result.indexOf("/ask-output.txt (checksum ") > 0, "written in the app's folder, not the temp folder: " + job.result)
        tryVerify(function () { return !win.askDialog.visible })
        var again = startJob("ask")
        tryVerify(function () { return win.askDialog.opened }, 20000, "the job asks again")
        mouseClick(findChild(win.askDialog.footer, "noButton"))
        tryCompare(again, "state", "done", 20000)
        verify(again.result.indexOf("kept the existing output") === 0, again.result)
    }

    function test_cancel_button_stops_a_compute_job_while_the_loop_keeps_ticking() {
        open("test_cancel_button_stops_a_compute_job_while_the_loop_keeps_ticking")
        var job = startJob("primes", "2000000000")
        tryVerify(function () { return job.progress > 0 }, 10000, "the job reports progress")
        compare(job.state, "running")
        var start = win.heartbeat
        tryVerify(function () { return win.heartbeat >= start + 30 }, 5000, "heartbeat kept ticking")
        verify(job.running, "the job was still running while the loop ticked")
        mouseClick(newestRow().cancelButton)
        compare(job.state, "cancelled")
        // The worker is free again: a new job finishes.
        var next = startJob("primes", "1000")
        tryCompare(next, "state", "done", 20000)
    }

    function test_a_quick_job_does_not_wait_for_long_ones_that_hold_every_worker() {
        open("test_a_quick_job_does_not_wait_for_long_ones_that_hold_every_worker")
        // One long job per worker (the tests run with the default pool: one worker per CPU).
        var busy = []
        for (var i = 0; i < win.diagnostics.workerThreads; ++i) {
            busy.push(startJob("primes", "2000000000"))
            tryCompare(busy[i], "state", "running", 10000)
        }
        // A reserve worker takes it while the long ones run on.
        var quick = startJob("primes", "1000")
        tryCompare(quick, "state", "done", 5000)
        compare(quick.result, "168 primes below 1000")
        for (var j = 0; j < busy.length; ++j) {
            compare(busy[j].state, "running", "the long job runs on")
            busy[j].cancel()
        }
    }

    function test_delete_key_cancels_the_selected_running_job_then_removes_it() {
        open("test_delete_key_cancels_the_selected_running_job_then_removes_it")
        var job = startJob("primes", "2000000000")
        tryCompare(job, "state", "running", 10000)
        mouseClick(newestRow(), 20, 20)
        verify(win.jobsView.activeFocus, "a click on a row gives the list the keyboard")
        keyClick(Qt.Key_Delete)
        compare(job.state, "cancelled")
        compare(win.jobsModel.count, 1, "still listed")
        keyClick(Qt.Key_Delete)
        compare(win.jobsModel.count, 0, "a second Delete removes it")
    }

    function test_space_on_the_selected_row_opens_and_closes_its_details() {
        open("test_space_on_the_selected_row_opens_and_closes_its_details")
        var job = startJob("scan", fixtures + "/scan", "*.txt")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 20000)
        var row = newestRow()
        mouseClick(row, 20, 20)
        verify(win.jobsView.activeFocus, "a click on a row gives the list the keyboard")
        verify(!row.itemsView.visible)
        keyClick(Qt.Key_Space)
        tryVerify(function () { return row.itemsView.visible }, 2000, "Space opened the items")
        keyClick(Qt.Key_Space)
        tryVerify(function () { return !row.itemsView.visible }, 2000, "Space closed them")
    }

    function test_removing_a_running_job_object_cancels_it_without_a_crash() {
        open("test_removing_a_running_job_object_cancels_it_without_a_crash")
        var doomed = lonelyJob.createObject(tc, { kind: "primes", name: "doomed" })
        verify(doomed.start(["2000000000"]))
        tryCompare(doomed, "state", "running", 10000)
        tryVerify(function () { return taskListHas("doomed") }, 5000, "listed while running")
        doomed.destroy()
        tryVerify(function () { return !taskListHas("doomed") }, 5000, "gone from the task list")
        // The pool is free again (the sieve saw its token): a job finishes.
        var next = startJob("primes", "100000")
        tryCompare(next, "state", "done", 20000)
    }

    function test_diagnostics_panel_lists_tasks_and_plots_lag() {
        open("test_diagnostics_panel_lists_tasks_and_plots_lag")
        var job = startJob("hash", "/dev/zero")
        tryVerify(function () { return win.diagnosticsPanel.lagPlot.samples.length >= 5 }, 5000, "lag samples arrive")
        tryVerify(function () {
            var list = win.diagnosticsPanel.taskList
            for (var i = 0; i < list.length; ++i) {
                if (list[i].label === "Hash zero")
                    return list[i].state === "waiting on worker job" && list[i].owner.indexOf("AsyncJob #") === 0
            }
            return false
        }, 5000, "the task list shows the job: " + JSON.stringify(win.diagnostics.tasks))
        verify(win.diagnosticsPanel.taskView.count >= 2, "the job and the lag meter at least")
        job.cancel()
    }

    function test_diagnostics_panel_shows_the_memory_in_use() {
        open("test_diagnostics_panel_shows_the_memory_in_use")
        tryVerify(function () { return win.diagnostics.residentMb > 10 && win.diagnostics.heapMb > 1 }, 5000,
                  "memory figures arrive: " + win.diagnostics.residentMb + " MB, " + win.diagnostics.heapMb + " MB")
        var label = findChild(win.diagnosticsPanel, "memoryLabel")
        verify(label.visible)
        // The figures are MiB, and say so (formatted by the locale).
        var mib = function (v) { return Qt.locale().formattedDataSize(Math.round(v * 1048576), 1) }
        verify(label.text.indexOf(mib(win.diagnostics.residentMb) + " resident") > 0, label.text)
        verify(label.text.indexOf(mib(win.diagnostics.heapMb) + " allocated") > 0, label.text)
        verify(label.text.indexOf("MiB") > 0 && label.text.indexOf(" MB") < 0, label.text)
    }

    // The dialog's own (non-native) implementation is a popup of the window.
    function dialogList(name) {
        var list = null
        tryVerify(function () {
            list = findChild(win, name)
            return list !== null && list.visible && list.count > 0
        }, 10000, "the dialog shows its list " + name)
        return list
    }

    function test_browse_opens_the_file_dialog_and_escape_cancels_it() {
        open("test_browse_opens_the_file_dialog_and_escape_cancels_it")
        pick("hash")
        typeInto(win.launcher.field1, "typed-before")
        mouseClick(win.launcher.browseButton)
        var dialog = win.launcher.fileDialog
        tryVerify(function () { return dialog.visible }, 10000, "the file dialog opened")
        dialogList("fileDialogListView")
        compare(win.launcher.inputError, "")
        keyClick(Qt.Key_Escape)
        tryVerify(function () { return !dialog.visible }, 5000, "Escape closed the dialog")
        compare(win.launcher.field1.text, "typed-before", "cancelling changed nothing")
        compare(win.jobsModel.count, 0)
    }

    function test_browse_opens_the_folder_dialog_and_escape_cancels_it() {
        open("test_browse_opens_the_folder_dialog_and_escape_cancels_it")
        pick("scan")
        mouseClick(win.launcher.browseButton)
        var dialog = win.launcher.folderDialog
        tryVerify(function () { return dialog.visible }, 10000, "the folder dialog opened")
        dialogList("folderDialogListView")
        keyClick(Qt.Key_Escape)
        tryVerify(function () { return !dialog.visible }, 5000, "Escape closed the dialog")
        compare(win.launcher.inputError, "")
    }

    function test_a_file_picked_in_the_dialog_is_hashed() {
        open("test_a_file_picked_in_the_dialog_is_hashed")
        pick("hash")
        win.launcher.lastFolder = fixtures
        mouseClick(win.launcher.browseButton)
        var dialog = win.launcher.fileDialog
        tryVerify(function () { return dialog.visible }, 10000, "the file dialog opened")
        var list = dialogList("fileDialogListView")
        var target = null
        tryVerify(function () {
            for (var i = 0; i < list.count; ++i) {
                var d = findChild(list, "fileDialogDelegate" + i)
                if (d !== null && d.fileName === "abc.txt")
                    target = d
            }
            return target !== null
        }, 5000, "abc.txt is listed in " + dialog.currentFolder)
        mouseClick(target)
        if (dialog.visible)
            mouseClick(target) // a first click may only select
        if (dialog.visible)
            keyClick(Qt.Key_Return)
        tryVerify(function () { return !dialog.visible }, 5000, "choosing the file closed the dialog")
        compare(win.launcher.field1.text, fixtures + "/abc.txt")
        mouseClick(win.launcher.startButton)
        compare(win.jobsModel.count, 1)
        var job = win.jobsModel.get(0).job
        tryCompare(job, "state", "done", 20000)
        compare(job.result, "SHA-256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (3 B)")
    }

    // Random strings typed into every field of every kind, each followed by Enter: the app stays
    // alive, and each Enter either starts a job or shows why not (a fixed seed: reproducible).
    function test_random_typing_into_every_field_starts_a_job_or_says_why() {
        open("test_random_typing_into_every_field_starts_a_job_or_says_why")
        var seed = 20261202
        function random(n) {
            seed = (seed * 1103515245 + 12345) % 2147483648
            return seed % n
        }
        var alphabet = "0123456789 -_.,/*?[]abcxyzZ~"
        var kinds = ["hash", "scan", "primes", "pipeline", "fanout", "race", "download"]
        var tries = 0
        var startedCount = 0
        for (var k = 0; k < kinds.length; ++k) {
            pick(kinds[k])
            for (var t = 0; t < 4; ++t) {
                var fields = [win.launcher.field1, win.launcher.field2]
                for (var f = 0; f < fields.length; ++f) {
                    if (!fields[f].visible)
                        continue
                    var text = ""
                    var length = random(12)
                    for (var i = 0; i < length; ++i)
                        text += alphabet[random(alphabet.length)]
                    typeInto(fields[f], text)
                }
                var before = win.jobsModel.count
                keyClick(Qt.Key_Return)
                tries += 1
                verify(win.visible, "the window is still there")
                var started = win.jobsModel.count === before + 1
                verify(started || win.launcher.inputError !== "",
                       kinds[k] + ": “" + win.launcher.field1.text + "” / “" + win.launcher.field2.text
                       + "” neither started a job nor said why")
                if (started) {
                    startedCount += 1
                    var job = win.jobsModel.get(0).job
                    if (job.running)
                        job.cancel()
                }
            }
        }
        verify(tries >= kinds.length * 4)
        console.log("random typing: " + tries + " tries, " + startedCount + " started a job, "
                    + (tries - startedCount) + " refused with a message")
        // The app still works normally afterwards.
        var job = startJob("primes", "1000")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 20000)
        compare(job.result, "168 primes below 1000")
    }

    // --- Download a URL and Run a command (the harness starts a server on 127.0.0.1) ---

    readonly property string server: TestEnv.GUI_TEST_SERVER || ""
    readonly property string downloads: TestEnv.GUI_TEST_DOWNLOADS || ""

    // Asks the real app whether `path` exists: the hash launcher refuses a missing file.
    function fileExists(path) {
        pick("hash")
        win.launcher.field1.text = path
        var before = win.jobsModel.count
        win.launcher.start()
        if (win.jobsModel.count > before) {
            win.jobsModel.get(0).job.cancel()
            return true
        }
        verify(win.launcher.inputError.indexOf("No such file or folder") === 0, win.launcher.inputError)
        return false
    }

    function test_download_saves_the_file_and_shows_its_size_and_sha256() {
        open("test_download_saves_the_file_and_shows_its_size_and_sha256")
        verify(server !== "" && downloads !== "", "the harness set up a server and a folder")
        var job = startJob("download", server + "/big.bin", downloads)
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 30000)
        compare(job.result, "saved 8.0 MiB to " + downloads + "/big.bin; SHA-256 " + TestEnv.GUI_TEST_BIG_SHA256)
        compare(job.progress, 1)
        // The same bytes, hashed from the disk by the app's own hash job.
        pick("hash")
        var check = startJob("hash", downloads + "/big.bin")
        verify(check !== null, win.launcher.inputError)
        tryCompare(check, "state", "done", 20000)
        compare(check.result, "SHA-256 " + TestEnv.GUI_TEST_BIG_SHA256 + " (8.0 MiB)")
        // A second download to the same folder never overwrites the first.
        var again = startJob("download", server + "/big.bin", downloads)
        verify(again !== null, win.launcher.inputError)
        tryCompare(again, "state", "done", 30000)
        verify(again.result.indexOf(downloads + "/big (1).bin;") > 0, again.result)
    }

    function test_download_without_a_length_and_through_a_redirect() {
        open("test_download_without_a_length_and_through_a_redirect")
        var chunked = startJob("download", server + "/chunked.bin", downloads)
        verify(chunked !== null, win.launcher.inputError)
        tryCompare(chunked, "state", "done", 30000)
        verify(chunked.result.indexOf("SHA-256 " + TestEnv.GUI_TEST_BIG_SHA256) > 0, chunked.result)
        var redirected = startJob("download", server + "/redirect", downloads + "/via-redirect.bin")
        verify(redirected !== null, win.launcher.inputError)
        tryCompare(redirected, "state", "done", 30000)
        compare(redirected.result, "saved 8.0 MiB to " + downloads + "/via-redirect.bin; SHA-256 " + TestEnv.GUI_TEST_BIG_SHA256)
    }

    function test_download_cancelled_midway_removes_the_partial_file() {
        open("test_download_cancelled_midway_removes_the_partial_file")
        var target = downloads + "/slow.bin"
        var job = startJob("download", server + "/slow.bin", target)
        verify(job !== null, win.launcher.inputError)
        // Waits for what it asserts: bytes of the body arrived (the progress, and the speed and
        // time left, which need bytes). " of 8.0 MiB" alone shows as soon as the length is
        // known, before the first byte.
        tryVerify(function () {
            return job.progress > 0 && job.progressText.indexOf(" of 8.0 MiB") > 0 && job.progressText.indexOf(" left") > 0
        }, 10000, "part of the body arrived")
        verify(job.progress > 0 && job.progress < 1, "part of the body arrived: " + job.progress)
        verify(job.progressText.indexOf("/s") > 0 && job.progressText.indexOf("left") > 0, job.progressText)
        var row = newestRow()
        compare(findChild(row, "titleLabel").text, "Download slow.bin")
        verify(fileExists(target + ".part"), "the partial file is being written")
        job.cancel()
        compare(job.state, "cancelled")
        // The row keeps what it had done, without a speed or a time left.
        var kept = findChild(row, "progressTextLabel")
        verify(kept.visible && /^stopped at: [\d.]+ (KiB|MiB) of 8\.0 MiB$/.test(kept.text), kept.text)
        tryVerify(function () { return !fileExists(target + ".part") }, 10000, "the partial file was removed")
        verify(!fileExists(target), "nothing was saved")
    }

    function test_download_failures_say_what_went_wrong() {
        open("test_download_failures_say_what_went_wrong")
        var refused = TestEnv.GUI_TEST_REFUSED_URL
        var port = refused.replace(/^http:\/\/127\.0\.0\.1:(\d+)\/.*$/, "$1")
        // What each failed row says, whole: in words first, the detail after.
        var cases = [
            [server + "/missing.bin", "missing.bin", /^the server answered 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/missing\.bin$/],
            [server + "/error", "error", /^the server answered 500 Internal Server Error for http:\/\/127\.0\.0\.1:\d+\/error$/],
            [refused, "file.bin", new RegExp("^127\\.0\\.0\\.1:" + port + " refused the connection \\(is a server running there\\?\\)$")],
            [server + "/stall.bin", "stall.bin", /^no data for 1 s from 127\.0\.0\.1 after 64\.0 KiB of 8\.0 MiB; gave up$/],
        ]
        for (var i = 0; i < cases.length; ++i) {
            var job = startJob("download", cases[i][0], downloads + "/failed-" + i + ".bin")
            verify(job !== null, win.launcher.inputError)
            tryCompare(job, "state", "failed", 20000)
            var row = newestRow()
            compare(findChild(row, "titleLabel").text, "Download " + cases[i][1])
            compare(findChild(row, "detailLabel").text, "from 127.0.0.1")
            var said = findChild(row, "resultLabel").text
            verify(cases[i][2].test(said), cases[i][0] + ": " + said)
            verify(said.split("refused").length <= 2, "refused once: " + said)
            verify(!fileExists(downloads + "/failed-" + i + ".bin"), "nothing saved for " + cases[i][0])
        }
        compare(startJob("download", "example.com/a.zip", downloads), null)
        compare(win.launcher.inputError, "“example.com/a.zip” is not a URL: start it with http:// or https://")
        compare(startJob("download", "ftp://example.com/a.zip", downloads), null)
        compare(win.launcher.inputError, "Only http and https URLs can be downloaded, not ftp:")
        compare(startJob("download", server + "/big.bin", "/no/such/folder/x.bin"), null)
        compare(win.launcher.inputError, "No such folder: /no/such/folder")
        compare(startJob("download", server + "/big.bin", "/etc/passwd/x.bin"), null)
        compare(win.launcher.inputError, "No such folder: /etc/passwd")
    }

    function test_command_streams_its_lines_and_its_exit_is_the_result() {
        open("test_command_streams_its_lines_and_its_exit_is_the_result")
        var job = startJob("command", "ls -la /")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 20000)
        verify(job.result.indexOf("ls ended with exit code 0; ") === 0, job.result)
        verify(job.itemCount > 5, "ls -la / printed its lines: " + job.itemCount)
        var row = newestRow()
        mouseClick(row.detailsButton)
        tryVerify(function () { return row.itemsView.visible }, 2000)
        var texts = []
        for (var i = 0; i < row.job.recentItems.length; ++i)
            texts.push(row.job.recentItems[i])
        verify(texts.join("\n").indexOf(" etc") > 0, texts.join("\n"))
        var failing = startJob("command", "ls /no-such-entry")
        tryCompare(failing, "state", "failed", 20000)
        verify(failing.error.indexOf("ls ended with exit code 2") === 0, failing.error)
        verify(failing.itemCount >= 1, "its stderr line was shown")
        var missing = startJob("command", "no-such-program-xyz --help")
        tryCompare(missing, "state", "failed", 20000)
        verify(missing.error.indexOf("no program “no-such-program-xyz” found") === 0, missing.error)
        compare(startJob("command", "echo 'open"), null)
        compare(win.launcher.inputError, "A quote (') is not closed")
    }

    // `cat /dev/zero` writes one endless line, `yes` a flood of short ones: for 10 s each the
    // app's resident memory stays within 200 MiB of where it started (before the lines were
    // bounded, `cat /dev/zero` grew it by about a gigabyte a second).
    function test_an_endless_line_and_a_flood_of_lines_keep_memory_bounded() {
        open("test_an_endless_line_and_a_flood_of_lines_keep_memory_bounded")
        tryVerify(function () { return win.diagnostics.residentMb > 0 }, 5000, "memory figures arrive")
        var start = win.diagnostics.residentMb
        var bound = start + 200
        var programs = ["cat /dev/zero", "yes"]
        for (var p = 0; p < programs.length; ++p) {
            var job = startJob("command", programs[p])
            verify(job !== null, win.launcher.inputError)
            var worst = 0
            var began = Date.now()
            // Each second's reading, for 10 s: any reading above the bound fails at once.
            tryVerify(function () {
                worst = Math.max(worst, win.diagnostics.residentMb)
                verify(win.diagnostics.residentMb < bound, programs[p] + ": resident "
                       + win.diagnostics.residentMb.toFixed(0) + " MiB, started at " + start.toFixed(0))
                return Date.now() - began > 10000
            }, 20000)
            verify(job.running, programs[p] + " still runs")
            if (p === 0) {
                verify(job.itemCount >= 1, "the endless line was shown, cut")
                var first = job.recentItems[0]
                verify(first.length < 17 * 1024 && first.indexOf("[cut: the line is longer than 16 KiB]") > 0,
                       "cut and marked: " + first.length)
            } else {
                verify(job.itemCount > 1000, "yes printed: " + job.itemCount)
            }
            job.cancel()
            console.log(programs[p] + ": resident at most " + worst.toFixed(0) + " MiB (" + start.toFixed(0) + " at the start)")
        }
        // The window stayed live meanwhile.
        var beat = win.heartbeat
        tryVerify(function () { return win.heartbeat > beat + 10 }, 5000)
    }

    function test_command_cancel_kills_the_program_and_its_children() {
        open("test_command_cancel_kills_the_program_and_its_children")
        // A child (sleep) of the program (sh): both must go.
        var job = startJob("command", "sh -c 'sleep 1000.123 & echo started; while true; do sleep 1; done'")
        verify(job !== null, win.launcher.inputError)
        tryVerify(function () { return job.itemCount >= 1 }, 10000, "the program printed its first line")
        job.cancel()
        compare(job.state, "cancelled")
        // No process with that argument is left: checked through /proc by another command
        // (its own pattern does not match itself).
        tryVerify(function () {
            var check = startJob("command", "sh -c 'for p in /proc/[0-9]*; do grep -aqs \"100[0][.]123\" $p/cmdline && exit 1; done; exit 0'")
            tryVerify(function () { return !check.running }, 10000)
            return check.state === "done"
        }, 10000, "the program and its child were killed")
    }

    // --- The window at any size ---

    // `item`'s rectangle in window coordinates.
    function rectOf(item) {
        var p = item.mapToItem(null, 0, 0)
        return { x: p.x, y: p.y, w: item.width, h: item.height }
    }

    function overlaps(a, b) {
        return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    // No two visible items of `items` overlap, and each lies inside the window's width.
    function verifyRowFits(items, what) {
        for (var i = 0; i < items.length; ++i) {
            var a = rectOf(items[i])
            verify(a.x >= 0 && a.x + a.w <= win.width + 0.5,
                   what + ": item " + i + " at x " + a.x + "+" + a.w + " is outside the window (" + win.width + ")")
            for (var j = i + 1; j < items.length; ++j) {
                var b = rectOf(items[j])
                verify(!overlaps(a, b), what + ": items " + i + " and " + j + " overlap: "
                       + JSON.stringify(a) + " " + JSON.stringify(b))
            }
        }
    }

    // `item` is visible, has a size, and lies inside the window and inside `inside`.
    function verifyReachable(item, inside, what) {
        verify(item.visible && item.width > 10 && item.height > 5, what + " has a size: " + item.width + "×" + item.height)
        var r = rectOf(item)
        var c = rectOf(inside)
        verify(r.x >= c.x - 0.5 && r.y >= c.y - 0.5 && r.x + r.w <= c.x + c.w + 0.5 && r.y + r.h <= c.y + c.h + 0.5,
               what + " " + JSON.stringify(r) + " is cut off by " + JSON.stringify(c))
        verify(r.x + r.w <= win.width + 0.5 && r.y + r.h <= win.height + 0.5,
               what + " " + JSON.stringify(r) + " is outside the window " + win.width + "×" + win.height)
    }

    function test_at_800_by_600_nothing_overlaps_and_every_field_is_reachable() {
        open("test_at_800_by_600_nothing_overlaps_and_every_field_is_reachable")
        win.width = 800
        win.height = 600
        tryCompare(win, "width", 800)
        tryCompare(win, "height", 600)
        waitForRendering(win.contentItem, 5000)
        verify(win.diagnosticsPanel.visible, "the diagnostics panel shows by default")
        var job = startJob("primes", "1000")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 20000)
        waitForRendering(win.contentItem, 2000)
        // The tool bar and the jobs panel's header.
        verifyRowFits([findChild(win.header, "subtitleLabel"), win.diagnosticsToggle,
                       findChild(win.header, "heartbeatLabel")], "tool bar")
        var count = findChild(win.contentItem, "jobCountLabel")
        verifyRowFits([findChild(win.contentItem, "jobsTitleLabel"), count,
                       findChild(win.contentItem, "clearButton")], "jobs header")
        verify(!count.truncated, "the job count is not cut off: " + count.text)
        // The panels sit side by side, none under another, each at least its minimum width.
        var panels = [win.launcher, findChild(win.contentItem, "jobsPanel"), win.diagnosticsPanel]
        verifyRowFits(panels, "panels")
        verify(win.launcher.width >= 250 && panels[1].width >= 280 && win.diagnosticsPanel.width >= 230,
               "panel widths " + win.launcher.width + ", " + panels[1].width + ", " + win.diagnosticsPanel.width)
        // Every kind can be picked (the list scrolls) and its fields and Start are on screen.
        var kinds = win.launcher.kinds
        for (var k = 0; k < kinds.length; ++k) {
            win.launcher.kindList.positionViewAtIndex(k, ListView.Contain)
            waitForRendering(win.contentItem, 2000)
            var item = findChild(win.launcher.kindList, "kind_" + kinds[k].kind)
            verifyReachable(item, win.launcher.kindList, "kind " + kinds[k].kind)
            pick(kinds[k].kind)
            if (kinds[k].field1 !== undefined)
                verifyReachable(win.launcher.field1, win.launcher, kinds[k].kind + " field 1")
            if (kinds[k].field2 !== undefined)
                verifyReachable(win.launcher.field2, win.launcher, kinds[k].kind + " field 2")
            if (kinds[k].browse !== undefined)
                verifyReachable(win.launcher.browseButton, win.launcher, kinds[k].kind + " Browse…")
            verifyReachable(win.launcher.startButton, win.launcher, kinds[k].kind + " Start")
        }
    }

    function test_the_diagnostics_panel_can_be_hidden_and_stays_hidden() {
        open("test_the_diagnostics_panel_can_be_hidden_and_stays_hidden")
        var jobsPanel = findChild(win.contentItem, "jobsPanel")
        var narrow = jobsPanel.width
        verify(win.diagnosticsToggle.checked)
        mouseClick(win.diagnosticsToggle)
        tryVerify(function () { return !win.diagnosticsPanel.visible }, 2000)
        tryVerify(function () { return jobsPanel.width > narrow + 100 }, 2000, "the jobs panel took the room: " + jobsPanel.width)
        // A new window (the next start of the app) remembers it, once saved.
        tryVerify(function () {
            var other = createTemporaryObject(mainWindow, tc)
            var hidden = !other.settings.showDiagnostics
            other.destroy()
            return hidden
        }, 5000, "the next window starts with the panel hidden")
        mouseClick(win.diagnosticsToggle)
        tryVerify(function () { return win.diagnosticsPanel.visible }, 2000)
        tryVerify(function () {
            var other = createTemporaryObject(mainWindow, tc)
            var shown = other.settings.showDiagnostics
            other.destroy()
            return shown
        }, 5000, "shown again for the next window")
    }

    function test_a_coroutine_that_blocks_the_gui_thread_is_named_in_the_panel() {
        open("test_a_coroutine_that_blocks_the_gui_thread_is_named_in_the_panel")
        var before = win.diagnostics.slowPollCount
        var job = startJob("block")
        verify(job !== null, win.launcher.inputError)
        tryCompare(job, "state", "done", 10000)
        tryVerify(function () { return win.diagnostics.slowPollCount > before }, 5000, "counted")
        var label = findChild(win.diagnosticsPanel, "slowPollsLabel")
        tryVerify(function () { return label.visible }, 2000)
        var names = []
        for (var i = 0; i < win.diagnosticsPanel.slowPollView.count; ++i)
            names.push(win.diagnosticsPanel.slowPollView.itemAt(i).text)
        verify(names.join("\n").indexOf("Block the GUI thread · AsyncJob #") > 0, names.join("\n"))
    }
}
