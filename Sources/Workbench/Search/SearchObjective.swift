import Quantization

/// What the integer model of one configuration offers an objective to measure.
public struct ObjectiveInput {
    public let bits: BitWidths
    public let quantized: QuantizedGRU
    let validation: IntegerEvaluator

    /// Accuracy of the bit-exact integer model on the validation split. One thread:
    /// the search already evaluates genomes in parallel.
    public func validationAccuracy() -> Double {
        validation.accuracy(quantized, threads: 1)
    }
}

/// One thing `evolve` minimises: its name, how it is shown, how it is measured, and
/// whether it is an error (a fraction, 1 at worst) or a cost (bytes, operations).
///
/// As pymoo's `Problem` owns its objectives, each objective owns everything about it:
/// a new objective is one new entry in `catalog`, and `evolve objectives ...`, the
/// front, `compare`, the plots and checkpoints take it from there.
public struct SearchObjective: Sendable, Hashable, CustomStringConvertible {
    /// Errors and costs differ in their hypervolume reference and in how they are shown.
    public enum Role: Sendable, Hashable {
        /// A fraction from 0 to 1, shown as accuracy (1 − value); its reference is 1.
        case error
        /// A non-negative amount; its reference is 10 % past homogeneous 8-bit, so 8-bit's point counts.
        case cost
    }

    /// The word in `evolve objectives error,size`.
    public let name: String
    /// What it measures, in a sentence's words ("model size").
    public let label: String
    /// The unit of its values ("bytes"); empty for fractions.
    public let unit: String
    public let role: Role
    private let measure: @Sendable (ObjectiveInput) -> Double

    public init(name: String, label: String, unit: String, role: Role, measure: @escaping @Sendable (ObjectiveInput) -> Double) {
        self.name = name
        self.label = label
        self.unit = unit
        self.role = role
        self.measure = measure
    }

    public func value(for input: ObjectiveInput) -> Double { measure(input) }

    public var description: String { name }

    public static func == (a: SearchObjective, b: SearchObjective) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The value at which this objective stops counting toward hypervolume, given homogeneous 8-bit's value.
    public func reference(eightBit: Double) -> Double {
        switch role {
        case .error: return 1
        case .cost: return eightBit * 1.1
        }
    }

    // MARK: - The objectives

    /// 1 − validation accuracy of the bit-exact integer model.
    public static let error = SearchObjective(name: "error", label: "validation error", unit: "", role: .error) { input in
        1 - input.validationAccuracy()
    }

    /// Bytes of constant data a microcontroller holds (docs/quantization.md, "Model size").
    public static let size = SearchObjective(name: "size", label: "model size", unit: "bytes", role: .cost) { input in
        Double(input.quantized.size.total)
    }

    /// Bit operations per time step: each multiply weighted by the product of its operands' widths.
    public static let bitops = SearchObjective(name: "bitops", label: "bit operations per step", unit: "bit operations", role: .cost) { input in
        Double(BitOperations.perStep(input.bits, features: input.quantized.inputSize, hidden: input.quantized.hiddenSize))
    }

    /// Every objective `evolve` knows, in the order help lists them.
    public static let catalog: [SearchObjective] = [error, size, bitops]

    /// The default of `evolve`: the paper's size/accuracy trade-off.
    public static let defaultList: [SearchObjective] = [error, size]

    public static func named(_ name: String) -> SearchObjective? {
        catalog.first { $0.name == name }
    }

    /// Parses `error,size,bitops`: known names, each once, `error` among them.
    public static func parseList(_ text: String) throws -> [SearchObjective] {
        var list: [SearchObjective] = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let objective = named(word) else {
                throw WorkbenchError.unknownObjective(word, known: catalog.map(\.name))
            }
            guard !list.contains(objective) else { throw WorkbenchError.repeatedObjective(word) }
            list.append(objective)
        }
        guard list.contains(error) else { throw WorkbenchError.objectivesWithoutError }
        return list
    }
}
