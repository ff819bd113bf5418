import Testing
import Workbench

@Suite("bench scaling's shapes")
struct ScalingBenchmarkTests {
    @Test("a scaling run stopped between shapes returns the shapes it measured and says how many of how many")
    func stopsBetweenShapes() {
        var asked = 0
        // Hidden 64 over 28 steps is three shapes: one GRU layer, two, and one LSTM layer.
        let run = ScalingBenchmark.run(quick: true, hidden: 64, steps: 28, shouldStop: { asked += 1; return asked > 1 })
        #expect(run.stoppedAfter?.done == 1 && run.stoppedAfter?.of == 3)
        #expect(!run.figures.isEmpty)
        #expect(run.figures.keys.allSatisfy { $0.hasPrefix("h64_t28_") })
        #expect((run.figures["h64_t28_training_samples_per_second"] ?? 0) > 0)
    }

    @Test("a size that is not one of the stack's or the LSTM's measures a single GRU layer at it")
    func singleSize() {
        let run = ScalingBenchmark.run(quick: true, hidden: 24, steps: 12, shouldStop: { false })
        #expect(run.stoppedAfter == nil)
        #expect(Set(run.figures.keys.map { $0.split(separator: "_").prefix(2).joined(separator: "_") }) == ["h24_t12"])
    }
}
