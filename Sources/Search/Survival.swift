/// Elitist (μ+λ) survival on rank and crowding distance (pymoo's `RankAndCrowding`), the
/// ranks taken under constrained domination.
enum Survival {
    /// Keeps the best `size` of `candidates` (parents and offspring together) and
    /// sets their rank and crowding distance.
    ///
    /// Whole fronts are taken best first; the front that does not fit is cut by
    /// crowding distance, largest first. Ties in crowding go to the earlier
    /// candidate (parents come before offspring), which keeps the result
    /// deterministic without spending random draws.
    ///
    /// With constraints, the feasible fronts come first and the infeasible candidates after
    /// them in order of violation, so survival fills the population as pymoo does (feasible
    /// ones by rank and crowding, the rest nearest-to-feasible first); without, the
    /// violations are all 0 and the sort is plain Pareto.
    static func survivors(of candidates: [Individual], size: Int) -> [Individual] {
        let fronts = NonDominatedSorting.fronts(candidates.map(\.objectives), violations: candidates.map(\.violation))
        var kept: [Individual] = []
        kept.reserveCapacity(min(size, candidates.count))
        for (rank, front) in fronts.enumerated() {
            guard kept.count < size else { break }
            let crowding = CrowdingDistance.compute(front.map { candidates[$0].objectives })
            var members = front.indices.map { position -> Individual in
                var individual = candidates[front[position]]
                individual.rank = rank
                individual.crowding = crowding[position]
                return individual
            }
            let room = size - kept.count
            if members.count > room {
                let order = members.indices.sorted {
                    members[$0].crowding > members[$1].crowding
                        || (members[$0].crowding == members[$1].crowding && $0 < $1)
                }
                members = order.prefix(room).sorted().map { members[$0] }
            }
            kept.append(contentsOf: members)
        }
        return kept
    }
}
