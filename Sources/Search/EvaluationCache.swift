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

    public mutating func store(_ genome: Genome, _ objectives: [Double]) {
        if values.updateValue(objectives, forKey: genome) == nil { order.append(genome) }
    }

    /// Every evaluation, oldest first.
    public var entries: [Entry] {
        order.map { Entry(genome: $0, objectives: values[$0] ?? []) }
    }

    private enum CodingKeys: String, CodingKey { case hits, entries }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hits = try container.decode(Int.self, forKey: .hits)
        for entry in try container.decode([Entry].self, forKey: .entries) {
            store(entry.genome, entry.objectives)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hits, forKey: .hits)
        try container.encode(entries, forKey: .entries)
    }
}
