import Quantization
import Testing

@Suite("benchmark")
struct BenchmarkTests {
    @Test("the benchmark reports positive times and rates on a small shape")
    func small() {
        let r = QuantizationBenchmark.run(sequences: 20, steps: 3, features: 4, hidden: 16, classes: 3, repeats: 1, threads: 2)
        #expect((r["evaluation_ms"] ?? 0) > 0)
        #expect((r["integer_macs_per_second"] ?? 0) > 0)
        #expect((r["fake_quant_ms"] ?? 0) > 0)
    }
}
