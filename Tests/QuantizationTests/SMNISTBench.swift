import Foundation
import Quantization
import Testing

@Suite("smnist-shape benchmark (GQ_BENCHMARK=1)")
struct SMNISTBench {
    @Test("prints the benchmark", .enabled(if: ProcessInfo.processInfo.environment["GQ_BENCHMARK"] != nil, "a benchmark: set GQ_BENCHMARK=1 to run it"))
    func full() {
        print(QuantizationBenchmark.run())
    }
}
