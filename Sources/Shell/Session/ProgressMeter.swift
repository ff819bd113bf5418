import Foundation

/// A one-line progress display with a bar and an ETA, for long commands on a terminal.
struct ProgressMeter {
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    let io: ShellIO

    init(io: ShellIO) {
        self.io = io
    }

    var elapsedSeconds: Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Redraws at most ten times a second: drawing is cheap but terminals are not.
    mutating func update(fraction: Double, label: String, detail: String) {
        guard io.showsProgress else { return }
        let now = ContinuousClock.now
        if let last = lastDraw, now - last < .milliseconds(100), fraction < 1 { return }
        lastDraw = now
        io.progress(ProgressMeter.line(fraction: fraction, label: label, detail: detail, elapsed: elapsedSeconds,
                                       columns: io.progressColumns()))
    }

    func finish() {
        if io.showsProgress { io.progress(nil) }
    }

    /// `label [#######.......] 45% detail ETA 0:12`; pure, so it is testable.
    ///
    /// With `columns`, the line stops three short of the edge (a full-width line makes some
    /// terminals wrap, and so does the `^C` the terminal echoes after it; every redraw would
    /// then leave a line behind): the bar shrinks to 5 cells, then the detail is cut short.
    static func line(fraction: Double, label: String, detail: String, elapsed: Double, width: Int = 20, columns: Int? = nil) -> String {
        let f = min(max(fraction, 0), 1)
        var eta = "ETA --:--"
        if f > 0.001 { eta = "ETA " + duration(elapsed * (1 - f) / f) }
        let percent = String(format: "%3d", Int(f * 100)) + "%"
        func compose(_ bar: Int, _ detail: String) -> String {
            let filled = Int((f * Double(bar)).rounded(.down))
            let cells = String(repeating: "#", count: filled) + String(repeating: ".", count: bar - filled)
            return "\(label) [\(cells)] \(percent)\(detail.isEmpty ? "" : " " + detail) \(eta)"
        }
        guard let columns else { return compose(width, detail) }
        let room = columns - 3
        let fixed = compose(0, "").count
        let bar = max(5, min(width, room - fixed - (detail.isEmpty ? 0 : detail.count + 1)))
        let detailRoom = room - fixed - bar - 1
        var shown = detail
        if shown.count > detailRoom { shown = detailRoom > 1 ? String(shown.prefix(detailRoom - 1)) + "…" : "" }
        let text = compose(bar, shown)
        return text.count > room ? String(text.prefix(room)) : text
    }

    /// `4.2 s` under a minute, then `m:ss`, or `h:mm:ss` past an hour.
    static func duration(_ seconds: Double) -> String {
        if seconds < 59.95 { return String(format: "%.1f s", seconds) }
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
