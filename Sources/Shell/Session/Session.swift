import Datasets
import Foundation
import GRU
import Quantization

/// Everything a shell session holds between commands: the task, the model, variables and settings.
public final class Session {
    public var io: ShellIO
    public var interrupt: InterruptSource
    /// Script variables, including the results `eval` publishes (`accuracy`, ...).
    public var variables: [String: Value] = [:]
    /// `$0`, `$1`, ... of the running script.
    public var scriptArguments: [String] = []
    /// The seed every random choice starts from unless a command is given its own.
    public var seed: UInt64 = 0
    /// The loaded task; replacing it drops calibration and fine-tuned weights.
    public var task: Task? {
        didSet { modelChanged() }
    }
    /// The float model; replacing it (train, load model, load task) drops calibration and fine-tuned weights.
    public var model: GRUClassifier? {
        didSet { modelChanged() }
    }
    /// Bit widths, quantization options, calibration, fine-tuned weights and the last sweep.
    public var quantization = QuantizationState()
    /// How deeply `source` is nested, so a script that sources itself stops with an error.
    var sourceDepth = 0
    /// The search `evolve` continues and `show front` reads; nil until the first `evolve`.
    var search: SearchState?
    /// Where the current model came from, for `show model`.
    public var modelOrigin: String?
    /// Folder of trained models keyed by task and settings; nil disables the cache.
    public var modelCache: ModelCache?

    public init(io: ShellIO, interrupt: InterruptSource = .never, modelCache: ModelCache? = ModelCache.standard()) {
        self.io = io
        self.interrupt = interrupt
        self.modelCache = modelCache
    }

    /// Everything computed from the old model or task no longer holds.
    private func modelChanged() {
        quantization.modelChanged()
        search = nil
    }

    /// The loaded task, or an error telling the user how to load one.
    func requireTask() throws -> Task {
        guard let task else { throw CommandError("no task loaded: try 'load task digits'") }
        return task
    }

    /// The current model, or an error telling the user how to get one.
    func requireModel() throws -> GRUClassifier {
        guard let model else { throw CommandError("no model yet: 'train' one or 'load model FILE'") }
        return model
    }
}
