/// Fast non-dominated sorting (Deb et al. 2002): splits points into fronts.
public enum NonDominatedSorting {
    /// The fronts, best first; each front lists point indices in ascending order.
    ///
    /// With `violations` (one total constraint violation per point, 0 when feasible),
    /// points are compared by constrained domination (`Pareto.dominates(_:violation:_:violation:)`):
    /// every feasible point ranks before every infeasible one, and infeasible ones rank by
    /// violation, smallest first. Without them, or with all zero, this is plain Pareto sorting.
    ///
    /// Equal points never dominate each other and so share a front. O(M·N²).
    public static func fronts(_ points: [[Double]], violations: [Double] = []) -> [[Int]] {
        let n = points.count
        guard n > 0 else { return [] }
        precondition(violations.isEmpty || violations.count == n, "one violation per point, or none")
        let constrained = violations.contains { $0 != 0 }
        if !constrained, points[0].count == 2 { return twoObjectiveFronts(points) }
        // One contiguous block of objectives, and the relation as an n × n byte matrix
        // (`dominates[i·n + j]` is 1 when i dominates j): no per-pair allocation and no
        // lists to build, and small enough (40 kB at n = 200) to stay off the
        // page-faulting path a large temporary takes (issue 25).
        let m = points[0].count
        var flat = [Double]()
        flat.reserveCapacity(n * m)
        for point in points { flat.append(contentsOf: point) }
        var dominatedCount = [Int](repeating: 0, count: n)
        var dominates = [UInt8](repeating: 0, count: n * n)
        flat.withUnsafeBufferPointer { x in
            dominates.withUnsafeMutableBufferPointer { relation in
                for i in 0 ..< n {
                    for j in (i + 1) ..< n {
                        if constrained, violations[i] != violations[j] {
                            // The one nearer to feasible dominates, whatever the objectives say.
                            if violations[i] < violations[j] {
                                relation[i * n + j] = 1; dominatedCount[j] += 1
                            } else {
                                relation[j * n + i] = 1; dominatedCount[i] += 1
                            }
                            continue
                        }
                        var iBetter = false, jBetter = false
                        for k in 0 ..< m {
                            let a = x[i * m + k], b = x[j * m + k]
                            if a < b { iBetter = true } else if b < a { jBetter = true }
                            if iBetter && jBetter { break }
                        }
                        if iBetter && !jBetter {
                            relation[i * n + j] = 1; dominatedCount[j] += 1
                        } else if jBetter && !iBetter {
                            relation[j * n + i] = 1; dominatedCount[i] += 1
                        }
                    }
                }
            }
        }

        var fronts: [[Int]] = []
        var current = (0 ..< n).filter { dominatedCount[$0] == 0 }
        while !current.isEmpty {
            fronts.append(current)
            var next: [Int] = []
            for i in current {
                let row = i * n
                for j in 0 ..< n where dominates[row + j] != 0 {
                    dominatedCount[j] -= 1
                    if dominatedCount[j] == 0 { next.append(j) }
                }
            }
            next.sort()
            current = next
        }
        return fronts
    }

    /// Two objectives, no constraints (a size-and-error search): O(N log N) instead of
    /// O(N²), as in efficient non-dominated sorting with binary search (Zhang et al.,
    /// IEEE TEC 2015). In ascending (f0, f1) order every point that could dominate a point
    /// comes before it; a front's members then have non-increasing f1, so the front's newest
    /// member dominates the point when any member does; and a point dominated by front k + 1
    /// is dominated by front k, so the first front that does not dominate it is found by
    /// bisection. The same fronts as the pairwise comparison (tested on random ties).
    static func twoObjectiveFronts(_ points: [[Double]]) -> [[Int]] {
        let order = points.indices.sorted { a, b in
            let (p, q) = (points[a], points[b])
            return p[0] != q[0] ? p[0] < q[0] : p[1] != q[1] ? p[1] < q[1] : a < b
        }
        func dominates(_ a: Int, _ b: Int) -> Bool {
            let (p, q) = (points[a], points[b])
            return p[0] <= q[0] && p[1] <= q[1] && (p[0] < q[0] || p[1] < q[1])
        }
        var fronts: [[Int]] = []
        var newest: [Int] = []
        for point in order {
            var low = 0, high = fronts.count
            while low < high {
                let middle = (low + high) / 2
                if dominates(newest[middle], point) { low = middle + 1 } else { high = middle }
            }
            if low == fronts.count {
                fronts.append([point])
                newest.append(point)
            } else {
                fronts[low].append(point)
                newest[low] = point
            }
        }
        return fronts.map { $0.sorted() }
    }

    /// The rank (front number, 0 = best) of every point.
    public static func ranks(_ points: [[Double]], violations: [Double] = []) -> [Int] {
        var ranks = [Int](repeating: 0, count: points.count)
        for (r, front) in fronts(points, violations: violations).enumerated() {
            for i in front { ranks[i] = r }
        }
        return ranks
    }
}
