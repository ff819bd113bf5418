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

/// A search checkpoint as written to disk: gq's context beside NSGA-II's state.
struct EvolveCheckpoint: Codable {
    static let formatVersion = 1
    var format = EvolveCheckpoint.formatVersion
    var context: SearchContext
    var search: NSGA2Checkpoint

    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(self)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // .atomic writes a temporary file beside the target and renames it:
        // a kill mid-write leaves the previous checkpoint whole.
        try data.write(to: url, options: .atomic)
    }

    static func read(from url: URL) throws -> EvolveCheckpoint {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CommandError("cannot read the checkpoint \(url.path): \(FileManager.default.fileExists(atPath: url.path) ? "not readable" : "no such file")")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            let checkpoint = try decoder.decode(EvolveCheckpoint.self, from: data)
            guard checkpoint.format == formatVersion else {
                throw CommandError("\(url.path) is a checkpoint of format \(checkpoint.format); this gq reads format \(formatVersion)")
            }
            return checkpoint
        } catch let error as CommandError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw CommandError("\(url.path) is not a gq checkpoint: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw CommandError("\(url.path) is not a gq checkpoint: the field '\(path)' is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw CommandError("\(url.path) is not a gq checkpoint: the field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw CommandError("\(url.path) is not a gq checkpoint: \(error)")
        }
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

    func checkpoint() -> EvolveCheckpoint {
        EvolveCheckpoint(context: context, search: search.checkpoint)
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
