/// Pareto dominance and non-dominated filtering for minimised objectives.
public enum Pareto {
    /// True when `a` is no worse than `b` in every objective and better in at least one.
    @inlinable
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        var strictlyBetter = false
        for i in a.indices {
            if a[i] > b[i] { return false }
            if a[i] < b[i] { strictlyBetter = true }
        }
        return strictlyBetter
    }

    /// Indices (ascending) of the points that no other point dominates.
    ///
    /// Equal points do not dominate each other, so all copies of a
    /// non-dominated point are returned.
    public static func nondominated(_ points: [[Double]]) -> [Int] {
        // Sorting lexicographically means only earlier points can dominate a later one,
        // and only points already kept need to be checked (a dominated dominator is
        // itself dominated by a kept point, by transitivity).
        let order = points.indices.sorted { lexicographicallyLess(points[$0], points[$1]) || (points[$0] == points[$1] && $0 < $1) }
        var kept: [Int] = []
        for i in order where !kept.contains(where: { dominates(points[$0], points[i]) }) {
            kept.append(i)
        }
        return kept.sorted()
    }

    /// The non-dominated individuals, sorted by the first objective (then the next ones).
    public static func front(of individuals: [Individual]) -> [Individual] {
        nondominated(individuals.map(\.objectives))
            .map { individuals[$0] }
            .sorted { lexicographicallyLess($0.objectives, $1.objectives) }
    }

    static func lexicographicallyLess(_ a: [Double], _ b: [Double]) -> Bool {
        for i in a.indices where a[i] != b[i] { return a[i] < b[i] }
        return false
    }
}
