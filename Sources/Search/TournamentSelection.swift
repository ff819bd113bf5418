/// Binary tournament on constraint violation, then rank, then crowding distance (pymoo's
/// `binary_tournament` for NSGA-II, `comp_by_rank_and_crowding`).
enum TournamentSelection {
    /// Picks `count` parents (population indices).
    ///
    /// Competitors are paired off from concatenated random permutations of the
    /// population, as pymoo does, so every individual enters about the same
    /// number of tournaments. When either competitor is infeasible the smaller
    /// violation wins, a coin flip deciding equal ones (pymoo's rule); between two
    /// feasible ones the lower rank wins, on equal rank the larger crowding distance,
    /// and a full tie is decided by a coin flip.
    static func select(_ count: Int, from population: [Individual], random: inout SearchRandom) -> [Int] {
        let n = population.count
        precondition(n > 0, "tournament on an empty population")
        let needed = 2 * count
        var competitors: [Int] = []
        competitors.reserveCapacity(needed + n)
        while competitors.count < needed {
            competitors.append(contentsOf: random.permutation(n))
        }
        var winners: [Int] = []
        winners.reserveCapacity(count)
        for t in 0 ..< count {
            let a = competitors[2 * t], b = competitors[2 * t + 1]
            let ia = population[a], ib = population[b]
            let va = ia.violation, vb = ib.violation
            if va > 0 || vb > 0 {
                if va != vb {
                    winners.append(va < vb ? a : b)
                } else {
                    winners.append(random.chance(0.5) ? a : b)
                }
            } else if ia.rank != ib.rank {
                winners.append(ia.rank < ib.rank ? a : b)
            } else if ia.crowding != ib.crowding {
                winners.append(ia.crowding > ib.crowding ? a : b)
            } else {
                winners.append(random.chance(0.5) ? a : b)
            }
        }
        return winners
    }
}
