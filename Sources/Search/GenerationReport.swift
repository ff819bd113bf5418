/// What one generation did: enough for a progress line and a hypervolume plot.
public struct GenerationReport: Sendable, Codable, Equatable {
    /// 0 for the initial population, then 1, 2, ...
    public var generation: Int
    /// Genomes evaluated for this generation (cache misses).
    public var evaluations: Int
    /// Offspring whose objectives came from the cache.
    public var cacheHits: Int
    /// Distinct genomes evaluated since the search began.
    public var totalEvaluations: Int
    /// Cache hits since the search began.
    public var totalCacheHits: Int
    /// Feasible individuals of rank 0 in the population after survival.
    public var frontSize: Int
    /// With constraints, the individuals of the population that meet them all; nil for an
    /// unconstrained search (and in reports saved before constraints existed).
    public var feasible: Int?
    /// Hypervolume of the archive front (the feasible non-dominated evaluations since the
    /// search began, `NSGA2.hypervolume`) against the search's reference point; 0 while none
    /// is feasible. Never falls from one report to the next. (Checkpoints from before it
    /// measured the archive recorded the population's first front; loading recomputes them.)
    public var hypervolume: Double

    public init(generation: Int, evaluations: Int, cacheHits: Int, totalEvaluations: Int,
                totalCacheHits: Int, frontSize: Int, hypervolume: Double) {
        self.generation = generation
        self.evaluations = evaluations
        self.cacheHits = cacheHits
        self.totalEvaluations = totalEvaluations
        self.totalCacheHits = totalCacheHits
        self.frontSize = frontSize
        self.hypervolume = hypervolume
    }
}
