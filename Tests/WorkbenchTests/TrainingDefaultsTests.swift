import Testing
import Workbench

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
        let tiny = TrainingDefaults.options(trainCount: 16, validationCount: 4)
        #expect(tiny.epochs == 300)  // capped
        let middling = TrainingDefaults.options(trainCount: 480, validationCount: 120)
        #expect(middling.epochs == 84 && middling.patience == TrainingOptions().patience)
        #expect(middling.selection == TrainingOptions().selection)
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
