/// The hypervolume indicator for minimised objectives: the volume dominated by a
/// point set and bounded by a reference point.
///
/// Exact for any number of objectives. Two objectives: sort and sweep,
/// O(n log n). More: HSO, "hypervolume by slicing objectives" (While, Hingston,
/// Barone & Huband, IEEE TEC 2006): sort by the last objective, cut the space
/// into slabs between consecutive values, and add each slab's thickness times
/// the (d−1)-dimensional hypervolume of the points below it; O(n^(d−1) log n),
/// i.e. O(n² log n) for three objectives — instant for populations of hundreds.
public enum Hypervolume {
    /// The hypervolume of `points` against `reference`. Points that are not
    /// strictly better than the reference in every objective add nothing;
    /// an empty set has hypervolume 0.
    public static func compute(_ points: [[Double]], reference: [Double]) -> Double {
        let d = reference.count
        precondition(points.allSatisfy { $0.count == d },
                     "every point needs \(d) objectives, like the reference point")
        let inside = points.filter { p in (0 ..< d).allSatisfy { p[$0] < reference[$0] } }
        guard !inside.isEmpty, d > 0 else { return 0 }
        return slice(inside, reference: reference, dimensions: d)
    }

    /// Hypervolume over the first `dimensions` coordinates of points already inside the box.
    private static func slice(_ points: [[Double]], reference: [Double], dimensions d: Int) -> Double {
        if points.isEmpty { return 0 }
        if d == 1 {
            return reference[0] - (points.map { $0[0] }.min() ?? reference[0])
        }
        if d == 2 { return sweep(points, reference: reference) }
        let k = d - 1
        let sorted = points.sorted { $0[k] < $1[k] }
        var volume = 0.0
        var below: [[Double]] = []
        for (i, point) in sorted.enumerated() {
            below.append(point)
            let top = i + 1 < sorted.count ? sorted[i + 1][k] : reference[k]
            let thickness = top - point[k]
            if thickness > 0 {
                volume += thickness * slice(below, reference: reference, dimensions: k)
            }
        }
        return volume
    }

    private static func sweep(_ points: [[Double]], reference: [Double]) -> Double {
        sweep(sorted: points.sorted { $0[0] < $1[0] || ($0[0] == $1[0] && $0[1] < $1[1]) }, reference: reference)
    }

    /// Two objectives, the points already in ascending (first, second) order: one sweep, no
    /// sort (`EvaluationCache` keeps its archive in that order). Points outside the box add nothing.
    static func sweep<Points: Sequence>(sorted points: Points, reference: [Double]) -> Double where Points.Element == [Double] {
        var area = 0.0
        var lowestY = reference[1]
        for p in points where p[0] < reference[0] && p[1] < lowestY {
            area += (reference[0] - p[0]) * (lowestY - p[1])
            lowestY = p[1]
        }
        return area
    }
}
