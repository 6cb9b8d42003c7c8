import QtQuick
import QtQuick.Controls

// A live plot of event-loop lag: the worst timer lateness of each 100 ms, last 15 seconds.
// Drawn on the GUI thread it measures, so a blocked loop would freeze the plot itself.
Canvas {
    id: plot

    property var samples: []
    readonly property int capacity: 150
    property real maxMs: 0

    function add(ms) {
        samples.push(ms)
        if (samples.length > capacity)
            samples.shift()
        var m = 0
        for (var i = 0; i < samples.length; ++i)
            m = Math.max(m, samples[i])
        maxMs = m
        requestPaint()
    }

    onPaint: {
        var ctx = getContext("2d")
        ctx.reset()
        ctx.fillStyle = "#fbfbfb"
        ctx.fillRect(0, 0, width, height)
        // The scale: at least 5 ms, rounded up to a multiple of 5.
        var top = Math.max(5, Math.ceil(maxMs * 1.2 / 5) * 5)
        ctx.strokeStyle = "#e0e0e0"
        ctx.fillStyle = "#888888"
        ctx.font = "10px sans-serif"
        for (var g = 0; g <= 2; ++g) {
            var y = height - g * (height - 12) / 2 - 1
            ctx.beginPath()
            ctx.moveTo(0, y)
            ctx.lineTo(width, y)
            ctx.stroke()
            ctx.fillText((top * g / 2).toFixed(0) + " ms", 2, y - 2)
        }
        var n = samples.length
        if (n < 2)
            return
        var dx = width / (capacity - 1)
        var x0 = width - (n - 1) * dx
        ctx.beginPath()
        ctx.strokeStyle = "#3d7bd9"
        ctx.lineWidth = 1.5
        for (var i = 0; i < n; ++i) {
            var x = x0 + i * dx
            var yv = height - 1 - Math.min(samples[i], top) / top * (height - 12)
            if (i === 0)
                ctx.moveTo(x, yv)
            else
                ctx.lineTo(x, yv)
        }
        ctx.stroke()
    }
}
