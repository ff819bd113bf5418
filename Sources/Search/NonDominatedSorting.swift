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
        // Flat adjacency (who each point dominates) avoids N small array allocations.
        var dominatedCount = [Int](repeating: 0, count: n)
        var dominatesList = [Int]()
        dominatesList.reserveCapacity(n * n / 2)
        var listStart = [Int](repeating: 0, count: n + 1)
        var pairs = [(Int, Int)]()
        pairs.reserveCapacity(n * n / 2)
        let m = points[0].count
        for i in 0 ..< n {
            for j in (i + 1) ..< n {
                if constrained, violations[i] != violations[j] {
                    // The one nearer to feasible dominates, whatever the objectives say.
                    if violations[i] < violations[j] {
                        pairs.append((i, j)); dominatedCount[j] += 1
                    } else {
                        pairs.append((j, i)); dominatedCount[i] += 1
                    }
                    continue
                }
                var iBetter = false, jBetter = false
                for k in 0 ..< m {
                    let a = points[i][k], b = points[j][k]
                    if a < b { iBetter = true } else if b < a { jBetter = true }
                    if iBetter && jBetter { break }
                }
                if iBetter && !jBetter {
                    pairs.append((i, j)); dominatedCount[j] += 1
                } else if jBetter && !iBetter {
                    pairs.append((j, i)); dominatedCount[i] += 1
                }
            }
        }
        for (from, _) in pairs { listStart[from + 1] += 1 }
        for i in 0 ..< n { listStart[i + 1] += listStart[i] }
        dominatesList = [Int](repeating: 0, count: pairs.count)
        var fill = listStart
        for (from, to) in pairs {
            dominatesList[fill[from]] = to
            fill[from] += 1
        }

        var fronts: [[Int]] = []
        var current = (0 ..< n).filter { dominatedCount[$0] == 0 }
        while !current.isEmpty {
            fronts.append(current)
            var next: [Int] = []
            for i in current {
                for e in listStart[i] ..< listStart[i + 1] {
                    let j = dominatesList[e]
                    dominatedCount[j] -= 1
                    if dominatedCount[j] == 0 { next.append(j) }
                }
            }
            next.sort()
            current = next
        }
        return fronts
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
