import QtQuick
import QtQuick.Controls

// A live plot of the last 15 seconds, one point per 100 ms: the worst timer lateness (blue),
// the longest interval between two presented frames (orange, against the 16.7 ms line of a
// 60 Hz display), and a red mark where the engine named a slow poll. Drawn on the GUI thread
// it measures, so a blocked loop would freeze the plot itself.
Canvas {
    id: plot

    property var samples: []
    property var frames: []
    property var slow: []
    readonly property int capacity: 150
    readonly property real frameMs: 1000 / 60
    property real maxMs: 0
    // The p99 of timer lateness (from the lag meter), for the description.
    property real p99Ms: 0
    // Samples of the window whose frame interval exceeded one 60 Hz frame, and slow polls.
    property int lateFrames: 0
    property int slowMarks: 0
    property real worstLagMs: 0
    property int count: 0

    // A canvas is a picture: a reader gets its figures instead.
    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("Event-loop lag plot, last 15 s")
    Accessible.description: qsTr("timer lateness p99 %1 ms, worst %2 ms; %3 of %4 samples with a frame later than 16.7 ms; %5 slow polls")
        .arg(p99Ms.toLocaleString(Qt.locale(), 'f', 1)).arg(worstLagMs.toLocaleString(Qt.locale(), 'f', 1))
        .arg(lateFrames).arg(count).arg(slowMarks)

    function push(list, value) {
        list.push(value)
        if (list.length > capacity)
            list.shift()
    }

    function add(ms, frameMs, newSlowPolls) {
        push(samples, ms)
        push(frames, frameMs || 0)
        push(slow, newSlowPolls || 0)
        var m = 0
        var worst = 0
        var late = 0
        var marks = 0
        for (var i = 0; i < samples.length; ++i) {
            m = Math.max(m, samples[i], frames[i])
            worst = Math.max(worst, samples[i])
            late += frames[i] > frameMs ? 1 : 0
            marks += slow[i]
        }
        maxMs = m
        worstLagMs = worst
        count = samples.length
        lateFrames = late
        slowMarks = marks
        requestPaint()
    }

    function line(ctx, values, color, top, dx, x0) {
        ctx.beginPath()
        ctx.strokeStyle = color
        ctx.lineWidth = 1.5
        for (var i = 0; i < values.length; ++i) {
            var x = x0 + i * dx
            var yv = height - 1 - Math.min(values[i], top) / top * (height - 12)
            if (i === 0)
                ctx.moveTo(x, yv)
            else
                ctx.lineTo(x, yv)
        }
        ctx.stroke()
    }

    onPaint: {
        var ctx = getContext("2d")
        ctx.reset()
        ctx.fillStyle = "#fbfbfb"
        ctx.fillRect(0, 0, width, height)
        // The scale: at least 20 ms (the frame line shows), rounded up to a multiple of 5.
        var top = Math.max(20, Math.ceil(maxMs * 1.2 / 5) * 5)
        ctx.strokeStyle = "#e0e0e0"
        ctx.fillStyle = "#888888"
        ctx.font = "10px sans-serif"
        for (var g = 0; g <= 2; ++g) {
            var y = height - g * (height - 12) / 2 - 1
            ctx.beginPath()
            ctx.moveTo(0, y)
            ctx.lineTo(width, y)
            ctx.stroke()
            ctx.fillText(qsTr("%1 ms").arg((top * g / 2).toLocaleString(Qt.locale(), 'f', 0)), 2, y - 2)
        }
        // One frame at 60 Hz.
        var fy = height - 1 - frameMs / top * (height - 12)
        ctx.strokeStyle = "#e8a33d"
        ctx.setLineDash([3, 3])
        ctx.beginPath()
        ctx.moveTo(0, fy)
        ctx.lineTo(width, fy)
        ctx.stroke()
        ctx.setLineDash([])
        var n = samples.length
        if (n < 2)
            return
        var dx = width / (capacity - 1)
        var x0 = width - (n - 1) * dx
        line(ctx, frames, "#e8a33d", top, dx, x0)
        line(ctx, samples, "#3d7bd9", top, dx, x0)
        ctx.fillStyle = "#c0392b"
        for (var i = 0; i < n; ++i) {
            if (slow[i] > 0)
                ctx.fillRect(x0 + i * dx - 1.5, 0, 3, 8)
        }
    }
}
