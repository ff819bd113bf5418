import Foundation
import Quantization
import Testing

@Suite("smnist-shape benchmark")
struct SMNISTBench {
    @Test("prints the benchmark", .enabled(if: ProcessInfo.processInfo.environment["GQ_BENCH"] != nil, "a benchmark: set GQ_BENCH=1 to run it"))
    func full() {
        print(QuantizationBenchmark.run())
    }
}
