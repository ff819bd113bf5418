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

    @Test("selection by accuracy keeps the epoch with the best validation accuracy, ties to the lower loss")
    func selectionByAccuracy() throws {
        let parts = try digitsSplit(seed: 1)
        let result = GRUTrainer.train(train: parts.train, validation: parts.validation, featureCount: 8, classCount: 10,
                                      options: TrainingOptions(epochs: 12, hiddenSize: 16, selection: .accuracy))
        let bestAccuracy = result.history.map(\.validationAccuracy).max() ?? .nan
        let kept = result.history[result.bestEpoch - 1]
        #expect(kept.validationAccuracy == bestAccuracy)
        #expect(result.history.allSatisfy { $0.validationAccuracy < bestAccuracy || $0.validationLoss >= kept.validationLoss })
        #expect(abs(result.model.accuracy(parts.validation.sequences, labels: parts.validation.labels) - bestAccuracy) < 1e-9)
    }

    @Test("weight decay gives smaller trained weights than none")
    func weightDecayTraining() throws {
        let parts = try digitsSplit(seed: 2)
        let train = (Array(parts.train.sequences.prefix(300)), Array(parts.train.labels.prefix(300)))
        let validation = (Array(parts.validation.sequences.prefix(100)), Array(parts.validation.labels.prefix(100)))
        func norm(_ decay: Float) -> Float {
            let options = TrainingOptions(epochs: 8, hiddenSize: 16, patience: 100, weightDecay: decay)
            let m = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options).model
            return (m.weightIH + m.weightHH + m.fcWeight).reduce(0) { $0 + $1 * $1 }
        }
        #expect(norm(1) < 0.9 * norm(0))
    }

    @Test("the cosine schedule anneals from the rate to 1/100 of it; plateau lowers the rate")
    func schedules() {
        #expect(LearningRateSchedule.cosine(base: 0.01, epoch: 1, epochs: 40) == 0.01)
        let rates = (1...40).map { LearningRateSchedule.cosine(base: 0.01, epoch: $0, epochs: 40) }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 })
        #expect(abs(rates[20] - 0.00505) < 1e-6)
        #expect(rates.last! > 0.0001 && rates.last! < 0.0002)
        #expect(LearningRateSchedule.plateauFactor < 1)
    }

    @Test("each schedule sets the rate epoch by epoch: constant keeps it, cosine anneals it, plateau halves it after stalls")
    func scheduledRates() throws {
        let parts = try digitsSplit(seed: 4)
        func run(_ schedule: LearningRateSchedule) -> TrainingResult {
            GRUTrainer.train(train: parts.train, validation: parts.validation, featureCount: 8, classCount: 10,
                             options: TrainingOptions(epochs: 12, hiddenSize: 16, patience: 100, schedule: schedule))
        }
        #expect(run(.constant).history.allSatisfy { $0.learningRate == Double(Float(0.01)) })
        let cosine = run(.cosine).history.map(\.learningRate)
        #expect(cosine == (1...12).map { Double(LearningRateSchedule.cosine(base: 0.01, epoch: $0, epochs: 12)) })
        // 100 training sequences overfit within a few epochs, so validation loss stalls and the rate must be cut.
        let plateau = GRUTrainer.train(
            train: (Array(parts.train.sequences.prefix(100)), Array(parts.train.labels.prefix(100))),
            validation: parts.validation, featureCount: 8, classCount: 10,
            options: TrainingOptions(epochs: 30, hiddenSize: 16, learningRate: 0.05, patience: 100,
                                     schedule: .plateau, selection: .loss)).history
        let rates = plateau.map(\.learningRate)
        #expect(rates.first == Double(Float(0.05)))
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $1 == $0 || $1 == $0 * Double(LearningRateSchedule.plateauFactor) })
        #expect(rates.last! < rates.first!)
        // A cut comes only after `plateauPatience` epochs without a new best loss.
        for (i, pair) in zip(rates, rates.dropFirst()).enumerated() where pair.1 < pair.0 {
            let before = plateau[..<(i + 1)]
            let recent = before.suffix(LearningRateSchedule.plateauPatience)
            let earlierBest = before.dropLast(LearningRateSchedule.plateauPatience).map(\.validationLoss).min() ?? .infinity
            #expect(recent.allSatisfy { $0.validationLoss >= earlierBest })
        }
    }

    @Test("rotation augmentation of 3-axis triplets is reproducible and changes training")
    func rotation() {
        // Two 3-axis "sensors" (6 features); the class is which axis of the first one carries the motion.
        var sequences: [[Float]] = [], labels: [Int] = []
        for i in 0..<60 {
            let label = i % 3
            var s: [Float] = []
            for t in 0..<12 {
                for f in 0..<6 { s.append(f == label ? Float(sin(Double(t + i))) : (f == 3 ? 1 : 0.1 * Float(f))) }
            }
            sequences.append(s); labels.append(label)
        }
        func run(_ degrees: Float) -> TrainingResult {
            GRUTrainer.train(train: (sequences, labels), validation: (sequences, labels), featureCount: 6, classCount: 3,
                             options: TrainingOptions(epochs: 2, hiddenSize: 8, seed: 3, rotationDegrees: degrees))
        }
        let a = run(30), b = run(30), plain = run(0)
        #expect(a.model == b.model && a.history == b.history)
        #expect(a.model != plain.model)
        // Validation is never augmented: the kept model's clean score is the one recorded.
        #expect(abs(a.model.accuracy(sequences, labels: labels) - a.history[a.bestEpoch - 1].validationAccuracy) < 1e-9)
    }

    @Test("the benchmark reports positive training and inference rates")
    func benchmark() {
        let r = GRUBenchmark.run(steps: 3, features: 4, hidden: 8, batch: 5, repeats: 1, iterations: 1)
        #expect((r["training_samples_per_second"] ?? 0) > 0)
        #expect((r["inference_macs_per_second"] ?? 0) > 0)
    }
}
