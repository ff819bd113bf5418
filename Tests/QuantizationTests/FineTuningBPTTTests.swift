import GRU
import Quantization
import Testing

@Suite("Fine-tuning with truncated BPTT: gradients through each sequence's last N steps of the fake-quant model")
struct FineTuningBPTTTests {
    static let bits = BitWidths(uniform: 6)
    static let options = QuantizationOptions(range: .maxAbs)

    static func fakeQuant(_ sequences: [[Float]]) -> FakeQuantGRU {
        let model = randomModel(features: 3, hidden: 5, classes: 4, seed: 11)
        let calibration = Calibration.calibrate(model: model, trainingSequences: sequences, options: options)
        return FakeQuantGRU(model: model, calibration: calibration, bits: bits, options: options)
    }

    @Test("a window at least as long as every sequence fine-tunes to exactly the weights, ranges and history of whole sequences",
          arguments: [12, 13, 1000])
    func longWindowIsWhole(window: Int) {
        let sequences = randomSequences(count: 40, features: 3, lengths: 1...12, seed: 4)
        let labels = sequences.indices.map { $0 % 4 }
        let fq = Self.fakeQuant(sequences)
        #expect(sequences.map { $0.count / 3 }.max() == 12)
        let whole = fq.lossAndGradient(sequences, labels: labels)
        let windowed = fq.lossAndGradient(sequences, labels: labels, bptt: window)
        #expect(windowed.loss == whole.loss && windowed.gradient == whole.gradient && windowed.rangeGradient == whole.rangeGradient)
        func run(_ bptt: Int?) -> FineTuningResult {
            FineTuning.run(model: fq.model, calibration: fq.calibration, bits: Self.bits, options: Self.options,
                           train: (sequences, labels), validation: (Array(sequences.prefix(10)), Array(labels.prefix(10))),
                           settings: FineTuningOptions(epochs: 2, batchSize: 24, bptt: bptt))
        }
        let (a, b) = (run(nil), run(window))
        #expect(a.model.flatParameters == b.model.flatParameters)
        #expect(a.calibration.ranges == b.calibration.ranges)
        #expect(a.history == b.history)
    }

    @Test("a shorter window gives exactly the loss and gradients of the fake-quant model run on the last N steps from the state the earlier steps leave",
          arguments: [1, 3, 4])
    func shortWindowStartsFromCarriedState(window: Int) {
        // Strictly decreasing lengths keep the packed order of the whole sequences, their
        // earlier steps and their last windows the same, so every product is the same one.
        let lengths = [11, 9, 7, 5, 3, 2, 0]
        let sequences = lengths.enumerated().map { i, n in randomSequences(count: 1, features: 3, lengths: n...n, seed: UInt64(20 + i))[0] }
        let labels = [1, 0, 3, 2, 1, 0, 2]
        let fq = Self.fakeQuant(sequences)
        let truncated = fq.lossAndGradient(sequences, labels: labels, bptt: window)
        let earlier = sequences.map { Array($0.prefix(max(0, $0.count / 3 - window) * 3)) }
        let last = sequences.map { Array($0.suffix(min($0.count / 3, window) * 3)) }
        let carried = fq.finalStates(earlier)
        #expect(carried[0].contains { $0 != 0 })
        let reference = fq.lossAndGradient(last, labels: labels, initialStates: carried)
        #expect(truncated.loss == reference.loss)
        #expect(truncated.gradient == reference.gradient)
        #expect(truncated.rangeGradient == reference.rangeGradient)
        // The carried state is not all that matters: from zero the last steps give another loss.
        #expect(fq.lossAndGradient(last, labels: labels).loss != truncated.loss)
        #expect(fq.lossAndGradient(sequences, labels: labels).gradient != truncated.gradient)
    }

    @Test("fine-tuning with bptt gives the same weights and ranges from the same seed (chunks are fixed by the batch, not the thread count)")
    func reproducible() {
        let sequences = randomSequences(count: 70, features: 3, lengths: 20...32, seed: 3)
        let labels = sequences.indices.map { $0 % 4 }
        let fq = Self.fakeQuant(sequences)
        let run = {
            FineTuning.run(model: fq.model, calibration: fq.calibration, bits: Self.bits, options: Self.options,
                           train: (sequences, labels), validation: (sequences, labels),
                           settings: FineTuningOptions(epochs: 2, batchSize: 40, seed: 5, bptt: 7))
        }
        let (a, b) = (run(), run())
        #expect(a.history.count == 2 && a.history == b.history)
        #expect(a.model.flatParameters == b.model.flatParameters && a.calibration.ranges == b.calibration.ranges)
    }
}
