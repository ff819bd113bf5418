/// How a mutated gene chooses its new value.
public enum MutationKind: Sendable, Codable, Equatable {
    /// Any other allowed value, each equally likely.
    case uniform
    /// With probability `neighbourProbability`, one of the values next to the
    /// current one in the gene's allowed list (either side, equally likely);
    /// otherwise any other allowed value. Small steps refine a good
    /// configuration (one bit more or less), the long jumps keep diversity —
    /// the same idea as the polynomial mutation NSGA-II uses for real numbers.
    case neighbourBiased(neighbourProbability: Double)
}

/// Per-gene mutation: every gene mutates independently with a given rate, and a
/// mutated gene always takes a different allowed value.
struct Mutation {
    let space: GenomeSpace
    let rate: Double
    let kind: MutationKind
    /// Value → position in the allowed list, per gene, so that neighbours are found in O(1).
    private let positions: [[Int: Int]]

    init(space: GenomeSpace, rate: Double, kind: MutationKind) {
        self.space = space
        self.rate = rate
        self.kind = kind
        positions = space.allowedValues.map { values in
            Dictionary(uniqueKeysWithValues: values.enumerated().map { ($0.element, $0.offset) })
        }
    }

    func mutate(_ genome: inout Genome, random: inout SearchRandom) {
        for g in genome.indices {
            // One draw per gene whatever happens, so the stream stays aligned
            // across genes with one or many allowed values.
            guard random.chance(rate) else { continue }
            let values = space.allowedValues[g]
            let count = values.count
            guard count > 1, let current = positions[g][genome[g]] else { continue }
            var target: Int
            if case .neighbourBiased(let p) = kind, random.chance(p) {
                if current == 0 {
                    target = 1
                } else if current == count - 1 {
                    target = count - 2
                } else {
                    target = random.chance(0.5) ? current - 1 : current + 1
                }
            } else {
                // Uniform over the other count − 1 positions.
                target = random.index(below: count - 1)
                if target >= current { target += 1 }
            }
            genome[g] = values[target]
        }
    }
}
