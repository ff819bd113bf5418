import Foundation
import GRU
import Testing
import Workbench

@Suite("What a change makes stale")
struct InvalidationTests {
    @Test("loading another task drops the model, the fine-tuned weights, the sweep and the search")
    func anotherTask() throws {
        let workspace = try trainedWorkspace()
        workspace.bits = BitWidths(uniform: 6)
        _ = try workspace.finetune(FineTuningOptions(epochs: 1))
        _ = try workspace.sweep("gate.z", widths: [4])
        _ = try workspace.prepareSearch(EvolveRequest(generations: 0, population: 8, checkpoint: temporaryDirectory().appendingPathComponent("t.json")))
        let sameSplit = try workspace.loadTask("digits")
        #expect(sameSplit.keptModel)
        #expect(workspace.model != nil && workspace.search == nil && workspace.lastSweep == nil && workspace.tuned == nil)
        let otherSplit = try workspace.loadTask("digits", splitSeed: 7)
        #expect(!otherSplit.keptModel && workspace.model == nil && workspace.modelOrigin == nil)
        #expect(message { _ = try workspace.quantizationInputs() } == "no model yet: 'train' one or 'load model FILE'")
    }

    @Test("a new model drops fine-tuned weights and the search; the bits stay")
    func newModel() throws {
        let workspace = try trainedWorkspace()
        workspace.bits = BitWidths(uniform: 5)
        _ = try workspace.finetune(FineTuningOptions(epochs: 1))
        _ = try workspace.prepareSearch(EvolveRequest(generations: 0, population: 8, checkpoint: temporaryDirectory().appendingPathComponent("m.json")))
        let file = temporaryDirectory().appendingPathComponent("m.safetensors")
        _ = try workspace.saveModel(to: file)
        _ = try workspace.loadModel(from: file, named: "m.safetensors")
        #expect(workspace.tuned == nil && workspace.search == nil)
        #expect(workspace.bits == BitWidths(uniform: 5))
        #expect(workspace.modelOrigin == "loaded from m.safetensors")
    }

    @Test("a model of stacked GRU layers loads, fine-tunes, exports and trains, and the bits follow its layers")
    func stackedModel() throws {
        let workspace = try trainedWorkspace()
        try workspace.bits.apply(["gate.z=4", "input=6"])
        let file = temporaryDirectory().appendingPathComponent("stack.safetensors")
        try GRUClassifier(inputSize: 8, hiddenSize: 8, classCount: 10, layers: 2, seed: 1).write(to: file)
        _ = try workspace.loadModel(from: file, named: "stack.safetensors")
        // Each layer starts at the widths the single layer had.
        let network = NetworkDescription(cell: .gru, layers: 2)
        #expect(workspace.bits.network == network)
        #expect(workspace.bits[id: .cell(GRUOperator.gateZ.rawValue, layer: 1)] == 4 && workspace.bits[id: .input] == 6)
        // Every layer's widths count: l1 at 2 bits is smaller and scores differently.
        let eight = try workspace.evaluate(BitWidths(uniform: 8, network: network))
        var narrow = BitWidths(uniform: 8, network: network)
        try narrow.apply(["l1.*=2"])
        #expect(try workspace.evaluate(narrow).size < eight.size)
        // Widths of another network are carried to the model's, never misread.
        workspace.bits = BitWidths(uniform: 5)
        #expect(workspace.bits == BitWidths(uniform: 5, network: network))
        // Fine-tuning runs on every layer.
        let outcome = try workspace.finetune(FineTuningOptions(epochs: 1))
        #expect(outcome.result.history.count == 1)
        // A configuration file keeps the stack's widths and its weights.
        let saved = try workspace.saveConfiguration(to: file)
        #expect(saved.bits.network == network)
        workspace.bits = BitWidths(uniform: 8, network: network)
        _ = try workspace.loadConfiguration(from: file, named: "stack.safetensors")
        #expect(workspace.bits == saved.bits && workspace.tuned?.model.layerCount == 2)
        // The C export, its cost model and the comparisons with float run stacks.
        #expect(try workspace.operatorErrors(sequences: 3).rows.count == 35)
        #expect(try workspace.trace(sequence: 0).float.count == 8)
        #expect(try workspace.exportC(name: "m").header.contains("#define M_LAYERS 2"))
        #expect(try workspace.deviceCosts().cores.allSatisfy { $0.cost.instructionsPerStep > 0 })
        // 'train layers 2' makes one.
        var settings = workspace.defaultTrainingOptions()
        settings.layers = 2
        settings.epochs = 2
        settings.hiddenSize = 8
        _ = try workspace.train(settings)
        #expect(workspace.model?.layerCount == 2 && workspace.bits.network == network)
    }

    @Test("fine-tuning keeps the search, which reports with the weights it searched")
    func finetuneKeepsSearch() throws {
        let workspace = try trainedWorkspace()
        let (search, _) = try workspace.prepareSearch(EvolveRequest(generations: 0, population: 8, checkpoint: temporaryDirectory().appendingPathComponent("f.json")))
        let before = try workspace.frontRows()
        workspace.bits = BitWidths(uniform: 4)
        let outcome = try workspace.finetune(FineTuningOptions(epochs: 2))
        #expect(workspace.search === search)
        #expect(try workspace.frontRows().map(\.validationAccuracy) == before.map(\.validationAccuracy))
        #expect((workspace.tuned != nil) == outcome.adopted)
    }

    @Test("options that change calibration drop fine-tuned weights and say so; others keep them")
    func options() throws {
        let workspace = try trainedWorkspace()
        var options = workspace.options
        // The refinement runs the integer model the arithmetic options build, so while it is
        // on they recalibrate too; without it they only change how a configuration is built.
        options.refine = .off
        #expect(workspace.setOptions(options).recalibrates)
        workspace.bits = BitWidths(uniform: 4)
        let outcome = try workspace.finetune(FineTuningOptions(epochs: 2))
        try #require(outcome.adopted)
        options.requantization = .powerOfTwo
        let kept = workspace.setOptions(options)
        #expect(!kept.recalibrates && !kept.droppedTunedWeights)
        #expect(workspace.tuned != nil)
        var refining = options
        refining.refine = .logits
        refining.requantization = .multiplierShift
        #expect(!refining.calibratesLike(options))
        var divergence = refining
        divergence.refine = .kl
        #expect(!divergence.calibratesLike(refining), "kl and logits refine to different ranges")
        var other = refining
        other.weights = .perTensor
        #expect(!other.calibratesLike(refining))
        options.range = .maxAbs
        let dropped = workspace.setOptions(options)
        #expect(dropped.recalibrates && dropped.droppedTunedWeights)
        #expect(workspace.tuned == nil)
    }

    @Test("the size ratio's 8-bit reference follows the options")
    func referenceSize() throws {
        let workspace = try trainedWorkspace()
        let channel = try workspace.referenceSize()
        var options = workspace.options
        options.weights = .perTensor
        workspace.setOptions(options)
        #expect(try workspace.referenceSize() < channel)  // one scale per tensor instead of per row
        #expect(try workspace.evaluate(BitWidths(uniform: 8)).sizeRatio == 1)
    }

    @Test("a model that does not fit the task is refused, naming both shapes")
    func modelMustFit() throws {
        let workspace = try trainedWorkspace()
        let wrong = GRUClassifier(inputSize: 5, hiddenSize: 4, classCount: 3, seed: 1)
        let text = message { try workspace.adopt(model: wrong, origin: "test") }
        #expect(text == "the model has 5 features and 3 classes, but task digits has 8 features and 10 classes")
        #expect(workspace.model?.inputSize == 8)
    }

    @Test("a sweep measures each width and leaves the current bits alone")
    func sweep() throws {
        let workspace = try trainedWorkspace()
        workspace.bits = BitWidths(uniform: 7)
        let result = try workspace.sweep("gate.*", widths: [3, 5])
        #expect(result.points.map(\.bits) == [3, 5] && result.isComplete)
        #expect(workspace.bits == BitWidths(uniform: 7))
        var five = BitWidths(uniform: 7)
        try five.set("gate.*", to: 5)
        #expect(result.points[1].accuracy == (try workspace.evaluate(five)).accuracy)
        #expect(workspace.lastSweep == result)
    }

    @Test("a stop request ends a sweep after the width under way, keeping those done")
    func sweepStops() throws {
        let workspace = try trainedWorkspace()
        // Calibrated first: a stop already pending would stop the calibration itself.
        _ = try workspace.quantizationInputs()
        workspace.shouldStop = { true }
        let result = try workspace.sweep("h.add", widths: [2, 3, 4])
        #expect(result.points.count == 1 && !result.isComplete)
    }
}

@Suite("Calibration under a command: progress reported, Ctrl-C keeps nothing")
struct CalibrationProgressTests {
    @Test("calibration reports its start, rising progress and its end; a stop keeps no ranges and the next use calibrates")
    func progressAndStop() throws {
        let workspace = try trainedWorkspace()
        var events: [String] = []
        var fractions: [Double] = []
        workspace.calibrationObserver = CalibrationObserver(started: { events.append("started") }, progress: { fractions.append($0) },
                                                            ended: { events.append("ended") })
        workspace.shouldStop = { true }
        #expect(message { _ = try workspace.quantizationInputs() }
            == "calibration stopped: no ranges were kept; the next command that needs them calibrates again")
        #expect(events == ["started", "ended"] && fractions.isEmpty)
        workspace.shouldStop = { false }
        events = []
        let ranges = try workspace.quantizationInputs().calibration
        #expect(events == ["started", "ended"] && fractions.last == 1 && fractions == fractions.sorted())
        // Kept: asking again neither calibrates nor reports.
        #expect(try workspace.quantizationInputs().calibration == ranges && events.count == 2)
    }
}
