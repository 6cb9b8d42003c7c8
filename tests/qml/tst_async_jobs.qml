import QtQuick
import QtQuick.Controls
import QtTest
import AsyncJobs

// Drives the real main window (qml/Main.qml) with real mouse clicks and key presses.
TestCase {
    id: tc
    name: "AsyncJobs"
    when: windowShown

    Component {
        id: mainWindow
        Main {}
    }

    Component {
        id: lonelyRunner
        JobRunner {}
    }

    property var win: null
    property string current: ""

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

    function card(name) {
        var c = findChild(win.contentItem, name)
        verify(c !== null, "card " + name + " exists")
        return c
    }

    // Replaces the card's input with `text`, typed key by key.
    function typeInto(c, text) {
        mouseClick(c.input)
        tryVerify(function () { return c.input.activeFocus }, 2000)
        keyClick(Qt.Key_A, Qt.ControlModifier)
        keyClick(Qt.Key_Delete)
        for (var i = 0; i < text.length; ++i)
            keyClick(text[i])
        compare(c.input.text, text)
    }

    function cleanup() {
        // Saved for every test; the Rust harness keeps only the failures' screenshots.
        if (win && current !== "") {
            var image = grabImage(win.contentItem)
            image.save("target/gui-screens/" + current + ".png")
        }
        current = ""
    }

    function test_count_primes_click_shows_result() {
        open("test_count_primes_click_shows_result")
        var c = card("primesCard")
        typeInto(c, "1000000")
        mouseClick(c.runButton)
        tryCompare(c.runner, "status", "done", 20000)
        compare(c.runner.result, "78498 primes below 1000000")
        compare(c.runner.error, "")
    }

    function test_enter_in_field_starts_the_job() {
        open("test_enter_in_field_starts_the_job")
        var c = card("primesCard")
        typeInto(c, "100")
        keyClick(Qt.Key_Return)
        tryCompare(c.runner, "status", "done", 20000)
        compare(c.runner.result, "25 primes below 100")
    }

    function test_chained_jobs_report_each_step_then_both_results() {
        open("test_chained_jobs_report_each_step_then_both_results")
        var c = card("chainCard")
        var seen = []
        c.runner.statusChanged.connect(function () { seen.push(c.runner.status) })
        typeInto(c, "1000000")
        mouseClick(c.runButton)
        tryCompare(c.runner, "status", "done", 20000)
        compare(c.runner.result, "step 1: 78498 primes below 1000000; step 2: the largest is 999983")
        compare(seen, ["running", "running: step 1 of 2", "running: step 2 of 2", "done"])
    }

    function test_failing_job_shows_its_error_chain() {
        open("test_failing_job_shows_its_error_chain")
        var c = card("failCard")
        mouseClick(c.runButton)
        tryCompare(c.runner, "status", "failed", 20000)
        var e = c.runner.error
        verify(e.indexOf("job awaited at src/qobjects/job_runner.rs:") === 0, e)
        verify(e.indexOf("loading the demo settings: reading /nonexistent/async-jobs/settings.toml: No such file or directory") > 0, e)
        verify(c.runner.details.length > 0, "a worker backtrace is attached")
        var toggle = findChild(c, "detailsButton")
        verify(toggle.visible, "the backtrace can be opened")
        mouseClick(toggle)
        var details = findChild(c, "details")
        tryVerify(function () { return details.visible }, 2000, "the backtrace is shown")
        verify(details.text.indexOf("cxx_qt_async::engine::job::run_on_worker") >= 0, "a worker frame is in it")
        compare(c.runner.result, "")
        verify(findChild(c, "error").visible, "the error is on screen")
    }

    function test_panicking_job_becomes_an_error_and_the_app_lives_on() {
        open("test_panicking_job_becomes_an_error_and_the_app_lives_on")
        var c = card("panicCard")
        mouseClick(c.runButton)
        tryCompare(c.runner, "status", "failed", 20000)
        var e = c.runner.error
        verify(e.indexOf("panicked on cxx-qt-async-worker-") > 0, e)
        verify(e.indexOf("index out of bounds: the len is 0 but the index is 3") > 0, e)
        verify(e.indexOf("src/app/work.rs") > 0, "panic location: " + e)
        // The same card and another one still work after the panic.
        mouseClick(c.runButton)
        tryCompare(c.runner, "status", "failed", 20000)
        var p = card("primesCard")
        typeInto(p, "1000")
        mouseClick(p.runButton)
        tryCompare(p.runner, "status", "done", 20000)
        compare(p.runner.result, "168 primes below 1000")
    }

    function test_invalid_input_shows_a_message_and_starts_nothing() {
        open("test_invalid_input_shows_a_message_and_starts_nothing")
        var c = card("primesCard")
        var cases = [
            ["", "Enter a whole number N"],
            ["abc", "“abc” is not a whole number"],
            ["1", "N must be at least 2"],
            ["2000000001", "N must be at most 2000000000"],
        ]
        for (var i = 0; i < cases.length; ++i) {
            typeInto(c, cases[i][0])
            mouseClick(c.runButton)
            compare(c.runner.inputError, cases[i][1])
            verify(findChild(c, "inputError").visible, "the message is on screen")
            compare(c.runner.running, false)
            compare(c.runner.status, "idle")
        }
        // A valid N clears the message.
        typeInto(c, "10")
        mouseClick(c.runButton)
        compare(c.runner.inputError, "")
        tryCompare(c.runner, "status", "done", 20000)
    }

    function test_event_loop_keeps_ticking_during_a_long_job() {
        open("test_event_loop_keeps_ticking_during_a_long_job")
        var c = card("primesCard")
        typeInto(c, "2000000000")
        mouseClick(c.runButton)
        tryCompare(c.runner, "running", true, 2000)
        var start = win.heartbeat
        var spinStart = findChild(win, "spinner").rotation
        // 30 ticks of a 16 ms timer: about half a second of a free GUI thread...
        tryVerify(function () { return win.heartbeat >= start + 30 }, 5000, "heartbeat kept ticking")
        // ...while the job was still running, its progress bar moving.
        verify(c.runner.running, "the job was still running while the loop ticked")
        tryVerify(function () { return c.runner.progress > 0 }, 5000, "progress arrived")
        verify(c.runner.progress < 1, "not done yet: " + c.runner.progress)
        verify(findChild(c, "progressBar").visible, "the progress bar is on screen")
        verify(findChild(win, "spinner").rotation !== spinStart, "the animation moved")
        // The window also answers input meanwhile: another card's job completes.
        var f = card("failCard")
        mouseClick(f.runButton)
        tryCompare(f.runner, "status", "failed", 20000)
        verify(c.runner.running, "the long job is still running")
    }

    function test_destroying_a_runner_mid_job_drops_its_coroutine_without_a_crash() {
        open("test_destroying_a_runner_mid_job_drops_its_coroutine_without_a_crash")
        var doomed = lonelyRunner.createObject(tc)
        doomed.countPrimes("10000000")
        verify(doomed.running)
        wait(20) // let its coroutine start and submit the job
        doomed.destroy()
        // A job three times larger, started after it: when it is done, the doomed job is done
        // too, and its coroutine would have resumed into a destroyed object by now.
        var p = card("primesCard")
        typeInto(p, "30000000")
        mouseClick(p.runButton)
        tryCompare(p.runner, "status", "done", 60000)
        compare(p.runner.result, "1857859 primes below 30000000")
        wait(50)
        // Still alive and responsive.
        var f = card("failCard")
        mouseClick(f.runButton)
        tryCompare(f.runner, "status", "failed", 20000)
    }

    function test_cancel_button_stops_a_running_job() {
        open("test_cancel_button_stops_a_running_job")
        var c = card("primesCard")
        typeInto(c, "2000000000")
        mouseClick(c.runButton)
        tryVerify(function () { return c.runner.progress > 0 }, 10000, "the job is running")
        var cancel = findChild(c, "cancelButton")
        verify(cancel.visible, "a running job offers Cancel")
        mouseClick(cancel)
        compare(c.runner.status, "cancelled")
        compare(c.runner.running, false)
        verify(!cancel.visible, "nothing left to cancel")
        verify(!findChild(c, "progressBar").visible)
        // The card is free again.
        typeInto(c, "1000")
        mouseClick(c.runButton)
        tryCompare(c.runner, "status", "done", 20000)
        compare(c.runner.result, "168 primes below 1000")
    }

    function test_ask_mid_job_waits_for_the_dialog_yes_writes_no_keeps() {
        open("test_ask_mid_job_waits_for_the_dialog_yes_writes_no_keeps")
        var c = card("askCard")
        mouseClick(c.runButton)
        tryVerify(function () { return c.confirmDialog.opened }, 20000, "the job asks")
        compare(c.runner.status, "waiting for your answer")
        // The loop keeps running while the coroutine waits: no nested event loop, no freeze.
        var beat = win.heartbeat
        tryVerify(function () { return win.heartbeat >= beat + 10 }, 5000, "heartbeat while asking")
        mouseClick(c.confirmDialog.standardButton(Dialog.Yes))
        tryCompare(c.runner, "status", "done", 20000)
        verify(c.runner.result.indexOf("wrote ") === 0, c.runner.result)
        verify(!c.confirmDialog.visible)
        // Again, answered No this time.
        mouseClick(c.runButton)
        tryVerify(function () { return c.confirmDialog.opened }, 20000, "the job asks again")
        mouseClick(c.confirmDialog.standardButton(Dialog.No))
        tryCompare(c.runner, "status", "done", 20000)
        verify(c.runner.result.indexOf("kept the existing output") === 0, c.runner.result)
    }
}
