/// The settings of an NSGA-II run. Everything that changes results is here, so a
/// checkpoint that stores them reproduces the run.
public struct NSGA2Options: Sendable, Codable, Equatable {
    /// Individuals kept per generation; also the number of offspring made per generation.
    public var populationSize: Int
    /// Chance that a pair of parents is crossed (uniform crossover) rather than copied.
    public var crossoverProbability: Double
    /// Per-gene mutation chance; nil means 1 / number of genes (one mutation per child on average).
    public var mutationRate: Double?
    /// How a mutated gene picks its new value.
    public var mutation: MutationKind
    /// The one seed every random choice of the search derives from.
    public var seed: UInt64
    /// Genomes placed in generation 0 before the random ones (e.g. the homogeneous
    /// configurations), in this order; repeats are dropped, and at most
    /// `populationSize` are used.
    public var initialGenomes: [Genome]
    /// Worker threads for evaluation; 0 means one per active core. Results do not depend on it.
    public var threads: Int
    /// The point hypervolume is measured against (one value per objective,
    /// worse than anything interesting). nil: fixed at initialization to the
    /// worst value of each objective in generation 0 plus 10 % of its spread,
    /// so that hypervolumes of later generations are comparable.
    public var referencePoint: [Double]?

    public init(
        populationSize: Int = 100,
        crossoverProbability: Double = 0.9,
        mutationRate: Double? = nil,
        mutation: MutationKind = .neighbourBiased(neighbourProbability: 0.5),
        seed: UInt64 = 0,
        initialGenomes: [Genome] = [],
        threads: Int = 0,
        referencePoint: [Double]? = nil
    ) {
        self.populationSize = populationSize
        self.crossoverProbability = crossoverProbability
        self.mutationRate = mutationRate
        self.mutation = mutation
        self.seed = seed
        self.initialGenomes = initialGenomes
        self.threads = threads
        self.referencePoint = referencePoint
    }

    /// The largest population a search (or a checkpoint) may ask for.
    public static let maximumPopulation = 1_000_000

    func validate(for space: GenomeSpace, objectiveCount: Int) throws(SearchError) {
        guard populationSize >= 2 else {
            throw .invalidOptions("population size is \(populationSize); it must be at least 2")
        }
        // Every generation allocates a population of offspring: a bound a file cannot lift.
        guard populationSize <= Self.maximumPopulation else {
            throw .invalidOptions("population size is \(populationSize); it must be at most \(Self.maximumPopulation)")
        }
        guard (0 ... 1).contains(crossoverProbability) else {
            throw .invalidOptions("crossover probability is \(crossoverProbability); it must be between 0 and 1")
        }
        if let rate = mutationRate, !(0 ... 1).contains(rate) {
            throw .invalidOptions("mutation rate is \(rate); it must be between 0 and 1")
        }
        if case .neighbourBiased(let p) = mutation, !(0 ... 1).contains(p) {
            throw .invalidOptions("neighbour probability is \(p); it must be between 0 and 1")
        }
        guard threads >= 0 else {
            throw .invalidOptions("threads is \(threads); use 0 for one per core, or a positive count")
        }
        guard objectiveCount >= 1 else {
            throw .invalidOptions("objective count is \(objectiveCount); there must be at least one objective")
        }
        if let reference = referencePoint, reference.count != objectiveCount {
            throw .invalidOptions("the reference point has \(reference.count) values for \(objectiveCount) objectives")
        }
        for (i, genome) in initialGenomes.enumerated() {
            if let why = space.problem(with: genome) { throw .invalidInitialGenome(index: i, reason: why) }
        }
    }
}
