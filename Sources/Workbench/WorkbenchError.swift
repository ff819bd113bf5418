import Datasets
import Foundation
import GRU
import MemoryLimits
import Quantization

/// Why the workbench cannot do what was asked, in words a user can act on.
public enum WorkbenchError: Error, Equatable, Sendable, LocalizedError {
    case noTask
    case noModel
    case noSearch
    /// A model (from a file or the session) whose shape does not fit the loaded task.
    case modelDoesNotFitTask(model: String, features: Int, classes: Int, task: String, taskFeatures: Int, taskClasses: Int)
    /// A model of stacked layers, which the integer engines do not run yet.
    case emptySplit(String)
    case sequenceOutOfRange(index: Int, count: Int)
    /// `rotate` needs whole 3-axis triplets.
    case rotationNeedsTriplets(task: String, features: Int)
    case unknownObjective(String, known: [String])
    case objectivesWithoutError
    case repeatedObjective(String)
    case searchSetup(String)
    /// A checkpoint that cannot be resumed here, with the reason.
    case checkpoint(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case emptyFront
    /// A constrained search with no feasible configuration yet (`Infeasibility.message`).
    case noFeasibleConfiguration(String)
    /// `evolve ... NAME X` on a cost that cannot be bounded.
    case notLimitable(String, limitable: [String])
    /// A bound that is not a positive number.
    case badLimit(String, Double)
    /// `compare by NAME` (or `plot front NAME`) on a quantity the search cannot report.
    case notMinimised(String, minimised: [String])
    /// `save model F tuned` with nothing fine-tuned.
    case noFineTunedWeights
    /// `gru NAME` or `fc NAME` given for an ONNX file, whose graph says which nodes are which.
    case modulesInONNX
    /// A front of one network asked of weights of another (a configuration file loaded since the search).
    case frontOfAnotherNetwork(front: String, inUse: String)
    /// `use front K` with K past the front's end.
    case frontPositionOutOfRange(position: Int, count: Int)
    /// Ctrl-C (`Workspace.shouldStop`) during calibration; no ranges were kept.
    case calibrationStopped
    /// Ctrl-C (`Workspace.shouldStop`) while cross-fitting's fold models trained.
    case crossFitStopped
    /// A training run whose buffers would pass the memory limit, refused before it starts.
    case trainingMemory(TrainingMemory, limit: MemoryLimit, hiddenSize: Int, largestBatch: Int)
    case fineTuningMemory(FineTuningMemory, limit: MemoryLimit, hiddenSize: Int, largestBatch: Int)

    /// A run past the memory limit: what it needs, the limit and where it comes from, what
    /// would fit, and how to raise the limit.
    private static func memoryMessage(run: String, bytes: Int, batch: Int, steps: String, hidden: Int, kept: String,
                                      limit: MemoryLimit, smaller: String, fits: Bool) -> String {
        let need = "\(run) needs about \(ByteCount.text(bytes)) (batch \(batch) × \(steps) × hidden \(hidden), \(kept) for back-propagation)"
        let bound = "more than the \(ByteCount.text(limit.bytes)) gq may take (\(limit.explanation))"
        let advice = fits ? smaller
            : "even one sequence does not fit: shorten the sequences (cut or downsample them before loading) or use a smaller 'hidden'"
        let setting = Workspace.trainingMemorySetting
        let raise: String
        switch limit.source {
        case .setting: raise = limit.source.advice
        case .physicalMemory: raise = "set \(setting)=BYTES"
        default: raise = "\(limit.source.advice), or set \(setting)=BYTES"
        }
        return "\(need), \(bound): \(advice); to allow more, \(raise)"
    }

    public var errorDescription: String? {
        switch self {
        case .noTask:
            return "no task loaded: try 'load task digits'"
        case .noModel:
            return "no model yet: 'train' one or 'load model FILE'"
        case .noSearch:
            return "no search yet: run 'evolve N gens' first"
        case let .modelDoesNotFitTask(model, features, classes, task, taskFeatures, taskClasses):
            return "\(model) has \(features) features and \(classes) classes, but task \(task) has \(taskFeatures) features and \(taskClasses) classes"
        case .emptySplit(let split):
            return "the \(split) split is empty"
        case let .sequenceOutOfRange(index, count):
            return "there are \(count) validation sequences (0 to \(count - 1)), so \(index) is out of range"
        case let .rotationNeedsTriplets(task, features):
            return "'rotate' turns 3-axis feature triplets; \(task) has \(features) features, not a multiple of 3"
        case let .unknownObjective(name, known):
            return "unknown objective '\(name)'; objectives: \(known.joined(separator: ", "))"
        case .objectivesWithoutError:
            return "the objectives must include 'error': the front is read as accuracy against cost"
        case .repeatedObjective(let name):
            return "objective '\(name)' is named twice"
        case .searchSetup(let reason):
            return reason
        case let .checkpoint(path, reason):
            return "\(path) \(reason)"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason)"
        case let .frontOfAnotherNetwork(front, inUse):
            return "the search's front is of \(front), but the weights in use are \(inUse): 'evolve' again to search them"
        case let .frontPositionOutOfRange(position, count):
            return "expected a front position from 1 to \(count), got '\(position)'"
        case .noFineTunedWeights:
            return "there are no fine-tuned weights to save: 'finetune' makes some"
        case .modulesInONNX:
            return "'gru NAME' and 'fc NAME' choose modules of a safetensors file; an ONNX graph says itself which nodes are the layers and the head"
        case let .trainingMemory(memory, limit, hidden, largestBatch):
            return Self.memoryMessage(run: "training", bytes: memory.bytes, batch: memory.batchSize,
                                      steps: memory.truncated ? "\(memory.keptSteps)-step chunks" : "the longest sequence's \(memory.keptSteps) steps",
                                      hidden: hidden, kept: memory.truncated ? "the last chunk's steps kept" : "every step kept", limit: limit,
                                      smaller: "use a smaller batch ('train batch \(largestBatch)' fits), \(memory.truncated ? "a smaller 'bptt', " : "")a smaller 'hidden', or shorter sequences",
                                      fits: largestBatch >= 1)
        case let .fineTuningMemory(memory, limit, hidden, largestBatch):
            return Self.memoryMessage(run: "fine-tuning", bytes: memory.bytes, batch: memory.batchSize,
                                      steps: memory.truncated ? "\(memory.keptSteps)-step chunks" : "the longest sequence's \(memory.keptSteps) steps",
                                      hidden: hidden, kept: memory.truncated ? "the last chunk's quantized values kept" : "every step's quantized values kept", limit: limit,
                                      smaller: "use a smaller batch ('finetune batch \(largestBatch)' fits)\(memory.truncated ? ", a smaller 'bptt'," : "") or shorter sequences",
                                      fits: largestBatch >= 1)
        case .calibrationStopped:
            return "calibration stopped: no ranges were kept; the next command that needs them calibrates again"
        case .crossFitStopped:
            return "cross-fitting stopped: the fold models trained in full are kept in the model cache, and the next 'evolve' or 'compare' goes on from them"
        case .noFeasibleConfiguration(let message):
            return message
        case let .notLimitable(name, limitable):
            return "'\(name)' cannot be bounded; bounds exist for \(limitable.joined(separator: ", "))"
        case let .badLimit(keyword, bound):
            return "'\(keyword)' must be a positive bound, got \(bound)"
        case let .notMinimised(name, minimised):
            return "this search did not minimise \(name); it minimised \(minimised.joined(separator: ", "))"
        case .emptyFront:
            return "the front is empty: the search was stopped before its first evaluations finished; run 'evolve N gens'"
        }
    }
}
