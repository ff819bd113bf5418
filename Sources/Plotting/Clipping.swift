/// Cuts a segment to a rectangle (Liang–Barsky), so that a line leaving a
/// fixed axis range is drawn up to the edge, and far-away points cost nothing.
enum Clipping {
    static func clip(_ a: Point, _ b: Point, x: ClosedRange<Double>, y: ClosedRange<Double>) -> (Point, Point)? {
        let dx = b.x - a.x, dy = b.y - a.y
        var t0 = 0.0, t1 = 1.0
        for (p, q) in [(-dx, a.x - x.lowerBound), (dx, x.upperBound - a.x), (-dy, a.y - y.lowerBound), (dy, y.upperBound - a.y)] {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let t = q / p
                if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
                if t0 > t1 { return nil }
            }
        }
        return (Point(x: a.x + t0 * dx, y: a.y + t0 * dy), Point(x: a.x + t1 * dx, y: a.y + t1 * dy))
    }
}
