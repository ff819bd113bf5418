#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Renders a `Plot` as a standalone SVG document.
///
/// The document has no external references (no fonts, stylesheets or images;
/// generic `sans-serif`), escapes all text for XML, and prints every number
/// with a fixed number of decimals, so the same plot always gives the same
/// bytes (golden-file tests rely on this).
public enum SVGPlot {
    /// An SVG of `width` × `height` pixels: title, grid and axes with 1-2-5
    /// ticks, axis labels, series (lines, staircases, markers of distinct
    /// shapes), and a legend under the x-axis label.
    public static func render(_ plot: Plot, width: Int = 640, height: Int = 400) -> String {
        let width = max(width, 200), height = max(height, 150)
        let (xRange, yRange) = plot.resolvedRanges()
        let legendItems = plot.series.filter { !$0.name.isEmpty }
        let legendRows = legendLayout(legendItems, available: Double(width) - 80)

        let left = 72.0, right = 20.0
        let top = plot.title.isEmpty ? 16.0 : 40.0
        let bottom = 48.0 + (plot.xLabel.isEmpty ? 0 : 18) + Double(legendRows.count) * 20
        let area = Area(left: left, top: top, width: max(40, Double(width) - left - right),
                        height: max(40, Double(height) - top - bottom), x: xRange, y: yRange)

        var svg = Builder()
        svg.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.line("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">")
        svg.line("<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
        if !plot.title.isEmpty {
            svg.line("<text x=\"\(n(Double(width) / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(plot.title))</text>")
        }

        // Grid, ticks and tick labels.
        let (xTicks, xStep) = Ticks.values(in: xRange, count: max(2, Int(area.width / 80)))
        let (yTicks, yStep) = Ticks.values(in: yRange, count: max(2, Int(area.height / 45)))
        svg.line("<g stroke=\"#e6e6e6\" stroke-width=\"1\">")
        for t in xTicks { svg.line("<line x1=\"\(n(area.px(t)))\" y1=\"\(n(area.top))\" x2=\"\(n(area.px(t)))\" y2=\"\(n(area.bottom))\"/>") }
        for t in yTicks { svg.line("<line x1=\"\(n(area.left))\" y1=\"\(n(area.py(t)))\" x2=\"\(n(area.right))\" y2=\"\(n(area.py(t)))\"/>") }
        svg.line("</g>")
        svg.line("<g stroke=\"#333333\" stroke-width=\"1\">")
        svg.line("<line x1=\"\(n(area.left))\" y1=\"\(n(area.bottom))\" x2=\"\(n(area.right))\" y2=\"\(n(area.bottom))\"/>")
        svg.line("<line x1=\"\(n(area.left))\" y1=\"\(n(area.top))\" x2=\"\(n(area.left))\" y2=\"\(n(area.bottom))\"/>")
        for t in xTicks { svg.line("<line x1=\"\(n(area.px(t)))\" y1=\"\(n(area.bottom))\" x2=\"\(n(area.px(t)))\" y2=\"\(n(area.bottom + 5))\"/>") }
        for t in yTicks { svg.line("<line x1=\"\(n(area.left - 5))\" y1=\"\(n(area.py(t)))\" x2=\"\(n(area.left))\" y2=\"\(n(area.py(t)))\"/>") }
        svg.line("</g>")
        svg.line("<g fill=\"#333333\">")
        for t in xTicks {
            svg.line("<text x=\"\(n(area.px(t)))\" y=\"\(n(area.bottom + 18))\" text-anchor=\"middle\">\(escape(Ticks.label(t, step: xStep)))</text>")
        }
        for t in yTicks {
            svg.line("<text x=\"\(n(area.left - 8))\" y=\"\(n(area.py(t) + 4))\" text-anchor=\"end\">\(escape(Ticks.label(t, step: yStep)))</text>")
        }
        svg.line("</g>")
        if !plot.xLabel.isEmpty {
            svg.line("<text x=\"\(n(area.left + area.width / 2))\" y=\"\(n(area.bottom + 38))\" text-anchor=\"middle\">\(escape(plot.xLabel))</text>")
        }
        if !plot.yLabel.isEmpty {
            let x = 16.0, y = area.top + area.height / 2
            svg.line("<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"middle\" transform=\"rotate(-90 \(n(x)) \(n(y)))\">\(escape(plot.yLabel))</text>")
        }

        // Series: all lines first, then all markers, so markers stay on top.
        for s in plot.series where s.style.hasLine {
            for run in clippedRuns(s.path, area: area) where run.count >= 2 {
                let points = run.map { "\(n(area.px($0.x))),\(n(area.py($0.y)))" }.joined(separator: " ")
                svg.line("<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(s.color.svg)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>")
            }
        }
        for s in plot.series {
            guard let marker = s.style.marker else { continue }
            let visible = s.points.filter { xRange.contains($0.x) && yRange.contains($0.y) }
            guard !visible.isEmpty else { continue }
            svg.line("<g fill=\"\(s.color.svg)\" stroke=\"\(s.color.svg)\">")
            for p in visible { svg.line(shape(marker, x: area.px(p.x), y: area.py(p.y), size: 4.5)) }
            svg.line("</g>")
            // Labels sit above-right of their marker, in the series' colour.
            for (p, label) in zip(s.points, s.labels) where xRange.contains(p.x) && yRange.contains(p.y) && !label.isEmpty {
                svg.line("<text x=\"\(n(area.px(p.x) + 7))\" y=\"\(n(area.py(p.y) - 7))\" font-size=\"11\" fill=\"\(s.color.svg)\">\(escape(label))</text>")
            }
        }
        if plot.isEmpty {
            svg.line("<text x=\"\(n(area.left + area.width / 2))\" y=\"\(n(area.top + area.height / 2))\" text-anchor=\"middle\" fill=\"#999999\">(no data)</text>")
        }

        // Legend: rows of sample + name under the x-axis label.
        var y = area.bottom + (plot.xLabel.isEmpty ? 40 : 58)
        for row in legendRows {
            var x = area.left
            for (s, itemWidth) in row {
                if s.style.hasLine {
                    svg.line("<line x1=\"\(n(x))\" y1=\"\(n(y - 4))\" x2=\"\(n(x + 24))\" y2=\"\(n(y - 4))\" stroke=\"\(s.color.svg)\" stroke-width=\"2\"/>")
                }
                if let marker = s.style.marker {
                    svg.line("<g fill=\"\(s.color.svg)\" stroke=\"\(s.color.svg)\">\(shape(marker, x: x + 12, y: y - 4, size: 4.5))</g>")
                }
                svg.line("<text x=\"\(n(x + 30))\" y=\"\(n(y))\">\(escape(s.name))</text>")
                x += itemWidth
            }
            y += 20
        }
        svg.line("</svg>")
        return svg.text
    }

    /// Replaces the five XML special characters, and drops control characters XML 1.0 forbids.
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    // MARK: - Pieces

    private struct Area {
        let left: Double, top: Double, width: Double, height: Double
        let x: ClosedRange<Double>, y: ClosedRange<Double>
        var right: Double { left + width }
        var bottom: Double { top + height }
        func px(_ v: Double) -> Double { left + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * width }
        func py(_ v: Double) -> Double { bottom - (v - y.lowerBound) / (y.upperBound - y.lowerBound) * height }
    }

    private struct Builder {
        var text = ""
        mutating func line(_ s: String) { text += s + "\n" }
    }

    /// Coordinates with two decimals: precise enough for pixels, stable for golden files.
    private static func n(_ v: Double) -> String { Ticks.fixed(v, decimals: 2) }

    /// The path cut to the axis ranges, split where it leaves and re-enters them.
    private static func clippedRuns(_ path: [Point], area: Area) -> [[Point]] {
        var runs: [[Point]] = []
        var current: [Point] = []
        for (a, b) in zip(path, path.dropFirst()) {
            guard let (ca, cb) = Clipping.clip(a, b, x: area.x, y: area.y) else {
                if !current.isEmpty { runs.append(current); current = [] }
                continue
            }
            if let last = current.last, last != ca { runs.append(current); current = [] }
            if current.isEmpty { current.append(ca) }
            current.append(cb)
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    private static func shape(_ marker: Marker, x: Double, y: Double, size r: Double) -> String {
        func pts(_ list: [(Double, Double)]) -> String {
            list.map { "\(n(x + $0.0)),\(n(y + $0.1))" }.joined(separator: " ")
        }
        switch marker {
        case .dot:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\"/>"
        case .circle:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"#ffffff\" stroke-width=\"1.5\"/>"
        case .square:
            return "<rect x=\"\(n(x - r))\" y=\"\(n(y - r))\" width=\"\(n(2 * r))\" height=\"\(n(2 * r))\"/>"
        case .diamond:
            return "<polygon points=\"\(pts([(0, -r * 1.3), (r * 1.3, 0), (0, r * 1.3), (-r * 1.3, 0)]))\"/>"
        case .triangle:
            return "<polygon points=\"\(pts([(0, -r * 1.3), (r * 1.2, r), (-r * 1.2, r)]))\"/>"
        case .star:
            let star = (0 ..< 10).map { k -> (Double, Double) in
                let angle = Double.pi / 5 * Double(k) - Double.pi / 2
                let radius = k % 2 == 0 ? r * 1.5 : r * 0.6
                return (radius * cos(angle), radius * sin(angle))
            }
            return "<polygon points=\"\(pts(star))\"/>"
        case .cross:
            return "<path d=\"M\(pts([(-r, -r)])) L\(pts([(r, r)])) M\(pts([(-r, r)])) L\(pts([(r, -r)]))\" fill=\"none\" stroke-width=\"2\"/>"
        case .plus:
            return "<path d=\"M\(pts([(-r * 1.2, 0)])) L\(pts([(r * 1.2, 0)])) M\(pts([(0, -r * 1.2)])) L\(pts([(0, r * 1.2)]))\" fill=\"none\" stroke-width=\"2\"/>"
        }
    }

    /// Legend items packed into rows that fit `available` pixels; ~7 px per character.
    private static func legendLayout(_ items: [Series], available: Double) -> [[(Series, Double)]] {
        var rows: [[(Series, Double)]] = []
        var current: [(Series, Double)] = []
        var used = 0.0
        for s in items {
            let w = 30 + 7 * Double(s.name.count) + 18
            if !current.isEmpty && used + w > available {
                rows.append(current)
                current = []; used = 0
            }
            current.append((s, w))
            used += w
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }
}
