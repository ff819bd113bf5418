import Foundation

/// NSGA-II (Deb et al. 2002) over integer genomes, as pymoo runs it: binary
/// tournament on rank then crowding, uniform crossover, per-gene mutation,
/// duplicate elimination, elitist (μ+λ) survival — plus memoised and parallel
/// evaluation.
///
/// Constraints (`constraintCount` > 0, the evaluation returning an `Evaluation` with one
/// value per constraint, met when ≤ 0) are handled by Deb's constrained domination as
/// pymoo applies it: a feasible solution beats an infeasible one, of two infeasible ones
/// the smaller total violation wins, and two feasible ones compare by Pareto dominance —
/// in the non-dominated sorting, the binary tournament and survival. `front`,
/// `archiveFront` and the hypervolume hold feasible solutions only. The hypervolume is the
/// archive front's (every evaluation so far), so it never falls from one generation to the next.
///
/// Typical use by a command such as `evolve N gens`:
///
///     let search = try NSGA2(space: space, options: options, objectiveCount: 2) { genome in
///         [validationError(genome), modelBytes(genome)]          // both minimised
///     }
///     let finished = try search.run(generations: n, shouldStop: { interrupted.isSet }) { report in
///         print(progressLine(report))                            // generation, evaluations, hits, front, hv
///         try search.save(to: checkpointURL)                     // atomic: a kill loses ≤ 1 generation
///     }
///     // finished == false: stopped by Ctrl-C; the population is consistent and
///     // `run` again (or `NSGA2(resuming: NSGA2Checkpoint.load(from:))`) continues.
///
/// Determinism: all random draws happen on the calling thread, in a fixed
/// order, from a stream of `options.seed` chosen by the generation number;
/// evaluations run on `threads` workers and are stored by index. So one seed
/// gives the same populations at any thread count, and a resumed run repeats
/// the uninterrupted one exactly. `evaluate` must be a pure function of the
/// genome (it is memoised) and safe to call from several threads at once.
///
/// Not thread-safe itself: drive one instance from one thread.
public final class NSGA2 {
    public let space: GenomeSpace
    public let options: NSGA2Options
    public let objectiveCount: Int
    /// Constraint values per evaluation; 0 for an unconstrained problem.
    public let constraintCount: Int
    /// Evaluation workers; may be changed between generations. Results do not depend on it.
    public var threads: Int
    /// Processes sharing each generation's evaluations (MPI ranks); nil for one process.
    /// Results do not depend on it either.
    public var partition: BatchPartition?
    /// The current population, after survival; every genome distinct, each with rank and crowding.
    public private(set) var population: [Individual] = []
    /// One report per completed generation, generation 0 first.
    public private(set) var history: [GenerationReport] = []
    /// Offspring generations completed (0 after initialization).
    public private(set) var generation = 0
    /// Every evaluation so far.
    public private(set) var cache = EvaluationCache()
    /// The hypervolume reference point; nil until initialization when not given in the options.
    public private(set) var referencePoint: [Double]?

    /// Objectives then constraint values, as one vector: what travels between workers and
    /// between the processes of a `BatchPartition`.
    private let evaluate: @Sendable (Genome) -> [Double]
    private let mutation: Mutation

    /// Pairs of parents mated per attempt are retried up to this many times when
    /// duplicates leave the offspring short (pymoo's `n_max_iterations`).
    private static let maxMatingRounds = 100

    /// A new unconstrained search; nothing is evaluated until `initialize` (or `run`).
    public convenience init(
        space: GenomeSpace,
        options: NSGA2Options = NSGA2Options(),
        objectiveCount: Int,
        evaluate: @escaping @Sendable (Genome) -> [Double]
    ) throws(SearchError) {
        try self.init(space: space, options: options, objectiveCount: objectiveCount, constraintCount: 0, flat: evaluate)
    }

    /// A new search under `constraintCount` constraints: `evaluate` returns the objectives
    /// and one value per constraint (met when ≤ 0).
    public convenience init(
        space: GenomeSpace,
        options: NSGA2Options = NSGA2Options(),
        objectiveCount: Int,
        constraintCount: Int,
        evaluate: @escaping @Sendable (Genome) -> Evaluation
    ) throws(SearchError) {
        try self.init(space: space, options: options, objectiveCount: objectiveCount, constraintCount: constraintCount,
                      flat: { genome in let e = evaluate(genome); return e.objectives + e.constraints })
    }

    private init(space: GenomeSpace, options: NSGA2Options, objectiveCount: Int, constraintCount: Int,
                 flat evaluate: @escaping @Sendable (Genome) -> [Double]) throws(SearchError) {
        try space.validate()
        try options.validate(for: space, objectiveCount: objectiveCount)
        guard (0...64).contains(constraintCount) else {
            throw .invalidOptions("constraint count is \(constraintCount); it must be from 0 to 64")
        }
        self.space = space
        self.options = options
        self.objectiveCount = objectiveCount
        self.constraintCount = constraintCount
        self.evaluate = evaluate
        self.threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        self.referencePoint = options.referencePoint
        mutation = Mutation(space: space, rate: options.mutationRate ?? 1 / Double(space.geneCount), kind: options.mutation)
    }

    /// Continues a saved unconstrained search. `threads` overrides the saved thread count
    /// (results do not depend on it). A checkpoint of a constrained search is refused: its
    /// evaluations need constraint values this function cannot give.
    public convenience init(
        resuming checkpoint: NSGA2Checkpoint,
        threads: Int? = nil,
        evaluate: @escaping @Sendable (Genome) -> [Double]
    ) throws(SearchError) {
        guard checkpoint.constraintCount == 0 else {
            throw .invalidOptions("the checkpoint's search has \(checkpoint.constraintCount) constraints; resume it with an evaluation that returns their values")
        }
        try self.init(resuming: checkpoint, threads: threads, flat: evaluate)
    }

    /// Continues a saved search, constrained or not: `evaluate` returns the objectives and
    /// the checkpoint's number of constraint values.
    public convenience init(
        resuming checkpoint: NSGA2Checkpoint,
        threads: Int? = nil,
        evaluate: @escaping @Sendable (Genome) -> Evaluation
    ) throws(SearchError) {
        try self.init(resuming: checkpoint, threads: threads, flat: { genome in let e = evaluate(genome); return e.objectives + e.constraints })
    }

    private convenience init(resuming checkpoint: NSGA2Checkpoint, threads: Int?,
                             flat evaluate: @escaping @Sendable (Genome) -> [Double]) throws(SearchError) {
        try self.init(space: checkpoint.space, options: checkpoint.options, objectiveCount: checkpoint.objectiveCount,
                      constraintCount: checkpoint.constraintCount, flat: evaluate)
        if let problem = checkpoint.inconsistency() {
            throw .invalidOptions("the checkpoint is inconsistent: \(problem)")
        }
        if let threads, threads > 0 { self.threads = threads }
        population = checkpoint.population
        history = checkpoint.history
        generation = checkpoint.generation
        cache = checkpoint.cache
        referencePoint = checkpoint.referencePoint
    }

    /// True once generation 0 has been evaluated.
    public var isInitialized: Bool { !population.isEmpty }

    /// The population's first front (rank 0), feasible members only, sorted by the first
    /// objective. Empty while no member of the population meets the constraints.
    public var front: [Individual] {
        population.filter { $0.rank == 0 && $0.isFeasible }
            .sorted { Pareto.lexicographicallyLess($0.objectives, $1.objectives) }
    }

    /// The non-dominated feasible genomes among every evaluation so far, sorted by the
    /// first objective. Can hold more than `front` when survival had to thin a
    /// front larger than the population. Empty while nothing evaluated is feasible
    /// (`cache.nearestInfeasible` then says how near the search came).
    public var archiveFront: [Individual] {
        cache.nondominated.map { Individual(genome: $0.genome, objectives: $0.objectives, constraints: $0.constraints) }
    }

    /// Hypervolume of `archiveFront` against `referencePoint` (0 before initialization):
    /// what each generation's report records. The population's `front` can lose a point to
    /// survival's crowding cut, the archive cannot.
    public var hypervolume: Double {
        guard let reference = referencePoint else { return 0 }
        return cache.hypervolume(reference: reference)
    }

    /// Builds and evaluates generation 0: `options.initialGenomes` first, then
    /// distinct random genomes (or the whole space, when it is no larger than
    /// the population).
    ///
    /// Returns nil when `shouldStop` turned true before every genome was
    /// evaluated: the search stays uninitialized, finished evaluations stay in
    /// the cache, and calling `initialize` again draws the same genomes.
    /// Does nothing and returns the last report when already initialized.
    @discardableResult
    public func initialize(shouldStop: @escaping @Sendable () -> Bool = { false }) -> GenerationReport? {
        if isInitialized { return history.last }
        var random = SearchRandom(seed: options.seed, generation: 0)
        var genomes: [Genome] = []
        var seen = Set<Genome>()
        for genome in options.initialGenomes where genomes.count < options.populationSize {
            if seen.insert(genome).inserted { genomes.append(genome) }
        }
        if let cardinality = space.cardinality, cardinality <= options.populationSize {
            for genome in allGenomes() where seen.insert(genome).inserted { genomes.append(genome) }
        } else {
            var attempts = 0
            let maxAttempts = 1000 * options.populationSize
            while genomes.count < options.populationSize && attempts < maxAttempts {
                attempts += 1
                let genome = space.allowedValues.map { $0[random.index(below: $0.count)] }
                if seen.insert(genome).inserted { genomes.append(genome) }
            }
        }
        guard let (evaluated, new, hits) = evaluateAll(genomes, shouldStop: shouldStop) else { return nil }
        if referencePoint == nil { referencePoint = Self.defaultReference(evaluated.map(\.objectives), objectives: objectiveCount) }
        population = Survival.survivors(of: evaluated, size: options.populationSize)
        generation = 0
        return record(evaluations: new, cacheHits: hits)
    }

    /// One generation: mating (selection, crossover, mutation, duplicate
    /// removal), evaluation of the new genomes, survival. Initializes first
    /// (and returns generation 0's report) when not yet initialized.
    ///
    /// `shouldStop` is polled before each evaluation starts (from worker
    /// threads). If it turns true, evaluations already running finish and are
    /// cached, survival is skipped and nil is returned: population, generation
    /// and history are unchanged, so the search is consistent and can be saved.
    /// Calling `step` again redoes the same generation with the same offspring
    /// (the random stream depends only on seed and generation), finding the
    /// finished ones in the cache — nothing is evaluated twice.
    @discardableResult
    public func step(shouldStop: @escaping @Sendable () -> Bool = { false }) -> GenerationReport? {
        guard isInitialized else { return initialize(shouldStop: shouldStop) }
        var random = SearchRandom(seed: options.seed, generation: generation + 1)
        let offspring = makeOffspring(&random)
        guard let (evaluated, new, hits) = evaluateAll(offspring, shouldStop: shouldStop) else { return nil }
        population = Survival.survivors(of: population + evaluated, size: options.populationSize)
        generation += 1
        return record(evaluations: new, cacheHits: hits)
    }

    /// Initializes if needed, then runs `generations` more generations, calling
    /// `report` after each (and after generation 0). `shouldStop` is polled
    /// between generations and, through `step`, before each evaluation.
    /// Returns true when all generations ran, false when stopped; either way the
    /// population is consistent. An error thrown by `report` (e.g. a failed
    /// checkpoint save) ends the run and is rethrown.
    @discardableResult
    public func run<E: Error>(
        generations: Int,
        shouldStop: @escaping @Sendable () -> Bool = { false },
        report: (GenerationReport) throws(E) -> Void
    ) throws(E) -> Bool {
        if !isInitialized {
            guard let first = initialize(shouldStop: shouldStop) else { return false }
            try report(first)
        }
        for _ in 0 ..< max(0, generations) {
            if shouldStop() { return false }
            guard let next = step(shouldStop: shouldStop) else { return false }
            try report(next)
        }
        return true
    }

    /// `run` without a per-generation callback.
    @discardableResult
    public func run(generations: Int, shouldStop: @escaping @Sendable () -> Bool = { false }) -> Bool {
        run(generations: generations, shouldStop: shouldStop, report: { (_: GenerationReport) throws(Never) in })
    }

    /// The whole state, for `save` or for the caller to store elsewhere.
    public var checkpoint: NSGA2Checkpoint {
        NSGA2Checkpoint(space: space, options: options, objectiveCount: objectiveCount, constraintCount: constraintCount,
                        generation: generation, referencePoint: referencePoint, population: population, cache: cache, history: history)
    }

    /// Writes the checkpoint as JSON, atomically (a temporary file renamed over `url`).
    public func save(to url: URL) throws(SearchError) {
        try checkpoint.save(to: url)
    }

    // MARK: - Steps

    private func makeOffspring(_ random: inout SearchRandom) -> [Genome] {
        let wanted = options.populationSize
        var offspring: [Genome] = []
        offspring.reserveCapacity(wanted)
        var seen = Set(population.map { GenomeKey($0.genome) })
        var rounds = 0
        while offspring.count < wanted && rounds < Self.maxMatingRounds {
            rounds += 1
            let matings = (wanted - offspring.count + 1) / 2
            let parents = TournamentSelection.select(2 * matings, from: population, random: &random)
            // All children of a round are drawn before any is filtered, as pymoo
            // does, so the random stream does not depend on which are duplicates.
            var children: [Genome] = []
            children.reserveCapacity(2 * matings)
            for m in 0 ..< matings {
                var (a, b) = UniformCrossover.cross(population[parents[2 * m]].genome, population[parents[2 * m + 1]].genome,
                                                    probability: options.crossoverProbability, random: &random)
                mutation.mutate(&a, random: &random)
                mutation.mutate(&b, random: &random)
                children.append(a)
                children.append(b)
            }
            for child in children where offspring.count < wanted {
                if seen.insert(GenomeKey(child)).inserted { offspring.append(child) }
            }
        }
        return offspring
    }

    /// Objectives for `genomes` from the cache or by evaluation; nil when stopped early.
    private func evaluateAll(_ genomes: [Genome], shouldStop: @escaping @Sendable () -> Bool)
        -> (individuals: [Individual], evaluations: Int, cacheHits: Int)? {
        var evaluations = [Evaluation?](repeating: nil, count: genomes.count)
        var missing: [Int] = []
        for (i, genome) in genomes.enumerated() {
            if let known = cache.evaluation(of: genome) { evaluations[i] = known } else { missing.append(i) }
        }
        let hits = genomes.count - missing.count
        let results = ParallelEvaluation.evaluate(missing.map { genomes[$0] }, threads: threads, partition: partition,
                                                  evaluate: evaluate, shouldStop: shouldStop)
        var complete = true
        for (slot, i) in missing.enumerated() {
            guard let result = results[slot] else { complete = false; continue }
            let clean = sanitize(result, genome: genomes[i])
            cache.store(genomes[i], clean)
            evaluations[i] = clean
        }
        guard complete else { return nil }
        cache.countHits(hits)
        let individuals = genomes.indices.map { Individual(genome: genomes[$0], evaluation: evaluations[$0] ?? Evaluation(objectives: [])) }
        return (individuals, missing.count, hits)
    }

    /// NaN would break dominance comparisons; an evaluation that failed is simply the worst
    /// (and, with constraints, infinitely far from feasible).
    private func sanitize(_ values: [Double], genome: Genome) -> Evaluation {
        precondition(values.count == objectiveCount + constraintCount,
                     "the evaluation returned \(values.count) values for genome \(genome); the search expects \(objectiveCount) objectives and \(constraintCount) constraint values")
        let clean = values.map { $0.isNaN ? .infinity : $0 }
        return Evaluation(objectives: Array(clean[..<objectiveCount]), constraints: Array(clean[objectiveCount...]))
    }

    private func record(evaluations: Int, cacheHits: Int) -> GenerationReport {
        var report = GenerationReport(
            generation: generation, evaluations: evaluations, cacheHits: cacheHits,
            totalEvaluations: cache.count, totalCacheHits: cache.hits,
            frontSize: population.reduce(0) { $0 + ($1.rank == 0 && $1.isFeasible ? 1 : 0) }, hypervolume: hypervolume)
        if constraintCount > 0 { report.feasible = population.reduce(0) { $0 + ($1.isFeasible ? 1 : 0) } }
        history.append(report)
        return report
    }

    private func allGenomes() -> [Genome] {
        var result: [Genome] = []
        var positions = [Int](repeating: 0, count: space.geneCount)
        while true {
            result.append(positions.indices.map { space.allowedValues[$0][positions[$0]] })
            var g = space.geneCount - 1
            while g >= 0 {
                positions[g] += 1
                if positions[g] < space.allowedValues[g].count { break }
                positions[g] = 0
                g -= 1
            }
            if g < 0 { return result }
        }
    }

    static func defaultReference(_ points: [[Double]], objectives: Int) -> [Double] {
        (0 ..< objectives).map { k in
            let values = points.map { $0[k] }.filter(\.isFinite)
            guard let worst = values.max(), let best = values.min() else { return 1 }
            let margin = worst > best ? 0.1 * (worst - best) : max(0.1 * abs(worst), 1)
            return worst + margin
        }
    }
}
