import Foundation

/// Measures NSGA-II's own cost per generation, with evaluation made trivial.
public enum SearchBenchmark {
    /// Runs `repeats` searches of `generations` generations (population 100 by
    /// default, 17 genes with values 2...8 — the shape of a GRU bit-width
    /// search) and returns, in milliseconds per generation, the median and the
    /// minimum over repeats, at one thread and at `threads` threads, plus the
    /// parameters. The objective is a cheap closed form with a real trade-off
    /// (a weighted "size" against a weighted "error"), so fronts, crowding and
    /// duplicates behave as in a real search while evaluation costs nanoseconds.
    ///
    /// Keys: `overhead_ms_per_generation` (median over repeats of the run's mean, 1 thread),
    /// `overhead_ms_per_generation_min`, `overhead_ms_per_generation_threads` (at `threads`),
    /// `overhead_ms_per_generation_at_10` and `_at_G` (the first ten generations and the last
    /// ten of a G-generation run, 1 thread), `population`, `genes`, `generations`,
    /// `repeats`, `threads`.
    public static func run(
        populationSize: Int = 100,
        genes: Int = 17,
        generations: Int = 50,
        repeats: Int = 7,
        threads: Int = 0
    ) -> [String: Double] {
        let workerCount = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let space = GenomeSpace(geneNames: (0 ..< genes).map { "g\($0)" }, values: Array(2 ... 8))
        let weights = (0 ..< genes).map { Double(1 + ($0 * 7) % 5) }
        let evaluate: @Sendable (Genome) -> [Double] = { genome in
            var size = 0.0, error = 0.0
            for g in genome.indices {
                size += weights[g] * Double(genome[g])
                error += exp2(-Double(genome[g])) * Double(1 + g % 3)
            }
            return [size, error]
        }
        /// Milliseconds of each generation of one search.
        func generationTimes(threads: Int, seed: UInt64) -> [Double] {
            let options = NSGA2Options(populationSize: populationSize, seed: seed, threads: threads)
            guard let search = try? NSGA2(space: space, options: options, objectiveCount: 2, evaluate: evaluate) else {
                return []
            }
            search.initialize()
            let clock = ContinuousClock()
            return (0 ..< generations).map { _ in
                let elapsed = clock.measure { search.step() }
                return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) * 1000
            }
        }
        func mean(_ values: ArraySlice<Double>) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
        // A different seed per repeat, so no two repeats do identical work.
        let single = (0 ..< max(1, repeats)).map { generationTimes(threads: 1, seed: UInt64($0) + 1) }
        let parallel = (0 ..< max(1, repeats)).map { generationTimes(threads: workerCount, seed: UInt64($0) + 101) }
        let window = min(10, generations)
        return [
            "overhead_ms_per_generation": median(single.map { mean($0[...]) }),
            "overhead_ms_per_generation_min": single.map { mean($0[...]) }.min() ?? .nan,
            "overhead_ms_per_generation_threads": median(parallel.map { mean($0[...]) }),
            // Early and late in the run: flat when the cost follows the work, not the history.
            "overhead_ms_per_generation_at_10": median(single.map { mean($0.prefix(window)) }),
            "overhead_ms_per_generation_at_\(generations)": median(single.map { mean($0.suffix(window)) }),
            "population": Double(populationSize),
            "genes": Double(genes),
            "generations": Double(generations),
            "repeats": Double(max(1, repeats)),
            "threads": Double(workerCount),
        ]
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
