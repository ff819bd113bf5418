import Datasets
import Foundation
import GRU
import Quantization

/// One width's outcome in a `sweep`.
public struct SweepPoint: Sendable, Equatable {
    public var bits: Int
    public var accuracy: Double
    public var testAccuracy: Double
    public var size: Int
    public var sizeRatio: Double
}

/// The last `sweep`: which operators were varied, with the rest fixed, for `plot sweep`.
public struct SweepResult: Sendable, Equatable {
    public var pattern: String
    public var base: BitWidths
    public var points: [SweepPoint]
    public var floatAccuracy: Double
}

/// Weights and ranges from `finetune` (or `load config`), used instead of the float model's.
public struct TunedWeights: Sendable {
    public var model: GRUClassifier
    public var calibration: Calibration
    /// The configuration they were tuned for.
    public var bits: BitWidths
    public var note: String
}

/// The session's quantization settings and everything derived from the model that is costly to redo.
public struct QuantizationState {
    /// The current configuration (homogeneous 8-bit until `set bits`).
    public var bits = BitWidths()
    public var options = QuantizationOptions()
    /// Calibration of the float model under `options`; nil until first needed.
    public var calibration: Calibration?
    public var tuned: TunedWeights?
    public var lastSweep: SweepResult?
    /// Evaluators of the current task's validation and test splits.
    var validationEvaluator: IntegerEvaluator?
    var testEvaluator: IntegerEvaluator?
    /// Size of homogeneous 8-bit with the current weights and options, the 100 % of `size_ratio`.
    var referenceSize: (key: String, bytes: Int)?
    /// The float model's validation and test accuracy: every `eval` and `sweep` prints them.
    var floatAccuracy: (validation: Double, test: Double)?

    public init() {}

    /// Forget everything derived from the model or task (settings are kept).
    mutating func modelChanged() {
        calibration = nil
        tuned = nil
        lastSweep = nil
        validationEvaluator = nil
        testEvaluator = nil
        referenceSize = nil
        floatAccuracy = nil
    }

    /// Options changed: calibration (and ranges learned by fine-tuning) no longer apply.
    mutating func optionsChanged(recalibrate: Bool) {
        if recalibrate {
            calibration = nil
            tuned = nil
        }
        referenceSize = nil
    }
}

extension Session {
    /// The model, task and calibration quantized evaluation works from, calibrating on first use.
    func quantizationInputs() throws -> (task: Task, model: GRUClassifier, calibration: Calibration) {
        let task = try requireTask()
        let model = try requireModel()
        guard model.inputSize == task.featureCount, model.classCount == task.classCount else {
            throw CommandError("the model (\(model.inputSize) features, \(model.classCount) classes) does not fit task \(task.name) (\(task.featureCount) features, \(task.classCount) classes)")
        }
        if let tuned = quantization.tuned {
            return (task, tuned.model, tuned.calibration)
        }
        if quantization.calibration == nil {
            quantization.calibration = Calibration.calibrate(model: model, trainingSequences: task.train.sequences,
                                                             options: quantization.options)
        }
        return (task, model, quantization.calibration!)
    }

    /// The integer model of a configuration (current bits by default).
    func quantizedModel(_ bits: BitWidths? = nil) throws -> QuantizedGRU {
        let inputs = try quantizationInputs()
        return QuantizedGRU(model: inputs.model, calibration: inputs.calibration, bits: bits ?? quantization.bits,
                            options: quantization.options)
    }

    func validationEvaluator() throws -> IntegerEvaluator {
        try evaluator(\.validationEvaluator) { $0.validation }
    }

    func testEvaluator() throws -> IntegerEvaluator {
        try evaluator(\.testEvaluator) { $0.test }
    }

    /// The evaluator of one split, packed once per task and kept in `slot`.
    private func evaluator(_ slot: WritableKeyPath<QuantizationState, IntegerEvaluator?>,
                           split: (Task) -> SequenceSet) throws -> IntegerEvaluator {
        let task = try requireTask()
        if let existing = quantization[keyPath: slot] { return existing }
        let set = split(task)
        let made = IntegerEvaluator(sequences: set.sequences, labels: set.labels, featureCount: task.featureCount)
        quantization[keyPath: slot] = made
        return made
    }

    /// The float model's validation and test accuracy, measured once per model and task.
    func floatAccuracy() throws -> (validation: Double, test: Double) {
        if let known = quantization.floatAccuracy { return known }
        let task = try requireTask()
        let model = try requireModel()
        let measured = (model.accuracy(task.validation.sequences, labels: task.validation.labels),
                        model.accuracy(task.test.sequences, labels: task.test.labels))
        quantization.floatAccuracy = measured
        return measured
    }

    /// Bytes of the homogeneous 8-bit model with the current weights and options.
    func referenceSize() throws -> Int {
        let key = "\(quantization.options)|\(quantization.tuned == nil ? "float" : "tuned")"
        if let cached = quantization.referenceSize, cached.key == key { return cached.bytes }
        let bytes = try quantizedModel(BitWidths(uniform: 8)).size.total
        quantization.referenceSize = (key, bytes)
        return bytes
    }

    /// Quantized validation and test accuracy, size and size ratio of a configuration.
    func evaluateQuantized(_ bits: BitWidths) throws -> (validation: Double, test: Double, size: Int, ratio: Double) {
        let q = try quantizedModel(bits)
        let validation = try validationEvaluator().accuracy(q)
        let test = try testEvaluator().accuracy(q)
        let size = q.size.total
        return (validation, test, size, Double(size) / Double(try referenceSize()))
    }
}
