/// A genome: one chosen value per gene, in the order of `GenomeSpace.geneNames`.
public typealias Genome = [Int]

/// A genome as a set or dictionary key, hashed once: its genes folded into one word when it
/// is made, so a lookup feeds the hasher one value instead of every gene (a search looks up
/// hundreds of genomes a generation; issue 25). Equal keys are equal genomes.
struct GenomeKey: Hashable, Sendable {
    let genome: Genome
    private let fold: UInt64

    init(_ genome: Genome) {
        self.genome = genome
        var fold: UInt64 = 0xcbf2_9ce4_8422_2325
        for gene in genome { fold = (fold ^ UInt64(bitPattern: Int64(gene))) &* 0x0000_0100_0000_01B3 }
        self.fold = fold
    }

    func hash(into hasher: inout Hasher) { hasher.combine(fold) }
    static func == (a: GenomeKey, b: GenomeKey) -> Bool { a.fold == b.fold && a.genome == b.genome }
}

/// The search space: for every named gene, the values it may take.
///
/// The order of `allowedValues[g]` matters to neighbour-biased mutation, which
/// steps to the adjacent entries of that list: list ordinal values (bit widths,
/// grid levels) in ascending order.
public struct GenomeSpace: Sendable, Codable, Equatable {
    /// One name per gene (e.g. an operator name), used in messages and by callers.
    public var geneNames: [String]
    /// For every gene, its allowed values; each list non-empty, without repeats.
    public var allowedValues: [[Int]]

    public init(geneNames: [String], allowedValues: [[Int]]) {
        self.geneNames = geneNames
        self.allowedValues = allowedValues
    }

    /// A space where every gene takes its value from the same list.
    public init(geneNames: [String], values: [Int]) {
        self.init(geneNames: geneNames, allowedValues: Array(repeating: values, count: geneNames.count))
    }

    /// The number of genes.
    public var geneCount: Int { allowedValues.count }

    /// The number of distinct genomes, or nil when it exceeds `Int.max`.
    public var cardinality: Int? {
        var total = 1
        for values in allowedValues {
            let (product, overflow) = total.multipliedReportingOverflow(by: values.count)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// Throws unless every gene has a name and a non-empty list of distinct values.
    public func validate() throws(SearchError) {
        guard !allowedValues.isEmpty else {
            throw .invalidSpace("the genome space has no genes; give at least one gene with its allowed values")
        }
        guard geneNames.count == allowedValues.count else {
            throw .invalidSpace("\(geneNames.count) gene names for \(allowedValues.count) value lists; give one name per gene")
        }
        for (g, values) in allowedValues.enumerated() {
            guard !values.isEmpty else {
                throw .invalidSpace("gene '\(geneNames[g])' has no allowed values")
            }
            guard Set(values).count == values.count else {
                throw .invalidSpace("gene '\(geneNames[g])' lists a value twice: \(values)")
            }
        }
    }

    /// Nil when `genome` belongs to the space, otherwise why it does not.
    public func problem(with genome: Genome) -> String? {
        guard genome.count == geneCount else {
            return "it has \(genome.count) genes, the space has \(geneCount)"
        }
        for g in 0 ..< geneCount where !allowedValues[g].contains(genome[g]) {
            return "gene '\(geneNames[g])' is \(genome[g]), allowed are \(allowedValues[g])"
        }
        return nil
    }
}
