import Export
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

    /// The genome of homogeneous `bits`-bit.
    public func homogeneous(_ bits: Int) -> Genome { [Int](repeating: bits, count: base.network.genome.count) }

    /// The full configuration a genome stands for.
    public func bits(_ genome: Genome) -> BitWidths { base.with(genome: genome) }

    public func quantized(_ genome: Genome) -> QuantizedGRU {
        QuantizedGRU(model: model, calibration: calibration, bits: bits(genome), options: options)
    }
}

/// The mixed-precision search as a problem, in pymoo's sense: the genome space (one
/// width per cell operator), the objectives, the constraints, how a genome is evaluated,
/// and the hypervolume reference. The generic NSGA-II in `Search` knows none of this.
public struct QuantizationProblem: Sendable {
    public let objectives: [SearchObjective]
    /// Bounds every front member must meet; empty for an unconstrained search.
    public let constraints: [SearchConstraint]
    /// The core device costs are estimated for; it matters only when `usesCore`.
    public let core: TargetCore
    public let space: GenomeSpace
    public let inputs: SearchInputs
    /// The task the validation split belongs to.
    public let task: String
    /// Fingerprint of the weights, calibration, options and fixed widths: a checkpoint
    /// made under another fingerprint evaluated other models. (The core is not in it: a
    /// checkpoint's context names the core its device costs were estimated for.)
    public let fingerprint: String
    /// What the accuracy objective is measured on.
    public let judge: JudgingSet

    /// The paper's sub-8-bit range.
    public static let defaultWidths = Array(2...8)
    /// The genome of homogeneous `bits`-bit.
    public func homogeneous(_ bits: Int) -> Genome { inputs.homogeneous(bits) }

    /// The network whose cell operators the genome holds, layer by layer.
    public var network: NetworkDescription { inputs.base.network }

    init(task: String, inputs: SearchInputs, judge: JudgingSet, objectives: [SearchObjective], widths: [Int],
         constraints: [SearchConstraint] = [], core: TargetCore = .m4) {
        self.task = task
        self.inputs = inputs
        self.judge = judge
        self.objectives = objectives
        self.constraints = constraints
        self.core = core
        let network = inputs.base.network
        space = GenomeSpace(geneNames: network.genome.map(network.name(of:)),
                            allowedValues: Array(repeating: widths, count: network.genome.count))
        fingerprint = QuantizationProblem.fingerprint(inputs, judge: judge.identity)
    }

    /// `judge`: `JudgingSet.identity`, empty for the validation split.
    static func fingerprint(_ inputs: SearchInputs, judge: String) -> String {
        var fingerprint = Fingerprint()
        fingerprint.add(weightsOf: inputs.model)
        // The arithmetic and the device layout (what `size` counts) are part of what an evaluation
        // measured: a checkpoint cached under another version is not reused.
        fingerprint.add("\(QuantizedGRU.engineVersion)|\(DeviceLayout.version)|\(inputs.options)|\(inputs.calibration.ranges)|\(inputs.base[.input])|\(inputs.base[.fc])\(judge)")
        return fingerprint.hex
    }

    /// Whether any objective or constraint depends on the target core.
    public var usesCore: Bool { quantities.contains(where: \.dependsOnCore) }

    /// The core when it matters to this problem's values, else nil.
    public var deviceCore: TargetCore? { usesCore ? core : nil }

    /// Every cost the search minimises or bounds, in catalog order: what the front reports.
    public var quantities: [SearchObjective] {
        SearchObjective.catalog.filter { q in q.role == .cost && (objectives.contains(q) || constraints.contains { $0.quantity == q }) }
    }

    /// One genome's input to the objectives.
    func input(_ genome: Genome) -> ObjectiveInput {
        ObjectiveInput(bits: inputs.bits(genome), quantized: inputs.quantized(genome), core: core, judge: judge.evaluator)
    }

    /// The objective values and constraint values of one genome, in `objectives` and
    /// `constraints` order. A bounded cost that is also an objective is measured once.
    public func evaluation(_ genome: Genome) -> Evaluation {
        let input = input(genome)
        let values = objectives.map { $0.value(for: input) }
        let limits = constraints.map { constraint in
            constraint.value(objectives.firstIndex(of: constraint.quantity).map { values[$0] } ?? constraint.quantity.value(for: input))
        }
        return Evaluation(objectives: values, constraints: limits)
    }

    /// The objective values of one genome, in `objectives` order.
    public func evaluate(_ genome: Genome) -> [Double] {
        let input = input(genome)
        return objectives.map { $0.value(for: input) }
    }

    /// A cost of one genome, minimised by the search or not (costs are cheap to measure:
    /// none of them runs the model).
    public func measure(_ quantity: SearchObjective, _ genome: Genome) -> Double {
        quantity.value(for: input(genome))
    }

    /// `quantity`'s value for a genome with objective values `values`: read from them when
    /// the search minimised it, else measured.
    public func value(of quantity: SearchObjective, genome: Genome, objectives values: [Double]) -> Double {
        if let k = objectives.firstIndex(of: quantity), k < values.count { return values[k] }
        return measure(quantity, genome)
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

    /// The constraints `values` (one per constraint, as `evaluation` gives them) fail,
    /// with the fraction by which each is exceeded.
    public func exceeded(_ values: [Double]) -> [SearchConstraint.Excess] {
        zip(constraints, values).filter { $0.1 > 0 }.map { SearchConstraint.Excess(constraint: $0.0, fraction: $0.1) }
    }
}
