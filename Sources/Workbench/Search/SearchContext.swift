import Foundation
import Search

/// Everything a search depends on besides its own state, saved with its checkpoint
/// so `evolve resume` can refuse a file made for another model or task.
public struct SearchContext: Codable, Equatable, Sendable {
    public var task: String
    /// Fingerprint of the weights, calibration and options the genomes were evaluated with.
    public var fingerprint: String
    /// Objective names, in the order of the objective values.
    public var objectives: [String]
    /// Widths outside the genome, fixed for the whole search.
    public var inputBits: Int
    public var fcBits: Int
    /// The generation count the user asked for; `evolve resume` runs up to it.
    public var targetGeneration: Int
    /// The hypervolume reference: 1 for errors, 1.1 × homogeneous 8-bit for costs.
    public var reference: [Double]
    /// The core device costs were estimated for (`TargetCore`'s raw value), when an
    /// objective or constraint depends on it; absent otherwise and in older checkpoints.
    public var core: String?
    /// The bounds the search was held to, in the order of the constraint values; absent
    /// for an unconstrained search and in older checkpoints.
    public var constraints: [Limit]?
    /// What the accuracy objective was measured on, as `JudgingSet.contextValue` writes it;
    /// absent for the validation split and in older checkpoints.
    public var judge: String?

    /// One saved bound: the cost's objective name and its largest allowed value.
    public struct Limit: Codable, Equatable, Sendable {
        public var quantity: String
        public var bound: Double

        public init(quantity: String, bound: Double) {
            self.quantity = quantity
            self.bound = bound
        }
    }

    public init(task: String, fingerprint: String, objectives: [String], inputBits: Int, fcBits: Int, targetGeneration: Int,
                reference: [Double], core: String? = nil, judge: String? = nil, constraints: [Limit]? = nil) {
        self.task = task
        self.fingerprint = fingerprint
        self.objectives = objectives
        self.inputBits = inputBits
        self.fcBits = fcBits
        self.targetGeneration = targetGeneration
        self.reference = reference
        self.core = core
        self.constraints = constraints
        self.judge = judge
    }
}

extension SearchContext {
    /// Where the context lives in a search checkpoint's `context` map.
    static let checkpointKey = "gq.search"

    /// The context a checkpoint was saved with, or an error naming the file.
    init(checkpoint: NSGA2Checkpoint, path: String) throws {
        guard let text = checkpoint.context[SearchContext.checkpointKey],
              let context = try? JSONDecoder().decode(SearchContext.self, from: Data(text.utf8)) else {
            throw WorkbenchError.checkpoint(path: path, reason: "is a search checkpoint, but not one of gq's: it says nothing of the task and model it searched")
        }
        self = context
    }

    /// A checkpoint of `search` that carries this context, ready to save.
    func checkpoint(of search: NSGA2) throws -> NSGA2Checkpoint {
        var checkpoint = search.checkpoint
        // Sorted keys: the same search writes the same bytes in any process (and any MPI rank count).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        checkpoint.context[SearchContext.checkpointKey] = String(decoding: try encoder.encode(self), as: UTF8.self)
        return checkpoint
    }
}
