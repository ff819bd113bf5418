import Foundation
import GRU
import Datasets
import Testing

/// scikit-learn's 8×8 digits (8 steps × 8 features) with the Datasets module's seeded, stratified 60/20/20 split.
func digitsSplit(seed: UInt64) throws
    -> (train: (sequences: [[Float]], labels: [Int]), validation: (sequences: [[Float]], labels: [Int]), test: (sequences: [[Float]], labels: [Int])) {
    let task = try DigitsTask.load(seed: seed)
    return ((task.train.sequences, task.train.labels), (task.validation.sequences, task.validation.labels),
            (task.test.sequences, task.test.labels))
}

@Suite("training", .serialized)
struct DigitsTrainingTests {
    @Test("default options reach ≥ 95 % validation accuracy on the 8×8 digits")
    func digits() throws {
        let parts = try digitsSplit(seed: 1)
        #expect(parts.train.labels.count + parts.validation.labels.count + parts.test.labels.count == 1797)
        var epochsSeen = 0
        var batchesSeen = 0
        let result = GRUTrainer.train(train: parts.train, validation: parts.validation, featureCount: 8, classCount: 10,
                                      options: TrainingOptions(), progress: { _ in batchesSeen += 1 }, epochDone: { _ in epochsSeen += 1 })
        let accuracy = result.model.accuracy(parts.validation.sequences, labels: parts.validation.labels)
        #expect(accuracy >= 0.95, "validation accuracy \(accuracy)")
        #expect(result.model.accuracy(parts.test.sequences, labels: parts.test.labels) >= 0.93)
        #expect(result.model.standardization != nil)
        #expect(epochsSeen == result.history.count)
        #expect(batchesSeen == result.history.count * 34)
        #expect(result.bestEpoch >= 1 && result.bestEpoch <= result.history.count)
        let bestLoss = result.history.map(\.validationLoss).min() ?? .nan
        #expect(result.history[result.bestEpoch - 1].validationLoss == bestLoss)
        #expect(!result.interrupted)
    }

    @Test("the same seed gives identical weights; another seed does not")
    func reproducible() throws {
        let parts = try digitsSplit(seed: 2)
        let train = (Array(parts.train.sequences.prefix(300)), Array(parts.train.labels.prefix(300)))
        let validation = (Array(parts.validation.sequences.prefix(100)), Array(parts.validation.labels.prefix(100)))
        // Batch 96 spans several gradient chunks, which may run on different threads.
        let options = TrainingOptions(epochs: 3, hiddenSize: 20, batchSize: 96, seed: 5)
        let a = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        let b = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        var other = options
        other.seed = 6
        let c = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: other)
        #expect(a.model == b.model)
        #expect(a.history == b.history)
        #expect(a.model != c.model)
    }

    @Test("shouldStop ends training after the current batch and keeps the best weights so far")
    func interruption() throws {
        let parts = try digitsSplit(seed: 3)
        var batches = 0
        let result = GRUTrainer.train(train: parts.train, validation: parts.validation, featureCount: 8, classCount: 10,
                                      options: TrainingOptions(epochs: 50, hiddenSize: 16),
                                      progress: { _ in batches += 1 }, shouldStop: { batches >= 40 })
        #expect(result.interrupted)
        #expect(batches == 40)
        #expect(result.history.count == 1)
        #expect(result.bestEpoch >= 1)
        #expect(result.model.accuracy(parts.validation.sequences, labels: parts.validation.labels) > 0.5)
    }

    @Test("early stopping ends training once validation loss stops improving for `patience` epochs")
    func earlyStopping() throws {
        let parts = try digitsSplit(seed: 4)
        // A huge learning rate makes validation loss stop improving quickly.
        let result = GRUTrainer.train(train: parts.train, validation: parts.validation, featureCount: 8, classCount: 10,
                                      options: TrainingOptions(epochs: 60, hiddenSize: 16, learningRate: 0.5, patience: 2))
        #expect(result.stoppedEarly)
        #expect(result.history.count == result.bestEpoch + 2)
    }

    @Test("the benchmark reports positive training and inference rates")
    func benchmark() {
        let r = GRUBenchmark.run(steps: 3, features: 4, hidden: 8, batch: 5, repeats: 1, iterations: 1)
        #expect((r["training_samples_per_second"] ?? 0) > 0)
        #expect((r["inference_macs_per_second"] ?? 0) > 0)
    }
}
