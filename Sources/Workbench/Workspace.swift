import Datasets
import MemoryLimits
import Foundation
import GRU
import Quantization
import Search

/// Weights and ranges from `finetune` (or `load config`), used instead of the float model's.
public struct TunedWeights: Sendable {
    public var model: GRUClassifier
    public var calibration: Calibration
    /// The configuration they were tuned for.
    public var bits: BitWidths
    /// Where they came from, for `show quant`.
    public var note: String
}

/// Callbacks for the progress of a calibration, so the shell can draw it.
public struct CalibrationObserver {
    public var started: () -> Void
    /// The fraction done, 0 … 1.
    public var progress: (Double) -> Void
    /// Called once the calibration finished or was stopped.
    public var ended: () -> Void

    public init(started: @escaping () -> Void = {}, progress: @escaping (Double) -> Void = { _ in }, ended: @escaping () -> Void = {}) {
        self.started = started
        self.progress = progress
        self.ended = ended
    }
}

/// The three splits of a task, by the names commands use.
public enum SplitName: String, CaseIterable, Sendable {
    case train, validation, test
}

/// Validation and test figures side by side: every accuracy gq reports comes in this pair.
public struct SplitAccuracy: Sendable, Equatable {
    public var validation: Double
    public var test: Double
}

/// What quantized evaluation works from: the task, the weights in use and their ranges.
public struct QuantizationInputs: Sendable {
    public var task: Task
    /// The fine-tuned weights when there are some, else the float model.
    public var model: GRUClassifier
    public var calibration: Calibration
}

/// One configuration's measured figures.
public struct ConfigurationScore: Sendable, Equatable {
    public var accuracy: SplitAccuracy
    /// Bytes of constant data (docs/quantization.md, "Model size").
    public var size: Int
    /// Size as a fraction of homogeneous 8-bit with the same weights and options.
    public var sizeRatio: Double
}

/// The application without its terminal: the task, the model, the bit widths and
/// quantization options, calibration, fine-tuning and the search, with every rule of
/// what a change makes stale kept in `invalidate(after:)`.
///
/// A class, not a value: commands share one workspace and it holds caches (evaluators,
/// calibration) that are costly to rebuild. Used from one thread at a time; the
/// engines it calls use their own worker threads.
public final class Workspace {
    /// The seed every random choice starts from unless a command is given its own.
    public var seed: UInt64 = 0
    public private(set) var task: Task?
    /// The float model.
    public private(set) var model: GRUClassifier? {
        // The configuration follows the model's layers: a stack's layers start at the widths set.
        didSet { followWeights() }
    }
    /// Where the model came from, for `show model`.
    public private(set) var modelOrigin: String?
    /// The current configuration (homogeneous 8-bit until changed).
    public var bits = BitWidths() {
        // Widths always name the operators of the weights in use, fine-tuned or float (an undo
        // may bring back another network's).
        didSet { followWeights() }
    }
    public private(set) var options = QuantizationOptions()
    public private(set) var tuned: TunedWeights? {
        // The widths follow the weights in use, whose network may differ from the float model's.
        didSet { followWeights() }
    }
    /// The last sweep, for `plot sweep`.
    public internal(set) var lastSweep: SweepResult?
    /// The search `evolve` continues; nil until the first one.
    public internal(set) var search: QuantizationSearch?
    /// Trained models keyed by task and settings; nil disables the cache.
    public let modelCache: ModelCache?
    /// Polled by long operations (training, search, sweeps) between units of work; Ctrl-C in the shell.
    public var shouldStop: @Sendable () -> Bool = { false }
    /// Told when a calibration starts, how far it has got and when it ends, so the shell can
    /// draw its progress; calibration runs on first use, under whichever command needs ranges.
    public var calibrationObserver = CalibrationObserver()
    /// The same for cross-fitting's fold models (`CrossFit`), trained when a refit model's
    /// noisy copies are first drawn.
    public var crossFitObserver = CalibrationObserver()
    /// The settings `train` trained the current model with (nil for a model from a file):
    /// cross-fitting trains its fold models the same way.
    public internal(set) var trainingRecipe: TrainingOptions?
    /// Processes sharing a search's evaluations (the MPI ranks of `mpirun -n N gq`); nil in one process.
    public var partition: BatchPartition?
    /// What a training run's buffers may take (`TrainingMemory`, `FineTuningMemory`); `train`
    /// and `finetune` refuse past it. Nil: `defaultTrainingMemoryLimit()`, read as each run
    /// starts, so the task already loaded counts as in use.
    public var trainingMemoryLimit: MemoryLimit?

    /// `GQ_MAX_TRAINING_MEMORY` (bytes, or with a K, M or G suffix) when set, else the
    /// process's effective limit (`MemoryLimit.current()`: physical memory, its cgroup,
    /// `ulimit -v` and `-d`): past it `train` refuses to start, instead of swapping or being killed.
    public static func defaultTrainingMemoryLimit(environment: [String: String] = ProcessInfo.processInfo.environment) -> MemoryLimit {
        ByteCount.parse(environment[trainingMemorySetting]).map { MemoryLimit.setting(trainingMemorySetting, bytes: $0) }
            ?? MemoryLimit.current()
    }

    static let trainingMemorySetting = "GQ_MAX_TRAINING_MEMORY"

    private var calibration: Calibration?
    /// Each split packed for the integer engine, once per task.
    private var evaluators: [SplitName: IntegerEvaluator] = [:]
    private var referenceSizeCache: Int?
    private var floatAccuracyCache: SplitAccuracy?
    /// Noisy copies of the training split and their packing, by seed (`noisyJudge(seed:)`), for the current model.
    var noisyCopiesCache: [UInt64: (copies: NoisyCopies, evaluator: IntegerEvaluator)] = [:]
    /// The fold models of the current model (`crossFit()`).
    var crossFitCache: CrossFit?

    public init(modelCache: ModelCache? = ModelCache.standard()) {
        self.modelCache = modelCache
    }

    // MARK: - What a change makes stale

    /// The kinds of change the workspace reacts to.
    enum Change {
        /// Other data: everything measured on the old splits.
        case task
        /// Other float weights.
        case model
        /// Other quantization options; `recalibrate` when the ranges depend on what changed.
        case options(recalibrate: Bool)
        /// Fine-tuned weights replaced or dropped.
        case tunedWeights
    }

    /// Every invalidation rule, in one place.
    private func invalidate(after change: Change) {
        switch change {
        case .task:
            evaluators = [:]
            invalidate(after: .model)
        case .model:
            calibration = nil
            tuned = nil
            lastSweep = nil
            floatAccuracyCache = nil
            noisyCopiesCache = [:]
            crossFitCache = nil
            trainingRecipe = nil
            referenceSizeCache = nil
            search = nil
        case .options(let recalibrate):
            if recalibrate {
                calibration = nil
                tuned = nil
            }
            referenceSizeCache = nil
        case .tunedWeights:
            referenceSizeCache = nil
        }
    }

    // MARK: - Changes

    /// Makes `task` current. A model trained on another task, or on another split of
    /// this one (whose test split may hold its training data), is dropped; returns
    /// whether the model was kept.
    @discardableResult
    public func load(task newTask: Task) -> Bool {
        var keptModel = model != nil
        if let model, task?.name != newTask.name || task?.splitDescription != newTask.splitDescription
            || model.inputSize != newTask.featureCount || model.classCount != newTask.classCount {
            self.model = nil
            modelOrigin = nil
            keptModel = false
        }
        // The same data again leave the kept model's recipe as true as it was.
        let recipe = trainingRecipe.flatMap { recipe in
            task.map { Workspace.cacheKey(task: $0, settings: recipe) } == Workspace.cacheKey(task: newTask, settings: recipe) ? recipe : nil
        }
        task = newTask
        invalidate(after: .task)
        if keptModel { trainingRecipe = recipe }
        return keptModel
    }

    /// Makes `model` the float model, after checking it fits the loaded task.
    public func adopt(model newModel: GRUClassifier, origin: String, describedAs name: String = "the model") throws {
        try checkFits(newModel, describedAs: name)
        model = newModel
        modelOrigin = origin
        invalidate(after: .model)
    }

    /// What `setOptions` did besides storing the options.
    public struct OptionsChange: Sendable, Equatable {
        public var recalibrates: Bool
        public var droppedTunedWeights: Bool
    }

    /// Sets the quantization options; a change of range method or calibration subset
    /// calibrates again and drops fine-tuned weights (their ranges belong to the old one).
    @discardableResult
    public func setOptions(_ newOptions: QuantizationOptions) -> OptionsChange {
        let recalibrates = newOptions.range != options.range || !newOptions.calibratesLike(options)
        let dropped = recalibrates && tuned != nil
        options = newOptions
        invalidate(after: .options(recalibrate: recalibrates))
        return OptionsChange(recalibrates: recalibrates, droppedTunedWeights: dropped)
    }

    /// Returns to the float model's weights and ranges.
    public func dropFineTuning() {
        tuned = nil
        invalidate(after: .tunedWeights)
    }

    func adopt(tuned newTuned: TunedWeights) {
        tuned = newTuned
        invalidate(after: .tunedWeights)
    }

    /// Sets bits, options and tuned weights from a configuration file in one step.
    func adopt(configuration file: ConfigurationFile, model fileModel: GRUClassifier, origin: String) {
        if model == nil {
            model = fileModel
            modelOrigin = origin
            invalidate(after: .model)
        }
        options = file.options
        // The file's ranges replace calibration; the float model's was for the old options.
        invalidate(after: .options(recalibrate: true))
        adopt(tuned: TunedWeights(model: fileModel, calibration: file.calibration, bits: file.bits, note: origin))
        bits = file.bits
    }

    // MARK: - Requirements

    /// The loaded task, or an error saying how to load one.
    public func requireTask() throws -> Task {
        guard let task else { throw WorkbenchError.noTask }
        return task
    }

    /// The float model, or an error saying how to get one.
    public func requireModel() throws -> GRUClassifier {
        guard let model else { throw WorkbenchError.noModel }
        return model
    }

    /// The current search, or an error saying how to start one.
    public func requireSearch() throws -> QuantizationSearch {
        guard let search else { throw WorkbenchError.noSearch }
        return search
    }

    /// Carries `bits` to the network of the weights in use, when they name another's.
    private func followWeights() {
        if let network = (tuned?.model ?? model)?.network, bits.network != network { bits = bits.carried(to: network) }
    }

    func checkFits(_ candidate: GRUClassifier, describedAs name: String) throws {
        if let task, candidate.inputSize != task.featureCount || candidate.classCount != task.classCount {
            throw WorkbenchError.modelDoesNotFitTask(model: name, features: candidate.inputSize, classes: candidate.classCount,
                                                     task: task.name, taskFeatures: task.featureCount, taskClasses: task.classCount)
        }
    }

    // MARK: - Quantized evaluation

    /// The task, the weights in use and their calibration, calibrating on first use.
    public func quantizationInputs() throws -> QuantizationInputs {
        let task = try requireTask()
        let model = try requireModel()
        try checkFits(model, describedAs: "the model")
        if let tuned {
            return QuantizationInputs(task: task, model: tuned.model, calibration: tuned.calibration)
        }
        let calibrated = try calibration ?? calibrate(model, on: task, options: options)
        calibration = calibrated
        return QuantizationInputs(task: task, model: model, calibration: calibrated)
    }

    /// Calibrates `model` on `task`'s training split, reporting to `calibrationObserver`;
    /// throws `calibrationStopped` when `shouldStop` ends it (nothing is kept).
    func calibrate(_ model: GRUClassifier, on task: Task, options: QuantizationOptions) throws -> Calibration {
        calibrationObserver.started()
        defer { calibrationObserver.ended() }
        guard let calibrated = Calibration.calibrate(model: model, trainingSequences: task.train.sequences, options: options,
                                                     progress: calibrationObserver.progress, shouldStop: shouldStop)
        else { throw WorkbenchError.calibrationStopped }
        return calibrated
    }

    /// The integer model of a configuration (the current bits by default).
    public func quantizedModel(_ configuration: BitWidths? = nil) throws -> QuantizedGRU {
        let inputs = try quantizationInputs()
        return QuantizedGRU(model: inputs.model, calibration: inputs.calibration, bits: (configuration ?? bits).carried(to: inputs.model.network),
                            options: options)
    }

    /// The sequences and labels of one split of the loaded task.
    func sequences(of split: SplitName) throws -> SequenceSet {
        let task = try requireTask()
        switch split {
        case .train: return task.train
        case .validation: return task.validation
        case .test: return task.test
        }
    }

    /// A split packed for the integer engine, kept once per task (the test split for reporting only).
    func evaluator(of split: SplitName) throws -> IntegerEvaluator {
        if let existing = evaluators[split] { return existing }
        let task = try requireTask()
        let set = try sequences(of: split)
        let made = IntegerEvaluator(sequences: set.sequences, labels: set.labels, featureCount: task.featureCount)
        evaluators[split] = made
        return made
    }

    /// The float model's validation and test accuracy, measured once per model and task.
    public func floatAccuracy() throws -> SplitAccuracy {
        if let known = floatAccuracyCache { return known }
        let task = try requireTask()
        let model = try requireModel()
        func accuracy(_ split: SequenceSet) -> Double {
            guard !split.sequences.isEmpty else { return 0 }
            let right = zip(floatPredictions(model, split.sequences), split.labels).filter { $0 == $1 }.count
            return Double(right) / Double(split.sequences.count)
        }
        let measured = SplitAccuracy(validation: accuracy(task.validation), test: accuracy(task.test))
        floatAccuracyCache = measured
        return measured
    }

    /// The float model's predictions, each MPI rank (when there are several) taking a slice:
    /// a sequence's logits do not depend on the batch it is in (GRUTests checks it bit for
    /// bit), so every rank gets the one-process predictions.
    func floatPredictions(_ model: GRUClassifier, _ sequences: [[Float]]) -> [Int] {
        guard let partition, partition.count > 1 else { return model.predictions(sequences) }
        return partition.share(sequences) { slice in model.predictions(slice).map { [Double($0)] } }.map { Int($0[0]) }
    }

    /// Bytes of homogeneous 8-bit with the weights and options in use: the 100 % of size ratios.
    public func referenceSize() throws -> Int {
        // Dropped by `invalidate(after:)` whenever the weights or options change.
        if let cached = referenceSizeCache { return cached }
        let bytes = try quantizedModel(BitWidths(uniform: 8)).size.total
        referenceSizeCache = bytes
        return bytes
    }

    /// Quantized validation and test accuracy and size of a configuration.
    public func evaluate(_ configuration: BitWidths) throws -> ConfigurationScore {
        let quantized = try quantizedModel(configuration)
        let accuracy = SplitAccuracy(validation: try evaluator(of: .validation).accuracy(quantized),
                                     test: try evaluator(of: .test).accuracy(quantized))
        let size = quantized.size.total
        return ConfigurationScore(accuracy: accuracy, size: size, sizeRatio: Double(size) / Double(try referenceSize()))
    }
}
