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
    /// Keys: `overhead_ms_per_generation` (median, 1 thread),
    /// `overhead_ms_per_generation_min`, `overhead_ms_per_generation_threads`
    /// (median at `threads`), `population`, `genes`, `generations`, `repeats`, `threads`.
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
        func perGeneration(threads: Int, seed: UInt64) -> Double {
            let options = NSGA2Options(populationSize: populationSize, seed: seed, threads: threads)
            guard let search = try? NSGA2(space: space, options: options, objectiveCount: 2, evaluate: evaluate) else {
                return .nan
            }
            search.initialize()
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for _ in 0 ..< generations { search.step() }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            return seconds * 1000 / Double(max(1, generations))
        }
        // A different seed per repeat, so no two repeats do identical work.
        let single = (0 ..< max(1, repeats)).map { perGeneration(threads: 1, seed: UInt64($0) + 1) }
        let parallel = (0 ..< max(1, repeats)).map { perGeneration(threads: workerCount, seed: UInt64($0) + 101) }
        return [
            "overhead_ms_per_generation": median(single),
            "overhead_ms_per_generation_min": single.min() ?? .nan,
            "overhead_ms_per_generation_threads": median(parallel),
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
