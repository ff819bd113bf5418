import Foundation
import GRU
import Testing

@Suite("refit on training + validation", .serialized)
struct RefitTests {
    /// A small digits problem: 200 training and 60 validation sequences.
    func parts() throws -> (train: (sequences: [[Float]], labels: [Int]), validation: (sequences: [[Float]], labels: [Int])) {
        let split = try digitsSplit(seed: 4)
        return ((Array(split.train.sequences.prefix(200)), Array(split.train.labels.prefix(200))),
                (Array(split.validation.sequences.prefix(60)), Array(split.validation.labels.prefix(60))))
    }

    @Test("a refit runs the first run's epochs on training + validation; its model carries the held-out score")
    func refitKeepsTheChoice() throws {
        let (train, validation) = try parts()
        var options = TrainingOptions(epochs: 6, hiddenSize: 12, batchSize: 16, seed: 3)
        let plain = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        options.refit = true
        var refitting = 0
        let refit = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options,
                                     progress: { if $0.refitting { refitting += 1; #expect($0.epochCount == 6) } })
        #expect(refit.history == plain.history)
        #expect(refit.bestEpoch == plain.bestEpoch)
        #expect(!plain.stoppedEarly)
        #expect(refit.refit == Refit(epochs: 6, sequences: 260))
        // 260 sequences in batches of 16: 17 batches in each refit epoch.
        #expect(refitting == 17 * 6)
        // The held-out score is the first run's at the epoch the refit ends at: its last.
        let last = try #require(plain.history.last)
        #expect(refit.model.heldOut == HeldOutScore(loss: last.validationLoss, accuracy: last.validationAccuracy, sequences: 60, epoch: 6))
        #expect(plain.model.heldOut == nil)
        #expect(refit.refit != nil && plain.refit == nil)
        // Other weights, and a standardisation fitted on training + validation.
        #expect(refit.model.weightHH != plain.model.weightHH)
        #expect(refit.model.standardization != plain.model.standardization)
        // The refit trained on validation: it fits it at least as well as the held-out run did.
        #expect(refit.model.accuracy(validation.sequences, labels: validation.labels) >= last.validationAccuracy)
    }

    @Test("a model trained like the refit on the same data is the refit model, weight for weight")
    func trainingLikeTheRefitGivesTheRefit() throws {
        let (train, validation) = try parts()
        let options = TrainingOptions(epochs: 6, hiddenSize: 12, batchSize: 16, seed: 3, patience: 6, refit: true)
        let refit = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        try #require(refit.refit != nil)
        let all = (sequences: train.sequences + validation.sequences, labels: train.labels + validation.labels)
        let copy = try #require(GRUTrainer.trainLikeRefit(train: all, epochs: 6, featureCount: 8, classCount: 10, options: options))
        #expect(copy.flatParameters == refit.model.flatParameters)
        #expect(copy.standardization == refit.model.standardization)
        // On part of the data it is another model.
        let part = (sequences: Array(all.sequences.prefix(200)), labels: Array(all.labels.prefix(200)))
        let fold = try #require(GRUTrainer.trainLikeRefit(train: part, epochs: 6, featureCount: 8, classCount: 10, options: options))
        #expect(fold.flatParameters != refit.model.flatParameters)
        #expect(GRUTrainer.trainLikeRefit(train: part, epochs: 6, featureCount: 8, classCount: 10, options: options, shouldStop: { true }) == nil)
    }

    @Test("a refit that cannot fit its data as well as the first run fitted its own is discarded, and the first run's model kept")
    func failedRefitIsDiscarded() throws {
        let (train, _) = try parts()
        // Validation repeats 30 training sequences with other labels: no weights get both copies
        // right, so the refit's fit at most 200 of 230, while the first run fits its 200.
        let repeated = (sequences: Array(train.sequences.prefix(30)), labels: train.labels.prefix(30).map { ($0 + 1) % 10 })
        let options = TrainingOptions(epochs: 30, hiddenSize: 24, learningRate: 0.01, batchSize: 16, seed: 2, patience: 100, refit: true)
        let result = GRUTrainer.train(train: train, validation: repeated, featureCount: 8, classCount: 10, options: options)
        let firstLast = try #require(result.history.last)
        try #require(firstLast.trainAccuracy > 200.0 / 230 + GRUTrainer.refitShortfall,
                     "the first run did not fit its training split: \(firstLast.trainAccuracy)")
        let discarded = try #require(result.discardedRefit)
        #expect(discarded.epochs == 30 && discarded.sequences == 230)
        #expect(discarded.firstRunAccuracy == firstLast.trainAccuracy)
        #expect(discarded.trainingAccuracy <= 200.0 / 230 + 1e-9)
        #expect(result.refit == nil && result.model.heldOut == nil)
        // The model is the first run's: its standardisation was fitted on the training split alone.
        #expect(result.model.standardization == Standardization.fit(sequences: train.sequences, featureCount: 8))
    }

    @Test("after an early stop the refit runs through the kept epoch only")
    func earlyStop() throws {
        let (train, validation) = try parts()
        // A zero learning rate never improves on the first epoch: patience 1 stops at epoch 2.
        let options = TrainingOptions(epochs: 10, hiddenSize: 8, learningRate: 0, batchSize: 64, seed: 1, patience: 1, refit: true)
        let result = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        #expect(result.stoppedEarly && result.bestEpoch == 1 && result.history.count == 2)
        #expect(result.refit == Refit(epochs: 1, sequences: 260))
        #expect(result.model.heldOut?.epoch == 1)
    }

    @Test("with a plateau schedule the refit trains at the first run's rates, cuts included")
    func plateauRates() throws {
        let (train, validation) = try parts()
        let options = TrainingOptions(epochs: 15, hiddenSize: 8, learningRate: 1, batchSize: 32, seed: 4, patience: 100,
                                      schedule: .plateau, refit: true)
        let first = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        try #require(Set(first.history.map(\.learningRate)).count > 1, "the rate was never cut: \(first.history.map(\.learningRate))")
        var refitRates: [Int: Double] = [:]
        _ = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options,
                             progress: { if $0.refitting { refitRates[$0.epoch] = $0.learningRate } })
        #expect(first.refit?.epochs == first.history.count)
        #expect(refitRates.keys.sorted() == first.history.map(\.epoch))
        for summary in first.history {
            #expect(refitRates[summary.epoch] == summary.learningRate, "epoch \(summary.epoch)")
        }
    }

    @Test("a refit is reproducible from the seed")
    func reproducible() throws {
        let (train, validation) = try parts()
        let options = TrainingOptions(epochs: 3, hiddenSize: 10, batchSize: 32, seed: 9, refit: true)
        let a = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        let b = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options)
        #expect(a.model == b.model)
    }

    @Test("stopping during the refit keeps the model trained on the training split, marked interrupted")
    func interruptedRefit() throws {
        let (train, validation) = try parts()
        let options = TrainingOptions(epochs: 3, hiddenSize: 10, batchSize: 16, seed: 2, refit: true)
        let plain = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10,
                                     options: TrainingOptions(epochs: 3, hiddenSize: 10, batchSize: 16, seed: 2))
        var refitBatches = 0
        var stop = false
        let result = GRUTrainer.train(train: train, validation: validation, featureCount: 8, classCount: 10, options: options,
                                      progress: { if $0.refitting { refitBatches += 1; stop = refitBatches >= 3 } },
                                      shouldStop: { stop })
        #expect(result.interrupted && result.refitInterrupted)
        #expect(result.refit == nil)
        #expect(result.model == plain.model)
    }

    @Test("without validation there is nothing to refit on")
    func noValidation() throws {
        let (train, _) = try parts()
        let result = GRUTrainer.train(train: train, validation: ([], []), featureCount: 8, classCount: 10,
                                      options: TrainingOptions(epochs: 2, hiddenSize: 8, seed: 1, refit: true))
        #expect(result.refit == nil)
        #expect(result.model.heldOut == nil)
    }

    @Test("the held-out score survives a file, and a malformed one names the metadata key")
    func heldOutInFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var model = GRUClassifier(inputSize: 3, hiddenSize: 4, classCount: 2, seed: 1)
        model.heldOut = HeldOutScore(loss: 0.4375, accuracy: 0.8, sequences: 10, epoch: 40)
        let url = dir.appendingPathComponent("refit.safetensors")
        try model.write(to: url)
        #expect(try GRUClassifier(contentsOf: url) == model)

        // Files written before the epoch was recorded read without it.
        var archive = model.archive()
        archive.metadata[GRUTensorName.heldOutEpoch] = nil
        try SafeTensors.write(archive, to: url)
        #expect(try GRUClassifier(contentsOf: url).heldOut == HeldOutScore(loss: 0.4375, accuracy: 0.8, sequences: 10))
        archive.metadata[GRUTensorName.heldOutEpoch] = "0"
        try SafeTensors.write(archive, to: url)
        expectError(.malformedHeader(file: url.path, reason: "metadata 'gq.held_out_epoch' is '0', not a positive whole number")) {
            _ = try GRUClassifier(contentsOf: url)
        }
        archive.metadata[GRUTensorName.heldOutEpoch] = "40"
        archive.metadata[GRUTensorName.heldOutAccuracy] = "1.5"
        try SafeTensors.write(archive, to: url)
        expectError(.malformedHeader(file: url.path, reason: "metadata 'gq.held_out_accuracy' is '1.5', not a fraction from 0 to 1")) {
            _ = try GRUClassifier(contentsOf: url)
        }
        archive.metadata[GRUTensorName.heldOutAccuracy] = "0.5"
        archive.metadata[GRUTensorName.heldOutSequences] = "1e19"
        try SafeTensors.write(archive, to: url)
        expectError(.malformedHeader(file: url.path, reason: "metadata 'gq.held_out_sequences' is '1e19', not a positive whole number")) {
            _ = try GRUClassifier(contentsOf: url)
        }
        archive.metadata[GRUTensorName.heldOutSequences] = "10"
        archive.metadata[GRUTensorName.heldOutAccuracy] = nil
        try SafeTensors.write(archive, to: url)
        expectError(.malformedHeader(file: url.path, reason: "metadata has 'gq.held_out_loss', 'gq.held_out_sequences' but not 'gq.held_out_accuracy'")) {
            _ = try GRUClassifier(contentsOf: url)
        }
    }
}
