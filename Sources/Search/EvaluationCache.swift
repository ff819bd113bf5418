/// Memoised objective values, keyed by genome.
///
/// Evaluation (quantize, run the integer model on the validation set) is the
/// expensive part of a search and a pure function of the genome, so no genome
/// is evaluated twice — not even one that survival dropped generations ago.
public struct EvaluationCache: Sendable, Codable, Equatable {
    /// One memoised evaluation.
    public struct Entry: Sendable, Codable, Equatable {
        public var genome: Genome
        public var objectives: [Double]
    }

    private var values: [Genome: [Double]] = [:]
    /// Genomes in the order they were first evaluated, so that the saved form is deterministic.
    private var order: [Genome] = []
    /// Positions in `order` of the evaluations no other one dominates, sorted by objectives
    /// (then position): kept up to date on every store, so the archive front costs
    /// O(front) per new evaluation instead of a pass over every evaluation.
    private var archive: [Int] = []
    /// Lookups answered from the cache.
    public private(set) var hits = 0

    public init() {}

    /// The number of distinct genomes evaluated.
    public var count: Int { order.count }

    /// The objectives of `genome` if it was evaluated, counting a hit.
    public mutating func lookUp(_ genome: Genome) -> [Double]? {
        guard let found = values[genome] else { return nil }
        hits += 1
        return found
    }

    /// The objectives of `genome` if it was evaluated, without counting a hit.
    public func peek(_ genome: Genome) -> [Double]? { values[genome] }

    /// Adds `count` to the hit counter (the search counts a generation's hits only once it completes).
    public mutating func countHits(_ count: Int) { hits += count }

    /// Stores the first evaluation of `genome`; a genome is a pure function's input, so a
    /// second store of it changes nothing.
    public mutating func store(_ genome: Genome, _ objectives: [Double]) {
        guard values[genome] == nil else { return }
        values[genome] = objectives
        order.append(genome)
        addToArchive(order.count - 1, objectives)
    }

    /// Every evaluation, oldest first.
    public var entries: [Entry] { entries(from: 0) }

    /// The evaluations from position `start` on (what a checkpoint journal has not written yet).
    public func entries(from start: Int) -> [Entry] {
        order[min(start, order.count)...].map { Entry(genome: $0, objectives: values[$0] ?? []) }
    }

    /// The evaluations no other one dominates (equal ones all kept), sorted by the first
    /// objective, then the next, then age: `Pareto.front` of `entries`, without the pass.
    public var nondominated: [Entry] {
        archive.map { Entry(genome: order[$0], objectives: values[order[$0]] ?? []) }
    }

    private mutating func addToArchive(_ position: Int, _ objectives: [Double]) {
        let values = self.values, order = self.order
        func objectivesAt(_ p: Int) -> [Double] { values[order[p]] ?? [] }
        if archive.contains(where: { Pareto.dominates(objectivesAt($0), objectives) }) { return }
        archive.removeAll { Pareto.dominates(objectives, objectivesAt($0)) }
        // Binary search for the slot that keeps (objectives, position) ascending.
        var low = 0, high = archive.count
        while low < high {
            let middle = (low + high) / 2
            let other = objectivesAt(archive[middle])
            let before = Pareto.lexicographicallyLess(other, objectives) || (other == objectives && archive[middle] < position)
            if before { low = middle + 1 } else { high = middle }
        }
        archive.insert(position, at: low)
    }

    private enum CodingKeys: String, CodingKey { case hits, entries }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hits = try container.decode(Int.self, forKey: .hits)
        let entries = try container.decode([Entry].self, forKey: .entries)
        // Checked before any is stored: the archive compares objective vectors lane by lane.
        if let problem = Self.problem(with: entries, objectiveCount: entries.first?.objectives.count) {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [CodingKeys.entries], debugDescription: problem))
        }
        for entry in entries { store(entry.genome, entry.objectives) }
    }

    /// What makes `entries` unfit to store: objective vectors of another length than
    /// `objectiveCount`, or a genome given twice; nil when they are fine.
    public static func problem(with entries: [Entry], objectiveCount: Int?, known: (Genome) -> Bool = { _ in false }) -> String? {
        var seen = Set<Genome>()
        for (index, entry) in entries.enumerated() {
            if let objectiveCount, entry.objectives.count != objectiveCount {
                return "evaluation \(index) has \(entry.objectives.count) objectives, expected \(objectiveCount)"
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
