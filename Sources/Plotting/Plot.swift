/// A point in data coordinates.
public struct Point: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// How a series is drawn.
public enum SeriesStyle: Sendable, Equatable {
    /// Markers only (e.g. the homogeneous 2..8-bit configurations).
    case points(Marker)
    /// Straight segments between consecutive points, in the given order.
    case line
    /// Straight segments with a marker on every point (e.g. hypervolume per generation).
    case linePoints(Marker)
    /// A staircase through the points sorted by x: from each point horizontally
    /// to the next point's x, then vertically to its y. For a Pareto front of a
    /// minimised x against a maximised y (size vs accuracy) this outlines the
    /// attained region.
    case stepLine
    /// A staircase with a marker on every point.
    case stepLinePoints(Marker)

    /// The marker drawn on each point, if any.
    public var marker: Marker? {
        switch self {
        case .points(let m), .linePoints(let m), .stepLinePoints(let m): return m
        case .line, .stepLine: return nil
        }
    }

    var hasLine: Bool {
        if case .points = self { return false }
        return true
    }

    var isStep: Bool {
        switch self {
        case .stepLine, .stepLinePoints: return true
        default: return false
        }
    }
}

/// One named set of points with a style and a colour; one legend entry.
public struct Series: Sendable, Equatable {
    public var name: String
    public var points: [Point]
    public var style: SeriesStyle
    public var color: PlotColor
    /// One short label per point ("4-bit"), drawn beside its marker in SVG; empty for none.
    public var labels: [String]

    public init(name: String, points: [Point], style: SeriesStyle, color: PlotColor, labels: [String] = []) {
        self.name = name
        self.points = points
        self.style = style
        self.color = color
        self.labels = labels
    }

    public init(name: String, points: [(x: Double, y: Double)], style: SeriesStyle, color: PlotColor) {
        self.init(name: name, points: points.map { Point(x: $0.x, y: $0.y) }, style: style, color: color)
    }

    /// The polyline actually drawn: the points in order, or the staircase for step styles.
    /// Points with a non-finite coordinate are left out.
    var path: [Point] {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard style.isStep else { return finite }
        let sorted = finite.enumerated().sorted { a, b in
            a.element.x < b.element.x || (a.element.x == b.element.x && a.offset < b.offset)
        }.map(\.element)
        var stairs: [Point] = []
        for (i, p) in sorted.enumerated() {
            if i > 0 { stairs.append(Point(x: p.x, y: sorted[i - 1].y)) }
            stairs.append(p)
        }
        return stairs
    }
}

/// A 2-D plot: title, axis labels (with units), series and optional fixed ranges.
///
/// Typical uses: `plot front` (a `.stepLinePoints` front, `.points` for the
/// homogeneous configurations, one `.points` for the current configuration),
/// `plot sweep` (accuracy against bits, `.linePoints`), `plot hv`
/// (hypervolume per generation, `.linePoints`).
public struct Plot: Sendable, Equatable {
    public var title: String
    /// With its unit, e.g. "model size (bytes)".
    public var xLabel: String
    /// With its unit, e.g. "validation accuracy (%)".
    public var yLabel: String
    public var series: [Series]
    /// nil: the data's extent plus 5 % on each side (see `Ticks.autoRange`).
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?

    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series] = [],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
    }

    /// True when no series has a finite point to draw.
    public var isEmpty: Bool {
        !series.contains { $0.points.contains { $0.x.isFinite && $0.y.isFinite } }
    }

    /// The ranges the renderers use: the given ones (if valid) or automatic ones.
    public func resolvedRanges() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        func usable(_ r: ClosedRange<Double>?) -> ClosedRange<Double>? {
            guard let r, r.lowerBound.isFinite, r.upperBound.isFinite, r.upperBound > r.lowerBound else { return nil }
            return r
        }
        let x = usable(xRange) ?? Ticks.autoRange(finite.map(\.x))
        let y = usable(yRange) ?? Ticks.autoRange(finite.map(\.y))
        return (x, y)
    }
}
