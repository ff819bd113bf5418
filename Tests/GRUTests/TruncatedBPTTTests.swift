import GRU
import Testing

@Suite("Truncated BPTT: gradients through each sequence's last N steps, memory following N")
struct TruncatedBPTTTests {
    static func model() -> GRUClassifier {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 5, classCount: 4, seed: 11)
        model.standardization = Standardization(mean: [0.5, 0, -0.5], scale: [2, 1.5, 1])
        return model
    }

    @Test("a window at least as long as every sequence gives exactly the full-BPTT loss and gradient", arguments: [6, 7, 1000])
    func longWindowIsFull(window: Int) {
        let model = Self.model()
        let sequences = randomSequences(lengths: [4, 1, 6, 0, 3, 6], features: 3, seed: 5)
        let labels = [0, 3, 1, 2, 3, 1]
        let full = model.lossAndGradient(sequences, labels: labels)
        let truncated = model.lossAndGradient(sequences, labels: labels, bptt: window)
        #expect(truncated.loss == full.loss)
        #expect(truncated.gradient.flatParameters == full.gradient.flatParameters)
    }

    @Test("a shorter window gives the gradient of the last N steps' loss with the state entering them held constant (finite differences)",
          arguments: [1, 3])
    func shortWindowDetaches(window: Int) {
        let model = Self.model()
        // Earlier steps of 0 to 6 steps: none, part of a block, one block and more.
        let sequences = randomSequences(lengths: [7, 2, 9, 5, 3, 0], features: 3, seed: 8)
        let labels = [1, 0, 3, 2, 1, 0]
        let (loss, gradient) = model.lossAndGradient(sequences, labels: labels, bptt: window)
        let reference = NaiveGRU(model)
        // The carried states, computed once with the unperturbed weights: constants of the loss.
        let carried = sequences.map { reference.state($0, steps: 0..<max(0, $0.count / 3 - window)) }
        #expect(abs(loss - reference.meanLoss(sequences, labels: labels, window: window, initial: carried)) < 1e-5)
        let analytic = [gradient.weightIH, gradient.weightHH, gradient.biasIH, gradient.biasHH, gradient.fcWeight, gradient.fcBias]
        let epsilon = 1e-5
        for t in analytic.indices {
            for i in analytic[t].indices {
                var plus = reference, minus = reference
                plus.tensors[t][i] += epsilon
                minus.tensors[t][i] -= epsilon
                let numeric = (plus.meanLoss(sequences, labels: labels, window: window, initial: carried)
                    - minus.meanLoss(sequences, labels: labels, window: window, initial: carried)) / (2 * epsilon)
                #expect(abs(Double(analytic[t][i]) - numeric) <= 1e-5 + 1e-3 * abs(numeric), "tensor \(t)[\(i)]")
            }
        }
        #expect(gradient.flatParameters != model.lossAndGradient(sequences, labels: labels).gradient.flatParameters)
    }

    @Test("with bptt the memory estimate is 4 bytes × batch × N × (14 × hidden + 2 × features), whatever the length")
    func memoryFollowsWindow() {
        let options = TrainingOptions(hiddenSize: 64, batchSize: 32, bptt: 2000)
        for longest in [100_000, 10_000_000] {
            let memory = TrainingMemory(lengths: [longest, 5, 7], featureCount: 2, options: options)
            #expect(memory.keptSteps == 2000 && memory.truncated)
            #expect(memory.bytes == 4 * 3 * 2000 * (14 * 64 + 2 * 2))
        }
        // A window past the longest sequence is whole-sequence BPTT, with its estimate.
        let whole = TrainingMemory(lengths: [1500, 5, 7], featureCount: 2, options: options)
        #expect(!whole.truncated && whole.bytes == 4 * 3 * 1500 * (14 * 64 + 2))
        let full = TrainingMemory(lengths: [100_000, 5, 7], featureCount: 2, options: TrainingOptions(hiddenSize: 64, batchSize: 32))
        #expect(full.largestWindow(within: 4 * 3 * 2000 * (14 * 64 + 2 * 2), featureCount: 2, hiddenSize: 64) == 2000)
        #expect(full.largestWindow(within: 10, featureCount: 2, hiddenSize: 64) == 0)
    }

    @Test("training with bptt gives the same weights from the same seed (chunks are fixed by the batch, not the thread count)")
    func reproducible() {
        let sequences = randomSequences(lengths: (0..<70).map { 20 + $0 % 13 }, features: 3, seed: 3)
        let labels = sequences.indices.map { $0 % 4 }
        let options = TrainingOptions(epochs: 2, hiddenSize: 6, batchSize: 64, bptt: 7)
        let run = { GRUTrainer.train(train: (sequences, labels), validation: ([], []), featureCount: 3, classCount: 4, options: options).model }
        let first = run()
        #expect(first.flatParameters == run().flatParameters)
    }
}
