import Testing
import Workbench
import GRU

@Suite("Training defaults adapt to the size of the data")
struct TrainingDefaultsTests {
    @Test("a large training split keeps the fixed defaults the benchmark tasks were tuned with")
    func largeSplit() {
        #expect(TrainingDefaults.options(trainCount: 3000, validationCount: 1000) == TrainingOptions())
        #expect(TrainingDefaults.options(trainCount: 500, validationCount: 20) == TrainingOptions())
    }

    @Test("a small training split gets batch 16, learning rate 0.003 and a budget of optimiser steps")
    func smallSplit() {
        let vowels = TrainingDefaults.options(trainCount: 216, validationCount: 54)
        #expect(vowels.batchSize == 16 && vowels.learningRate == 0.003)
        #expect(vowels.epochs == 179)  // 14 batches an epoch, 2500 steps
        #expect(vowels.patience == vowels.epochs)  // 54 validation sequences cannot rank epochs by loss
        #expect(vowels.selection == .accuracy)
        #expect(vowels.refit)  // then trained again on all 270 labelled sequences
        let tiny = TrainingDefaults.options(trainCount: 16, validationCount: 4)
        #expect(tiny.epochs == 300)  // capped
        let middling = TrainingDefaults.options(trainCount: 480, validationCount: 120)
        #expect(middling.epochs == 84 && middling.patience == TrainingOptions().patience)
        #expect(middling.selection == TrainingOptions().selection)
        #expect(middling.refit && !TrainingOptions().refit)
    }

    @Test("a small training split trains without weight decay; a large one keeps it")
    func smallSplitNoDecay() {
        #expect(TrainingDefaults.options(trainCount: 159, validationCount: 41).weightDecay == 0)  // OSULeaf
        #expect(TrainingDefaults.options(trainCount: 216, validationCount: 54).weightDecay == 0)  // vowels
        #expect(TrainingOptions().weightDecay == 0.1)
        #expect(TrainingDefaults.options(trainCount: 5881, validationCount: 1471).weightDecay == TrainingOptions().weightDecay)  // har
    }

    @Test("a refit model carries its held-out score, and the noisy copies match σ to it, not to validation's in-sample loss")
    func refitHeldOut() throws {
        let workspace = Workspace(modelCache: nil)
        let task = try workspace.loadTask("digits").task
        var settings = TrainingOptions(epochs: 2, hiddenSize: 8, seed: 3)
        settings.refit = true
        guard case .trained(let result) = try workspace.train(settings) else {
            Issue.record("expected a trained model")
            return
        }
        let model = try workspace.requireModel()
        #expect(result.refit?.sequences == task.train.count + task.validation.count)
        let kept = try #require(result.history.first { $0.epoch == result.bestEpoch })
        #expect(model.heldOut == HeldOutScore(loss: kept.validationLoss, accuracy: kept.validationAccuracy, sequences: task.validation.count,
                                              epoch: result.refit?.epochs))
        let copies = NoisyCopies(model: model, train: (task.train.sequences, task.train.labels),
                                 validation: (task.validation.sequences, task.validation.labels), seed: 1)
        #expect(copies.targetLoss == kept.validationLoss)
    }

    @Test("the workspace's defaults follow the loaded task and the seed")
    func followTask() throws {
        let workspace = Workspace(modelCache: nil)
        #expect(workspace.defaultTrainingOptions() == TrainingOptions())
        workspace.seed = 7
        _ = try workspace.loadTask("digits")
        let options = workspace.defaultTrainingOptions()
        #expect(options.seed == 7 && options.batchSize == TrainingOptions().batchSize)
    }
}
