import Datasets
import Foundation
import GRU
import Quantization
import Search

/// What `evolve` can minimise besides validation error.
enum SearchObjective: String, Codable, CaseIterable, Sendable {
    /// 1 − validation accuracy of the integer model.
    case error
    /// Bytes of constant data the C export emits.
    case size
    /// Bit operations per time step (`BitOperations`).
    case bitops

    var label: String {
        switch self {
        case .error: return "validation error"
        case .size: return "model size (bytes)"
        case .bitops: return "bit operations per step"
        }
    }
}

/// Everything a search depends on besides its own state, saved with its checkpoint
/// so `evolve resume` can refuse a file made for another model or task.
struct SearchContext: Codable, Equatable, Sendable {
    var task: String
    /// Fingerprint of the weights, calibration and options the genomes were evaluated with.
    var fingerprint: String
    var objectives: [SearchObjective]
    /// Widths outside the genome, fixed for the whole search.
    var inputBits: Int
    var fcBits: Int
    /// The generation count the user asked for; `evolve resume` runs up to it.
    var targetGeneration: Int
    /// Objective values of homogeneous 8-bit, the reference of hypervolume and size ratios.
    var reference: [Double]
}

extension SearchContext {
    /// Where the context lives in a search checkpoint's `context` map.
    static let checkpointKey = "gq.search"

    /// The context a checkpoint file was saved with, or an error naming the file.
    init(checkpoint: NSGA2Checkpoint, path: String) throws {
        guard let text = checkpoint.context[SearchContext.checkpointKey],
              let context = try? JSONDecoder().decode(SearchContext.self, from: Data(text.utf8)) else {
            throw CommandError("\(path) is a search checkpoint, but not one of gq's: it says nothing of the task and model it searched")
        }
        self = context
    }

    /// A checkpoint of `search` that carries this context, ready to save.
    func checkpoint(of search: NSGA2) throws -> NSGA2Checkpoint {
        var checkpoint = search.checkpoint
        checkpoint.context[SearchContext.checkpointKey] = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        return checkpoint
    }
}

/// The weights, ranges and options a search evaluated its genomes with, so the front
/// is always reported with them, whatever `set quant` or `finetune` did since.
struct SearchInputs: @unchecked Sendable {
    // @unchecked: value types only, never mutated after creation.
    let model: GRUClassifier
    let calibration: Calibration
    let options: QuantizationOptions
    let base: BitWidths

    func quantized(_ genome: Genome) -> QuantizedGRU {
        QuantizedGRU(model: model, calibration: calibration, bits: base.with(genome: genome), options: options)
    }
}

/// The session's search: the NSGA-II run `evolve` continues, and what it ran on.
final class SearchState {
    let search: NSGA2
    let context: SearchContext
    let inputs: SearchInputs
    let checkpointURL: URL
    /// Objective values of homogeneous 2…8-bit configurations, for plots and `compare`.
    let homogeneous: [(bits: Int, objectives: [Double])]
    /// Test accuracy of genomes shown so far: reported beside validation, never optimised.
    var testAccuracy: [Genome: Double] = [:]

    init(search: NSGA2, context: SearchContext, inputs: SearchInputs, checkpointURL: URL, homogeneous: [(bits: Int, objectives: [Double])]) {
        self.search = search
        self.context = context
        self.inputs = inputs
        self.checkpointURL = checkpointURL
        self.homogeneous = homogeneous
    }

    /// The non-dominated configurations over every evaluation, smallest first.
    var front: [Individual] {
        search.archiveFront.sorted { a, b in
            a.objectives.count > 1 && a.objectives[1] != b.objectives[1] ? a.objectives[1] < b.objectives[1] : a.objectives[0] < b.objectives[0]
        }
    }

    /// Hypervolume as a fraction of the reference box (0…1), so runs on different tasks compare.
    func normalizedHypervolume(_ points: [[Double]]) -> Double {
        let reference = context.reference
        let box = reference.reduce(1, *)
        guard box > 0 else { return 0 }
        return Hypervolume.compute(points, reference: reference) / box
    }

    var hypervolume: Double { normalizedHypervolume(search.archiveFront.map(\.objectives)) }
    var homogeneousHypervolume: Double { normalizedHypervolume(homogeneous.map(\.objectives)) }

    /// Writes the population, cache and context to the checkpoint file, atomically.
    func save() throws {
        try FileManager.default.createDirectory(at: checkpointURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try context.checkpoint(of: search).save(to: checkpointURL)
    }
}

/// Builds the objective function and context for a search over the session's configuration.
struct SearchProblem {
    let context: SearchContext
    let evaluate: @Sendable (Genome) -> [Double]
    let space: GenomeSpace
    let inputs: SearchInputs

    /// Allowed widths per gene: the paper's sub-8-bit range by default.
    static let defaultWidths = Array(2...8)

    init(session: Session, objectives: [SearchObjective], widths: [Int], targetGeneration: Int) throws {
        let current = try session.quantizationInputs()
        let evaluator = try session.validationEvaluator()
        let base = session.quantization.bits
        let options = session.quantization.options
        let model = current.model
        let calibration = current.calibration
        let features = model.inputSize, hidden = model.hiddenSize
        let inputs = SearchInputs(model: model, calibration: calibration, options: options, base: base)
        let evaluate: @Sendable (Genome) -> [Double] = { genome in
            let bits = base.with(genome: genome)
            let quantized = inputs.quantized(genome)
            return objectives.map { objective in
                switch objective {
                // One thread per genome: the search already evaluates genomes in parallel.
                case .error: return 1 - evaluator.accuracy(quantized, threads: 1)
                case .size: return Double(quantized.size.total)
                case .bitops: return Double(BitOperations.perStep(bits, features: features, hidden: hidden))
                }
            }
        }
        let eightBit = evaluate([Int](repeating: 8, count: GRUOperator.genome.count))
        // Error can be at most 1; cost objectives get 10 % room past 8-bit so its point counts.
        let reference = zip(objectives, eightBit).map { objective, value in objective == .error ? 1.0 : value * 1.1 }
        var fingerprint = Hasher64()
        for value in model.weightIH + model.weightHH + model.biasIH + model.biasHH + model.fcWeight + model.fcBias {
            fingerprint.add(value.bitPattern)
        }
        for byte in "\(options)|\(calibration.ranges)|\(base[.input])|\(base[.fc])".utf8 { fingerprint.add(byte) }
        self.context = SearchContext(task: try session.requireTask().name, fingerprint: fingerprint.hex,
                                     objectives: objectives, inputBits: base[.input], fcBits: base[.fc],
                                     targetGeneration: targetGeneration, reference: reference)
        self.evaluate = evaluate
        self.inputs = inputs
        self.space = GenomeSpace(geneNames: GRUOperator.genome.map(\.name),
                                 allowedValues: Array(repeating: widths, count: GRUOperator.genome.count))
    }
}
