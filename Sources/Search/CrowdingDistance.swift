/// Crowding distance as pymoo computes it (`calc_crowding_distance`).
public enum CrowdingDistance {
    /// The crowding distance of every point of one front.
    ///
    /// Per objective, points are sorted and each gets the gap between its two
    /// neighbours divided by the objective's range; the sum is divided by the
    /// number of objectives. The extreme points get +infinity so that survival
    /// keeps the ends of the front. Fronts of one or two points are all
    /// +infinity. An objective whose values are all equal gives no +infinity
    /// and no distance. Repeated points (equal objective vectors) are counted once:
    /// the first copy gets the distance, later copies get 0, so copies are the
    /// first to go when a front must be cut. An objective with a
    /// non-finite range marks its extremes but adds nothing to interior points.
    public static func compute(_ points: [[Double]]) -> [Double] {
        let n = points.count
        if n <= 2 { return [Double](repeating: .infinity, count: n) }
        let m = points[0].count

        var uniqueIndices: [Int] = []
        var seen: [[Double]: Int] = [:]
        for i in 0 ..< n where seen[points[i]] == nil {
            seen[points[i]] = i
            uniqueIndices.append(i)
        }
        var distance = [Double](repeating: 0, count: n)
        let u = uniqueIndices.count
        if u <= 2 {
            for i in uniqueIndices { distance[i] = .infinity }
            return distance
        }

        var sum = [Double](repeating: 0, count: u)
        var order = Array(0 ..< u)
        for k in 0 ..< m {
            // A stable sort (ties by position) keeps the result independent of the sort algorithm.
            order.sort { a, b in
                let fa = points[uniqueIndices[a]][k], fb = points[uniqueIndices[b]][k]
                return fa < fb || (fa == fb && a < b)
            }
            let low = points[uniqueIndices[order[0]]][k]
            let high = points[uniqueIndices[order[u - 1]]][k]
            let range = high - low
            guard range > 0 else { continue }
            sum[order[0]] = .infinity
            sum[order[u - 1]] = .infinity
            guard range.isFinite else { continue }
            for r in 1 ..< (u - 1) {
                let gap = points[uniqueIndices[order[r + 1]]][k] - points[uniqueIndices[order[r - 1]]][k]
                sum[order[r]] += gap / range
            }
        }
        for (position, i) in uniqueIndices.enumerated() {
            distance[i] = sum[position] / Double(m)
        }
        return distance
    }
}
