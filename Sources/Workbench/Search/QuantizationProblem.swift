import GRU
import Quantization
import Search

/// The weights, ranges and options a search evaluates its genomes with, so the front
/// is always reported with them, whatever `set quant` or `finetune` did since.
public struct SearchInputs: Sendable {
    public let model: GRUClassifier
    public let calibration: Calibration
    public let options: QuantizationOptions
    /// The configuration outside the genome: input and fc widths are taken from it.
    public let base: BitWidths

    /// The full configuration a genome stands for.
    public func bits(_ genome: Genome) -> BitWidths { base.with(genome: genome) }

    public func quantized(_ genome: Genome) -> QuantizedGRU {
        QuantizedGRU(model: model, calibration: calibration, bits: bits(genome), options: options)
    }
}

/// The mixed-precision search as a problem, in pymoo's sense: the genome space (one
/// width per cell operator), the objectives, how a genome is evaluated, and the
/// hypervolume reference. The generic NSGA-II in `Search` knows none of this.
public struct QuantizationProblem: Sendable {
    public let objectives: [SearchObjective]
    public let space: GenomeSpace
    public let inputs: SearchInputs
    /// The task the validation split belongs to.
    public let task: String
    /// Fingerprint of the weights, calibration, options and fixed widths: a checkpoint
    /// made under another fingerprint evaluated other models.
    public let fingerprint: String
    private let validation: IntegerEvaluator

    /// The paper's sub-8-bit range.
    public static let defaultWidths = Array(2...8)
    /// The genome of homogeneous `bits`-bit.
    public static func homogeneous(_ bits: Int) -> Genome { [Int](repeating: bits, count: GRUOperator.genome.count) }

    init(task: String, inputs: SearchInputs, validation: IntegerEvaluator, objectives: [SearchObjective], widths: [Int]) {
        self.task = task
        self.inputs = inputs
        self.validation = validation
        self.objectives = objectives
        space = GenomeSpace(geneNames: GRUOperator.genome.map(\.name),
                            allowedValues: Array(repeating: widths, count: GRUOperator.genome.count))
        fingerprint = QuantizationProblem.fingerprint(inputs)
    }

    static func fingerprint(_ inputs: SearchInputs) -> String {
        var fingerprint = Fingerprint()
        let model = inputs.model
        for tensor in [model.weightIH, model.weightHH, model.biasIH, model.biasHH, model.fcWeight, model.fcBias] {
            fingerprint.add(tensor)
        }
        // The arithmetic and the device layout (what `size` counts) are part of what an evaluation
        // measured: a checkpoint cached under another version is not reused.
        fingerprint.add("\(QuantizedGRU.engineVersion)|\(DeviceLayout.version)|\(inputs.options)|\(inputs.calibration.ranges)|\(inputs.base[.input])|\(inputs.base[.fc])")
        return fingerprint.hex
    }

    /// The objective values of one genome, in `objectives` order.
    public func evaluate(_ genome: Genome) -> [Double] {
        let input = ObjectiveInput(bits: inputs.bits(genome), quantized: inputs.quantized(genome), validation: validation)
        return objectives.map { $0.value(for: input) }
    }

    /// The hypervolume reference, from homogeneous 8-bit's values.
    public func referencePoint(eightBit: [Double]) -> [Double] {
        zip(objectives, eightBit).map { $0.reference(eightBit: $1) }
    }

    /// Where validation error stands among the objectives (`parseList` guarantees one).
    public var errorIndex: Int { objectives.firstIndex(of: .error) ?? 0 }

    /// Where an objective stands, or nil when the search does not minimise it.
    public func index(of objective: SearchObjective) -> Int? { objectives.firstIndex(of: objective) }

    /// Validation accuracy from a genome's objective values.
    public func accuracy(_ values: [Double]) -> Double { 1 - values[errorIndex] }
}
