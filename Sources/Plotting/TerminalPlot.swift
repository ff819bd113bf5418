/// Which characters a terminal plot may use.
public enum TerminalStyle: String, Sendable, CaseIterable {
    /// Braille dots for lines (2 × 4 per cell), box-drawing axes, Unicode markers.
    case braille
    /// Printable ASCII only, for terminals and logs without Unicode.
    case ascii
}

/// Renders a `Plot` as lines of terminal text.
///
/// Layout, top to bottom: title (centred), y-axis label, plot rows with y tick
/// labels, x axis with ticks, x tick labels, x-axis label (centred), legend
/// (marker or line sample, then name; wrapped to the width). Lines are drawn
/// first, markers on top, series in order, so later series stay visible.
public enum TerminalPlot {
    /// The plot as `height` lines of at most `width` characters (trailing spaces
    /// removed). Below about 30 × 10 the plot area keeps a minimum size and the
    /// output grows beyond the request. With `color`, ANSI escapes colour the
    /// series and embolden the title; without, the output has no escapes.
    /// Braille markers (●, ◆, ▲, …) are one column wide in Western locales.
    public static func render(_ plot: Plot, width: Int = 72, height: Int = 20,
                              style: TerminalStyle = .braille, color: Bool = false) -> [String] {
        let glyphs = Glyphs(style: style)
        let (xRange, yRange) = plot.resolvedRanges()
        let legend = legendLines(plot.series, width: width, glyphs: glyphs, color: color)

        var header: [String] = []
        if !plot.title.isEmpty {
            let title = centred(plot.title, width: width)
            header.append(color ? "\u{1B}[1m" + title + "\u{1B}[0m" : title)
        }
        if !plot.yLabel.isEmpty { header.append(plot.yLabel) }
        let footerCount = 2 + (plot.xLabel.isEmpty ? 0 : 1) + legend.count
        let rows = max(3, height - header.count - footerCount)

        let (yTicks, yStep) = Ticks.values(in: yRange, count: max(2, rows / 3))
        let yLabels = yTicks.map { Ticks.label($0, step: yStep) }
        let labelWidth = yLabels.map(\.count).max() ?? 1
        let columns = max(8, width - labelWidth - 2)
        let (xTicks, xStep) = Ticks.values(in: xRange, count: max(2, columns / 10))

        let resolution = style == .braille ? (x: 2, y: 4) : (x: 1, y: 1)
        let mapper = PixelMapper(x: xRange, y: yRange, width: columns * resolution.x, height: rows * resolution.y)
        var grid = CellGrid(columns: columns, rows: rows)
        drawLines(plot.series, on: &grid, mapper: mapper, style: style)
        for series in plot.series {
            guard let marker = series.style.marker else { continue }
            for p in series.points where xRange.contains(p.x) && yRange.contains(p.y) {
                let (px, py) = mapper.pixel(p)
                grid.put(glyphs.marker(marker), column: px / resolution.x, row: py / resolution.y, color: series.color)
            }
        }
        if plot.isEmpty {
            let note = "(no data)"
            let start = max(0, (columns - note.count) / 2)
            for (i, ch) in note.enumerated() { grid.put(ch, column: start + i, row: rows / 2, color: nil) }
        }

        var tickRows: [Int: String] = [:]
        for (t, label) in zip(yTicks, yLabels) {
            tickRows[mapper.pixel(Point(x: xRange.lowerBound, y: t)).y / resolution.y] = label
        }
        var lines = header
        for r in 0 ..< rows {
            let label = tickRows[r] ?? ""
            let prefix = String(repeating: " ", count: labelWidth - label.count) + label + " "
                + String(tickRows[r] == nil ? glyphs.vertical : glyphs.yTick)
            lines.append(trimmed(prefix + render(row: r, of: grid, color: color)))
        }

        let tickColumns = Set(xTicks.map { mapper.pixel(Point(x: $0, y: yRange.lowerBound)).x / resolution.x })
        let axis = (0 ..< columns).map { tickColumns.contains($0) ? glyphs.xTick : glyphs.horizontal }
        lines.append(String(repeating: " ", count: labelWidth + 1) + String(glyphs.corner) + String(axis))

        let plotStart = labelWidth + 2
        var labelLine = [Character](repeating: " ", count: plotStart + columns + 8)
        var lastEnd = -2
        for t in xTicks {
            let text = Array(Ticks.label(t, step: xStep))
            let centre = plotStart + mapper.pixel(Point(x: t, y: yRange.lowerBound)).x / resolution.x
            let start = max(0, centre - text.count / 2)
            guard start > lastEnd + 1, start + text.count <= labelLine.count else { continue }
            labelLine.replaceSubrange(start ..< start + text.count, with: text)
            lastEnd = start + text.count - 1
        }
        lines.append(trimmed(String(labelLine)))
        if !plot.xLabel.isEmpty {
            lines.append(trimmed(String(repeating: " ", count: plotStart) + centred(plot.xLabel, width: columns)))
        }
        lines.append(contentsOf: legend)
        return lines
    }

    // MARK: - Pieces

    private static func drawLines(_ series: [Series], on grid: inout CellGrid, mapper: PixelMapper, style: TerminalStyle) {
        var braille = BrailleCanvas(columns: grid.columns, rows: grid.rows)
        for s in series where s.style.hasLine {
            let path = s.path
            if path.count == 1, mapper.contains(path[0]) {
                let p = mapper.pixel(path[0])
                if style == .braille { braille.set(x: p.x, y: p.y, color: s.color) }
            }
            for (a, b) in zip(path, path.dropFirst()) {
                guard let (ca, cb) = Clipping.clip(a, b, x: mapper.x, y: mapper.y) else { continue }
                let pa = mapper.pixel(ca), pb = mapper.pixel(cb)
                if style == .braille {
                    braille.line(from: pa, to: pb, color: s.color)
                } else {
                    let ch = asciiSlope(dx: pb.x - pa.x, dy: pb.y - pa.y)
                    rasterize(from: pa, to: pb) { grid.put(ch, column: $0, row: $1, color: s.color) }
                }
            }
        }
        if style == .braille { braille.draw(onto: &grid, column: 0, row: 0) }
    }

    /// The ASCII character that best follows a segment (y grows downwards).
    private static func asciiSlope(dx: Int, dy: Int) -> Character {
        if dy == 0 { return "-" }
        if dx == 0 { return "|" }
        let slope = Double(abs(dy)) / Double(abs(dx))
        if slope < 0.4 { return "-" }
        if slope > 2.5 { return "|" }
        return (dx > 0) == (dy < 0) ? "/" : "\\"
    }

    private static func legendLines(_ series: [Series], width: Int, glyphs: Glyphs, color: Bool) -> [String] {
        var lines: [String] = []
        var current = "", currentWidth = 0
        for s in series where !s.name.isEmpty {
            let sample: String
            if let marker = s.style.marker {
                sample = s.style.hasLine ? "\(glyphs.horizontal)\(glyphs.marker(marker))\(glyphs.horizontal)"
                    : String(glyphs.marker(marker))
            } else {
                sample = String(repeating: glyphs.horizontal, count: 3)
            }
            let itemWidth = sample.count + 1 + s.name.count
            let item = (color ? paint(sample, s.color) : sample) + " " + s.name
            if currentWidth > 0 && currentWidth + 3 + itemWidth > width {
                lines.append(current)
                current = ""; currentWidth = 0
            }
            if currentWidth > 0 { current += "   "; currentWidth += 3 }
            current += item
            currentWidth += itemWidth
        }
        if currentWidth > 0 { lines.append(current) }
        return lines
    }

    private static func render(row: Int, of grid: CellGrid, color: Bool) -> String {
        var text = ""
        var active: PlotColor?
        // Stop at the last drawn cell so that no colour escape trails after spaces.
        let end = ((0 ..< grid.columns).last { grid[$0, row].character != " " } ?? -1) + 1
        for c in 0 ..< end {
            let cell = grid[c, row]
            let wanted = cell.character == " " ? active : cell.color
            if color && wanted != active {
                text += wanted.map { "\u{1B}[\($0.ansiCode)m" } ?? "\u{1B}[0m"
                active = wanted
            }
            text.append(cell.character)
        }
        if color && active != nil { text += "\u{1B}[0m" }
        return text
    }

    private static func paint(_ text: String, _ color: PlotColor) -> String {
        "\u{1B}[\(color.ansiCode)m" + text + "\u{1B}[0m"
    }

    private static func centred(_ text: String, width: Int) -> String {
        String(repeating: " ", count: max(0, (width - text.count) / 2)) + text
    }

    private static func trimmed(_ line: String) -> String {
        var s = Substring(line)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Data → pixel coordinates of a plot area, y downwards.
struct PixelMapper {
    let x: ClosedRange<Double>
    let y: ClosedRange<Double>
    let width: Int
    let height: Int

    func contains(_ p: Point) -> Bool { x.contains(p.x) && y.contains(p.y) }

    func pixel(_ p: Point) -> (x: Int, y: Int) {
        let fx = (p.x - x.lowerBound) / (x.upperBound - x.lowerBound)
        let fy = (y.upperBound - p.y) / (y.upperBound - y.lowerBound)
        let px = Int((min(max(fx, 0), 1) * Double(width - 1)).rounded())
        let py = Int((min(max(fy, 0), 1) * Double(height - 1)).rounded())
        return (px, py)
    }
}

/// The characters of one terminal style.
struct Glyphs {
    let style: TerminalStyle
    var vertical: Character { style == .braille ? "│" : "|" }
    var horizontal: Character { style == .braille ? "─" : "-" }
    var corner: Character { style == .braille ? "└" : "+" }
    var xTick: Character { style == .braille ? "┬" : "+" }
    var yTick: Character { style == .braille ? "┤" : "+" }
    func marker(_ m: Marker) -> Character { style == .braille ? m.unicode : m.ascii }
}
