import Datasets
import MemoryLimits
import Foundation
import GRU
import Quantization

/// How a `train` ended: from the cache, or trained here.
public enum TrainingOutcome: Sendable {
    /// A model trained before with the same task, split and settings; its validation accuracy
    /// (held out, before the refit, for a refit model).
    case cached(validationAccuracy: Double)
    case trained(TrainingResult)
}

/// What `finetune` did.
public struct FineTuningOutcome: Sendable {
    /// Integer validation accuracy of the weights in use before fine-tuning.
    public var startAccuracy: Double
    public var result: FineTuningResult
    /// False when no epoch beat the start, so the weights in use were kept.
    public var adopted: Bool
}

/// Whether fine-tuning starts its activation ranges from an MSE calibration or from the ranges in use.
public enum FineTuningRanges: String, CaseIterable, Sendable {
    case mse
    case current
}

/// Truncated BPTT chosen by `train` or fine-tuning because whole sequences would pass the memory limit.
public struct Truncation: Sendable, Equatable, CustomStringConvertible {
    /// What was truncated, and the option that asks for the window by name.
    public enum Run: Sendable, Equatable {
        case training, fineTuning

        var name: String { self == .training ? "training" : "fine-tuning" }
        func option(_ window: Int) -> String { self == .training ? "bptt \(window)" : "finetune bptt \(window)" }
    }

    /// Steps back-propagation runs through (`train bptt N`, `finetune bptt N`).
    public var window: Int
    public var longestSequence: Int
    /// What whole-sequence back-propagation would need.
    public var fullBytes: Int
    public var limit: MemoryLimit
    public var run: Run = .training

    public var description: String {
        "\(run.name) with truncated BPTT over \(window)-step chunks ('\(run.option(window))'): the full \(longestSequence) steps would need \(ByteCount.text(fullBytes)), more than the \(ByteCount.text(limit.bytes)) gq may take (\(limit.explanation))"
    }
}

/// Callbacks for the progress of a training run, so the shell can draw it.
public struct TrainingObserver {
    /// Whole sequences would not fit, so training truncates back-propagation; called before `started`.
    public var truncated: (Truncation) -> Void
    /// Training is about to start (not called when the model comes from the cache).
    public var started: () -> Void
    public var progress: (TrainingProgress) -> Void
    public var epochDone: (EpochSummary) -> Void

    public init(truncated: @escaping (Truncation) -> Void = { _ in }, started: @escaping () -> Void = {},
                progress: @escaping (TrainingProgress) -> Void = { _ in }, epochDone: @escaping (EpochSummary) -> Void = { _ in }) {
        self.truncated = truncated
        self.started = started
        self.progress = progress
        self.epochDone = epochDone
    }
}

/// Callbacks for the progress of fine-tuning.
public struct FineTuningObserver {
    /// Whole sequences would not fit, so this run truncates back-propagation; called before it starts.
    public var truncated: (Truncation) -> Void
    public var progress: (_ epoch: Int, _ batch: Int, _ batchCount: Int, _ loss: Double) -> Void
    public var epochDone: (FineTuningEpoch) -> Void

    public init(truncated: @escaping (Truncation) -> Void = { _ in }, progress: @escaping (Int, Int, Int, Double) -> Void = { _, _, _, _ in },
                epochDone: @escaping (FineTuningEpoch) -> Void = { _ in }) {
        self.truncated = truncated
        self.progress = progress
        self.epochDone = epochDone
    }
}

extension Workspace {
    /// Trains the float model on the loaded task, or takes it from the model cache.
    ///
    /// An interrupted run keeps its best weights but never enters the cache: it is not
    /// what these settings produce. A cache that cannot be written is reported through
    /// `cacheWarning` and does not fail the run.
    ///
    /// Without `bptt`, a run whose whole sequences would not fit in `trainingMemoryLimit`
    /// trains with truncated BPTT over the longest window that fits, and says so through
    /// `observer.truncated` (the window is one of the settings the cache is keyed on).
    public func train(_ settings: TrainingOptions, retrain: Bool = false, observer: TrainingObserver = TrainingObserver(),
                      cacheWarning: (String) -> Void = { _ in }) throws -> TrainingOutcome {
        let task = try requireTask()
        if settings.rotationDegrees != 0, task.featureCount % 3 != 0 {
            throw WorkbenchError.rotationNeedsTriplets(task: task.name, features: task.featureCount)
        }
        var settings = settings
        // A refit trains on validation too, so its sequences count towards the memory.
        let trained = task.train.sequences + (settings.refit ? task.validation.sequences : [])
        let lengths = trained.map { $0.count / task.featureCount }
        let plan = backpropagationPlan(asked: settings.bptt, run: .training, featureCount: task.featureCount, hiddenSize: settings.hiddenSize) { window in
            var windowed = settings
            windowed.bptt = window
            return TrainingMemory(lengths: lengths, featureCount: task.featureCount, options: windowed)
        }
        settings.bptt = plan.window
        let key = Workspace.cacheKey(task: task, settings: settings)
        let description = "hidden \(settings.hiddenSize)\(settings.layers == 1 ? "" : ", \(settings.layers) layers"), seed \(settings.seed)\(settings.bptt.map { ", bptt \($0)" } ?? "")"
        if !retrain, let cache = modelCache, let cached = cache.model(for: key, task: task.name) {
            try adopt(model: cached, origin: "trained on \(task.name) (\(description)), from the cache")
            trainingRecipe = settings
            // A refit model has trained on validation: its held-out figure is the one to report.
            return .cached(validationAccuracy: cached.heldOut?.accuracy ?? cached.accuracy(task.validation.sequences, labels: task.validation.labels))
        }
        guard plan.fits else {
            throw WorkbenchError.trainingMemory(plan.memory, limit: plan.limit, hiddenSize: settings.hiddenSize,
                                                largestBatch: plan.largestBatch(featureCount: task.featureCount, hiddenSize: settings.hiddenSize))
        }
        if let truncation = plan.truncation { observer.truncated(truncation) }
        observer.started()
        let result = GRUTrainer.train(
            train: (task.train.sequences, task.train.labels),
            validation: (task.validation.sequences, task.validation.labels),
            featureCount: task.featureCount, classCount: task.classCount, options: settings,
            progress: observer.progress, epochDone: observer.epochDone, shouldStop: shouldStop)
        try adopt(model: result.model, origin: "trained on \(task.name) (\(description))\(result.interrupted ? ", interrupted" : "")")
        if !result.interrupted { trainingRecipe = settings }
        if !result.interrupted, let cache = modelCache {
            do {
                try cache.store(result.model, for: key, task: task.name)
            } catch {
                cacheWarning("could not cache the model in \(cache.directory.path): \(error.localizedDescription)")
            }
        }
        return .trained(result)
    }

    /// Everything that decides the trained weights. The trainer's version is part of
    /// the key so a change to training code never serves a stale model.
    static func cacheKey(task: Task, settings: TrainingOptions) -> String {
        var data = Fingerprint()
        for set in [task.train, task.validation] {
            for (sequence, label) in zip(set.sequences, set.labels) {
                data.add(label)
                data.add(sequence)
            }
        }
        return [
            "trainer=\(GRUTrainer.version)", "task=\(task.name)", "data=\(data.hex)",
            "hidden=\(settings.hiddenSize)", "epochs=\(settings.epochs)", "lr=\(settings.learningRate)",
            "batch=\(settings.batchSize)", "seed=\(settings.seed)", "patience=\(settings.patience)", "clip=\(settings.clipNorm)",
            "decay=\(settings.weightDecay)", "schedule=\(settings.schedule.rawValue)", "select=\(settings.selection.rawValue)",
            "rotate=\(settings.rotationDegrees)",
        ].joined(separator: ";")
            // Absent for whole-sequence BPTT, so models cached before the option existed still match.
            + (settings.bptt.map { ";bptt=\($0)" } ?? "")
            // Absent for one layer, so models cached before stacks existed still match.
            + (settings.layers == 1 ? "" : ";layers=\(settings.layers)")
            // Absent for a GRU, so models cached before LSTMs existed still match.
            + (settings.cell == .gru ? "" : ";cell=\(settings.cell.rawValue)")
            // v2: the held-out score is the refit's last epoch's (v1 models carried the best one);
            // v3: a refit that fits its data clearly worse than the first run is discarded;
            // v4: the refit's fit is its final weights' accuracy, not its last epoch's running one.
            + (settings.refit ? ";refit-v4" : "")
    }

    /// Quantization-aware training of the current bits. The result is adopted only when
    /// it beats the integer validation accuracy of the weights in use.
    public func finetune(_ settings: FineTuningOptions, ranges: FineTuningRanges? = nil,
                         observer: FineTuningObserver = FineTuningObserver()) throws -> FineTuningOutcome {
        let inputs = try quantizationInputs()
        let configuration = bits
        let current = try evaluator(of: .validation).accuracy(
            QuantizedGRU(model: inputs.model, calibration: inputs.calibration, bits: configuration, options: options))
        // Continuing from tuned weights starts from their ranges unless asked otherwise.
        let result = try fineTuningRun(model: inputs.model, calibration: inputs.calibration, options: options, bits: configuration,
                                       settings: settings, ranges: ranges ?? (tuned != nil ? .current : .mse), observer: observer)
        guard result.bestAccuracy >= current else {
            return FineTuningOutcome(startAccuracy: current, result: result, adopted: false)
        }
        let note = result.bestEpoch == 0 ? "fine-tuned (no epoch beat the start)"
            : "fine-tuned for \(result.bestEpoch) epoch\(result.bestEpoch == 1 ? "" : "s")"
        adopt(tuned: TunedWeights(model: result.model, calibration: result.calibration, bits: configuration, note: note))
        return FineTuningOutcome(startAccuracy: current, result: result, adopted: true)
    }

    /// One fine-tuning run of `configuration` from `inputs`' weights, changing nothing in
    /// the workspace: the step `finetune` and `compare finetune` share, so a pick
    /// `compare finetune` reports is what `use front K; finetune` gives.
    ///
    /// Without `bptt`, a run whose whole sequences would not fit in `trainingMemoryLimit`
    /// back-propagates through the longest window that fits, and says so through
    /// `observer.truncated`, as `train` does.
    func fineTuningRun(model: GRUClassifier, calibration: Calibration, options: QuantizationOptions, bits configuration: BitWidths,
                       settings: FineTuningOptions, ranges: FineTuningRanges, observer: FineTuningObserver) throws -> FineTuningResult {
        let task = try requireTask()
        var settings = settings
        let lengths = task.train.sequences.map { $0.count / task.featureCount }
        let plan = backpropagationPlan(asked: settings.bptt, run: .fineTuning, featureCount: task.featureCount, hiddenSize: model.hiddenSize) { window in
            FineTuningMemory(lengths: lengths, featureCount: task.featureCount, hiddenSize: model.hiddenSize,
                             batchSize: settings.batchSize, bptt: window, layers: model.layerCount, cell: model.cell)
        }
        settings.bptt = plan.window
        guard plan.fits else {
            throw WorkbenchError.fineTuningMemory(plan.memory, limit: plan.limit, hiddenSize: model.hiddenSize,
                                                  largestBatch: plan.largestBatch(featureCount: task.featureCount, hiddenSize: model.hiddenSize))
        }
        var start = calibration
        if ranges == .mse, options.range != .mse {
            var mse = options
            mse.range = .mse
            start = try calibrate(model, on: task, options: mse)
        }
        if let truncation = plan.truncation { observer.truncated(truncation) }
        return FineTuning.run(
            model: model, calibration: start, bits: configuration, options: options,
            train: (task.train.sequences, task.train.labels), validation: (task.validation.sequences, task.validation.labels),
            settings: settings, progress: observer.progress, epochDone: observer.epochDone, shouldStop: shouldStop)
    }
}

/// How a run's back-propagation fits the memory limit: the window it runs through (the one
/// asked for, or, when whole sequences do not fit, the longest that does), the truncation
/// to report, and whether even that fits.
struct BackpropagationPlan<Memory: BackpropagationMemory> {
    var window: Int?
    var memory: Memory
    var truncation: Truncation?
    var limit: MemoryLimit

    var fits: Bool { memory.bytes <= limit.bytes }

    /// The batch that would fit, for the refusal.
    func largestBatch(featureCount: Int, hiddenSize: Int) -> Int {
        memory.largestBatch(within: limit.bytes, featureCount: featureCount, hiddenSize: hiddenSize)
    }
}

extension Workspace {
    /// The plan for a training or fine-tuning run whose buffers `estimate` gives for a window
    /// (nil: whole sequences), against `trainingMemoryLimit` read now.
    func backpropagationPlan<Memory: BackpropagationMemory>(asked: Int?, run: Truncation.Run, featureCount: Int, hiddenSize: Int,
                                                            estimate: (Int?) -> Memory) -> BackpropagationPlan<Memory> {
        let limit = trainingMemoryLimit ?? Workspace.defaultTrainingMemoryLimit()
        let whole = estimate(asked)
        guard let window = whole.automaticWindow(asked: asked, within: limit.bytes, featureCount: featureCount, hiddenSize: hiddenSize) else {
            return BackpropagationPlan(window: asked, memory: whole, truncation: nil, limit: limit)
        }
        let truncation = Truncation(window: window, longestSequence: whole.longestSequence, fullBytes: whole.bytes, limit: limit, run: run)
        return BackpropagationPlan(window: window, memory: estimate(window), truncation: truncation, limit: limit)
    }
}
