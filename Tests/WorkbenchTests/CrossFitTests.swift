import Foundation
import GRU
import MemoryLimits
import Testing
import Workbench

@Suite("Cross-fitting: what unseen data cost a refit model, measured on every labelled sequence")
struct CrossFitTests {
    @Test("the folds split the labelled sequences once each, every class in proportion, the same for the same seed")
    func foldsPartitionByClass() throws {
        let labels = (0..<103).map { $0 % 4 }
        let folds = CrossFit.folds(labels: labels, seed: 7)
        #expect(folds.count == CrossFit.foldCount)
        #expect(folds.flatMap { $0 }.sorted() == Array(0..<103))
        for label in 0..<4 {
            let perFold = folds.map { fold in fold.filter { labels[$0] == label }.count }
            let spread = try #require(perFold.max()) - (try #require(perFold.min()))
            #expect(spread <= 1, "class \(label) is spread \(perFold)")
        }
        #expect(CrossFit.folds(labels: labels, seed: 7) == folds)
        #expect(CrossFit.folds(labels: labels, seed: 8) != folds)
    }

    @Test("after a refit every labelled sequence is scored once, by a fold model trained like the refit without it, and the noisy copies match that loss")
    func refitModelsAreCrossFitted() throws {
        let workspace = try refitWorkspace(seed: 3)
        let task = try #require(workspace.task)
        let model = try workspace.requireModel()
        let crossFit = try #require(try workspace.crossFit())
        #expect(crossFit.count == task.train.count + task.validation.count)
        #expect(crossFit.models.count == CrossFit.foldCount)
        // Each fold model trained on the other folds: its standardisation is theirs, not the refit's.
        let sequences = task.train.sequences + task.validation.sequences
        for (fold, heldOut) in zip(crossFit.models, crossFit.folds) {
            let held = Set(heldOut)
            let training = sequences.indices.filter { !held.contains($0) }.map { sequences[$0] }
            #expect(fold.standardization == Standardization.fit(sequences: training, featureCount: task.featureCount))
            #expect(fold.flatParameters != model.flatParameters)
        }
        #expect(crossFit.loss > 0 && (0...1).contains(crossFit.accuracy))
        let copies = try #require(try workspace.judgingSet(.noisy, seed: 1).copies)
        #expect(copies.targetLoss == crossFit.loss)
        #expect(copies.crossFitted == crossFit.score)
        #expect(copies.summary.contains("each scored by a model trained without it"))
    }

    @Test("a model without a refit, or from a file, has no recipe to copy: no cross-fitting (the last model's fold models are dropped), and σ follows the held-out loss")
    func noRecipeNoCrossFit() throws {
        let plain = try trainedWorkspace()
        #expect(try plain.crossFit() == nil)
        let refit = try refitWorkspace()
        #expect(try refit.crossFit() != nil)
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("refit.safetensors")
        let trained = try refit.requireModel()
        try trained.write(to: file)
        try refit.adopt(model: GRUClassifier(contentsOf: file), origin: "a file")
        let loaded = try refit.requireModel()
        try #require(loaded.heldOut != nil)
        #expect(try refit.crossFit() == nil)
        let copies = try #require(try refit.judgingSet(.noisy, seed: 1).copies)
        #expect(copies.crossFitted == nil && copies.targetLoss == loaded.heldOut?.loss)
    }

    @Test("fold models come from the model cache the second time, and give the same loss")
    func foldModelsAreCached() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        func crossFitted() throws -> (CrossFit, Int) {
            let workspace = try refitWorkspace(seed: 5, modelCache: ModelCache(directory: folder))
            var trained = 0
            workspace.crossFitObserver = CalibrationObserver(progress: { _ in trained += 1 })
            let crossFit = try #require(try workspace.crossFit())
            return (crossFit, trained)
        }
        let (first, firstProgress) = try crossFitted()
        let (second, secondProgress) = try crossFitted()
        #expect(firstProgress > 0, "the first cross-fit trains")
        #expect(secondProgress == 0, "the second finds every fold model in the cache")
        #expect(first.loss == second.loss)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == 1 + CrossFit.foldCount)
    }

    @Test("Ctrl-C while the fold models train stops cross-fitting with a message, and keeps nothing half-trained")
    func stopping() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = try refitWorkspace(modelCache: ModelCache(directory: folder))
        workspace.shouldStop = { true }
        #expect(throws: WorkbenchError.crossFitStopped) { try workspace.crossFit() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1, "only the refit model is cached")
        workspace.shouldStop = { false }
        #expect(try workspace.crossFit() != nil)
    }

    @Test("the copies' summary says when a failed fold model's sequences were left out of the cross-fitted score")
    func leftOutFoldIsSaid() throws {
        let workspace = try refitWorkspace()
        let task = try #require(workspace.task)
        let labelled = task.train.count + task.validation.count
        func summary(scoring sequences: Int) throws -> String {
            NoisyCopies(model: try workspace.requireModel(), train: (task.train.sequences, task.train.labels),
                        validation: (task.validation.sequences, task.validation.labels), seed: 1,
                        crossFitted: HeldOutScore(loss: 0.5, accuracy: 0.9, sequences: sequences)).summary
        }
        #expect(try summary(scoring: 100).contains("90.0 % of 100 of the \(labelled) labelled sequences (a fold model that did not fit its data left out)"))
        #expect(try summary(scoring: labelled).contains("90.0 % of \(labelled) labelled sequences, each scored"))
    }

    @Test("fold models past the memory limit are refused before they train, as train refuses, and nothing is cached")
    func foldsPastTheLimit() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = try refitWorkspace(modelCache: ModelCache(directory: folder))
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: 1_000)
        let refused = message { _ = try workspace.crossFit() }
        #expect(refused?.hasPrefix("training needs about") == true)
        #expect(refused?.contains("more than the 1 kB gq may take (GQ_MAX_TRAINING_MEMORY)") == true, "\(refused ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1, "only the refit model is cached")
    }

    @Test("a plateau schedule's cuts came from the first run's validation, which fold models cannot replay: no cross-fitting")
    func plateauIsNotCopied() throws {
        let workspace = try refitWorkspace(schedule: .plateau)
        #expect(try workspace.crossFit() == nil)
    }

    @Test("a refit after an early stop is copied for the epochs it ran, which the model records")
    func earlyStopIsCopied() throws {
        let workspace = Workspace(modelCache: nil)
        _ = try workspace.loadTask("digits")
        // A zero learning rate never improves on the first epoch: patience 1 stops at epoch 2.
        var settings = TrainingOptions(epochs: 4, hiddenSize: 8, learningRate: 0, patience: 1)
        settings.refit = true
        _ = try workspace.train(settings)
        #expect(try workspace.requireModel().heldOut?.epoch == 1)
        let crossFit = try #require(try workspace.crossFit())
        #expect(crossFit.leftOut == 0 && crossFit.models.count == CrossFit.foldCount)
    }

    @Test("loading the same task again keeps the model and the recipe it was trained with")
    func reloadKeepsTheRecipe() throws {
        let workspace = try refitWorkspace()
        let before = try #require(try workspace.crossFit())
        _ = try workspace.loadTask("digits")
        let after = try #require(try workspace.crossFit())
        #expect(after.loss == before.loss)
    }
}
