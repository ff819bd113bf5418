/// Memoised evaluations (objectives and constraint values), keyed by genome.
///
/// Evaluation (quantize, run the integer model on the validation set) is the
/// expensive part of a search and a pure function of the genome, so no genome
/// is evaluated twice — not even one that survival dropped generations ago.
public struct EvaluationCache: Sendable, Codable, Equatable {
    /// One memoised evaluation.
    public struct Entry: Sendable, Codable, Equatable {
        public var genome: Genome
        public var objectives: [Double]
        /// Empty without constraints.
        public var constraints: [Double]

        public init(genome: Genome, objectives: [Double], constraints: [Double] = []) {
            self.genome = genome
            self.objectives = objectives
            self.constraints = constraints
        }

        public var evaluation: Evaluation { Evaluation(objectives: objectives, constraints: constraints) }
        public var violation: Double { Pareto.violation(of: constraints) }
        public var isFeasible: Bool { violation == 0 }

        private enum CodingKeys: String, CodingKey { case genome, objectives, constraints }

        // As `Individual`: constraints only when there are some, so older files load.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            genome = try container.decode(Genome.self, forKey: .genome)
            objectives = try container.decode([Double].self, forKey: .objectives)
            constraints = try container.decodeIfPresent([Double].self, forKey: .constraints) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(genome, forKey: .genome)
            try container.encode(objectives, forKey: .objectives)
            if !constraints.isEmpty { try container.encode(constraints, forKey: .constraints) }
        }
    }

    private var values: [GenomeKey: Evaluation] = [:]
    /// Genomes in the order they were first evaluated, so that the saved form is deterministic.
    private var order: [Genome] = []
    /// Positions in `order` of the feasible evaluations no other feasible one dominates,
    /// sorted by objectives (then position): kept up to date on every store, so the archive
    /// front costs O(front) per new evaluation instead of a pass over every evaluation.
    /// Infeasible evaluations never enter it: a front is what can be used.
    private var archive: [ArchiveMember] = []

    /// An archive entry keeps its objectives beside its position: finding them through the
    /// genome would hash a genome per member on every store, which grew with the front
    /// (issue 25: 0.26 → 1.2 ms per generation over 50 generations).
    private struct ArchiveMember: Sendable, Equatable {
        var position: Int
        var objectives: [Double]
    }
    /// The position of the first evaluation with the smallest violation among the infeasible
    /// ones: what to report when nothing is feasible yet.
    private var nearest: Int?
    /// Evaluations that meet every constraint.
    public private(set) var feasibleCount = 0
    /// Lookups answered from the cache.
    public private(set) var hits = 0

    public init() {}

    /// The number of distinct genomes evaluated.
    public var count: Int { order.count }

    /// The objectives of `genome` if it was evaluated, without counting a hit.
    public func peek(_ genome: Genome) -> [Double]? { values[GenomeKey(genome)]?.objectives }

    /// The whole evaluation of `genome` (objectives and constraints) if it was evaluated,
    /// without counting a hit.
    public func evaluation(of genome: Genome) -> Evaluation? { values[GenomeKey(genome)] }

    /// Adds `count` to the hit counter (the search counts a generation's hits only once it completes).
    public mutating func countHits(_ count: Int) { hits += count }

    /// Stores the first evaluation of `genome`, without constraints.
    public mutating func store(_ genome: Genome, _ objectives: [Double]) {
        store(genome, Evaluation(objectives: objectives))
    }

    /// Stores the first evaluation of `genome`; a genome is a pure function's input, so a
    /// second store of it changes nothing.
    public mutating func store(_ genome: Genome, _ evaluation: Evaluation) {
        let key = GenomeKey(genome)
        guard values[key] == nil else { return }
        values[key] = evaluation
        order.append(genome)
        let position = order.count - 1
        let violation = evaluation.violation
        if violation == 0 {
            feasibleCount += 1
            addToArchive(position, evaluation.objectives)
        } else if nearest.map({ violation < (values[GenomeKey(order[$0])]?.violation ?? .infinity) }) ?? true {
            nearest = position
        }
    }

    /// Every evaluation, oldest first.
    public var entries: [Entry] { entries(from: 0) }

    /// The evaluations from position `start` on (what a checkpoint journal has not written yet).
    public func entries(from start: Int) -> [Entry] {
        order[min(start, order.count)...].map(entry)
    }

    private func entry(_ genome: Genome) -> Entry {
        let evaluation = values[GenomeKey(genome)] ?? Evaluation(objectives: [])
        return Entry(genome: genome, objectives: evaluation.objectives, constraints: evaluation.constraints)
    }

    /// The feasible evaluations no other feasible one dominates (equal ones all kept), sorted
    /// by the first objective, then the next, then age: `Pareto.front` of the feasible
    /// `entries`, without the pass. Empty while nothing feasible has been evaluated; without
    /// constraints every evaluation is feasible.
    public var nondominated: [Entry] {
        archive.map { entry(order[$0.position]) }
    }

    /// The hypervolume of the archive front (`nondominated`) against `reference`: the one
    /// hypervolume a search reports, per generation and at the end. It never falls, since
    /// the archive only gains points that move the front forward; 0 while nothing is feasible.
    public func hypervolume(reference: [Double]) -> Double {
        guard reference.count == 2 else { return Hypervolume.compute(archive.map(\.objectives), reference: reference) }
        // The archive is already sorted: one sweep, no copy and no sort.
        return Hypervolume.sweep(sorted: archive.lazy.map(\.objectives), reference: reference)
    }

    /// While nothing is feasible, the evaluation nearest to feasible (the smallest violation,
    /// the oldest on ties); nil once something is feasible or before any evaluation.
    public var nearestInfeasible: Entry? {
        guard feasibleCount == 0, let nearest else { return nil }
        return entry(order[nearest])
    }

    private mutating func addToArchive(_ position: Int, _ objectives: [Double]) {
        // Binary search for the slot that keeps (objectives, position) ascending.
        var low = 0, high = archive.count
        while low < high {
            let middle = (low + high) / 2
            let other = archive[middle]
            let before = Pareto.lexicographicallyLess(other.objectives, objectives) || (other.objectives == objectives && other.position < position)
            if before { low = middle + 1 } else { high = middle }
        }
        let member = ArchiveMember(position: position, objectives: objectives)
        guard objectives.count == 2 else {
            if archive.contains(where: { Pareto.dominates($0.objectives, objectives) }) { return }
            archive.insert(member, at: low)
            archive.removeAll { Pareto.dominates(objectives, $0.objectives) }
            return
        }
        // Two objectives: along the sorted front the second objective never rises, so the
        // member just before the slot is the only one that could dominate the new point,
        // and the members it dominates are the run right after the slot. O(log front)
        // instead of two passes over it, which grew with the run (issue 25).
        if low > 0, Pareto.dominates(archive[low - 1].objectives, objectives) { return }
        var end = low
        while end < archive.count, archive[end].objectives[1] >= objectives[1] { end += 1 }
        archive.replaceSubrange(low ..< end, with: [member])
    }

    private enum CodingKeys: String, CodingKey { case hits, entries }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hits = try container.decode(Int.self, forKey: .hits)
        let entries = try container.decode([Entry].self, forKey: .entries)
        // Checked before any is stored: the archive compares objective vectors lane by lane.
        if let problem = Self.problem(with: entries, objectiveCount: entries.first?.objectives.count,
                                      constraintCount: entries.first?.constraints.count) {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [CodingKeys.entries], debugDescription: problem))
        }
        for entry in entries { store(entry.genome, entry.evaluation) }
    }

    /// What makes `entries` unfit to store: objective (or constraint) vectors of another
    /// length than `objectiveCount` (`constraintCount`), or a genome given twice; nil when
    /// they are fine.
    public static func problem(with entries: [Entry], objectiveCount: Int?, constraintCount: Int? = nil,
                               known: (Genome) -> Bool = { _ in false }) -> String? {
        var seen = Set<Genome>()
        for (index, entry) in entries.enumerated() {
            if let objectiveCount, entry.objectives.count != objectiveCount {
                return "evaluation \(index) has \(entry.objectives.count) objectives, expected \(objectiveCount)"
            }
            if let constraintCount, entry.constraints.count != constraintCount {
                return "evaluation \(index) has \(entry.constraints.count) constraint values, expected \(constraintCount)"
            }
            if known(entry.genome) || !seen.insert(entry.genome).inserted { return "evaluation \(index) repeats a genome" }
        }
        return nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hits, forKey: .hits)
        try container.encode(entries, forKey: .entries)
    }
}
