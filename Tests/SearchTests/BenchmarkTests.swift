import Foundation
import Testing
import Search

@Suite("Search benchmark")
struct BenchmarkTests {
    @Test("the benchmark returns its figures and parameters")
    func runsSmall() {
        let result = SearchBenchmark.run(populationSize: 20, genes: 17, generations: 3, repeats: 1, threads: 2)
        for key in ["overhead_ms_per_generation", "overhead_ms_per_generation_min", "overhead_ms_per_generation_threads",
                    "overhead_ms_per_generation_at_10", "overhead_ms_per_generation_at_3"] {
            let value = result[key] ?? .nan
            #expect(value.isFinite && value > 0, "\(key)")
        }
        #expect(result["population"] == 20 && result["genes"] == 17 && result["threads"] == 2)
    }
}

@Suite("Search benchmark, full size (GQ_BENCHMARK=1)")
struct FullBenchmark {
    /// Opt-in: `GQ_BENCHMARK=1 swift test -c release --filter FullBenchmark` prints the JSON figures.
    @Test("NSGA-II overhead per generation, population 100, 17 genes of 2...8",
          .enabled(if: ProcessInfo.processInfo.environment["GQ_BENCHMARK"] != nil, "a benchmark: set GQ_BENCHMARK=1 to run it"))
    func full() throws {
        let result = SearchBenchmark.run(generations: 500, repeats: 5)
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
