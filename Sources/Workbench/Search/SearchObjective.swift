import Export
import Quantization

/// What the integer model of one configuration offers an objective to measure.
public struct ObjectiveInput {
    public let bits: BitWidths
    public let quantized: QuantizedGRU
    /// The microcontroller core device costs (latency, RAM) are estimated for.
    public let core: TargetCore
    let judge: IntegerEvaluator
    /// The device cost, computed on first use: latency and RAM of one configuration come
    /// from one pass of the cost model.
    private let memo = DeviceCostMemo()

    init(bits: BitWidths, quantized: QuantizedGRU, core: TargetCore, judge: IntegerEvaluator) {
        self.bits = bits
        self.quantized = quantized
        self.core = core
        self.judge = judge
    }

    /// Accuracy of the bit-exact integer model on the judging set (`JudgingSet`). One
    /// thread: the search already evaluates genomes in parallel.
    public func judgedAccuracy() -> Double {
        judge.accuracy(quantized, threads: 1)
    }

    /// What one time step of the exported C costs on `core` (Export's cost model).
    public var deviceCost: DeviceCost {
        if let known = memo.cost { return known }
        let cost = quantized.deviceCost(core: core)
        memo.cost = cost
        return cost
    }
}

/// One input's device cost, kept once computed. An input lives on one thread (the search
/// builds one per genome evaluation), so no lock is needed.
private final class DeviceCostMemo {
    var cost: DeviceCost?
}

/// One thing `evolve` minimises: its name, how it is shown, how it is measured, and
/// whether it is an error (a fraction, 1 at worst) or a cost (bytes, operations).
///
/// As pymoo's `Problem` owns its objectives, each objective owns everything about it:
/// a new objective is one new entry in `catalog`, and `evolve objectives ...`, the
/// front, `compare`, the plots and checkpoints take it from there. A cost that declares
/// a `limit` can also bound the search (`evolve ... flash 16k`), as a `SearchConstraint`,
/// whether or not it is minimised.
public struct SearchObjective: Sendable, Hashable, CustomStringConvertible {
    /// Errors and costs differ in their hypervolume reference and in how they are shown.
    public enum Role: Sendable, Hashable {
        /// A fraction from 0 to 1, shown as accuracy (1 − value); its reference is 1.
        case error
        /// A non-negative amount; its reference is 10 % past homogeneous 8-bit, so 8-bit's point counts.
        case cost
    }

    /// How a bound on a cost is written after its keyword.
    public struct Limit: Sendable, Hashable {
        public enum Amount: Sendable, Hashable {
            /// Bytes: a whole number, or with k (1024) or M (1024²) after it.
            case bytes
            /// A whole number (instructions, operations).
            case count
        }

        /// The word of `evolve ... flash 16k`.
        public let keyword: String
        public let amount: Amount

        public init(keyword: String, amount: Amount) {
            self.keyword = keyword
            self.amount = amount
        }
    }

    /// The word in `evolve objectives error,size`.
    public let name: String
    /// What it measures, in a sentence's words ("model size").
    public let label: String
    /// The unit of its values ("bytes"); empty for fractions.
    public let unit: String
    public let role: Role
    /// Its column's heading in `show front` ("size (B)").
    public let column: String
    /// Its axis's title in `plot front` ("model size (bytes)").
    public let axis: String
    /// The keyword that bounds it in `evolve`, when it can be bounded.
    public let limit: Limit?
    /// Its values depend on the target core (`evolve ... core m4`): the core is then part of
    /// what a search's evaluations mean, saved with its checkpoint and shown with its front.
    public let dependsOnCore: Bool
    private let measure: @Sendable (ObjectiveInput) -> Double

    public init(name: String, label: String, unit: String, role: Role, column: String? = nil, axis: String? = nil, limit: Limit? = nil,
                dependsOnCore: Bool = false, measure: @escaping @Sendable (ObjectiveInput) -> Double) {
        self.name = name
        self.label = label
        self.unit = unit
        self.role = role
        self.column = column ?? name
        self.axis = axis ?? (unit.isEmpty ? label : "\(label) (\(unit))")
        self.limit = limit
        self.dependsOnCore = dependsOnCore
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

    /// 1 − accuracy of the bit-exact integer model on the search's judging set.
    public static let error = SearchObjective(name: "error", label: "1 − accuracy on what the search judges ('judge')", unit: "", role: .error) { input in
        1 - input.judgedAccuracy()
    }

    /// Bytes of constant data a microcontroller holds (docs/quantization.md, "Model size");
    /// bounded as `flash`.
    public static let size = SearchObjective(name: "size", label: "model size", unit: "bytes", role: .cost, column: "size (B)",
                                             limit: Limit(keyword: "flash", amount: .bytes)) { input in
        Double(input.quantized.size.total)
    }

    /// Bit operations per time step: each multiply weighted by the product of its operands' widths.
    public static let bitops = SearchObjective(name: "bitops", label: "bit operations per step", unit: "bit operations", role: .cost,
                                               axis: "bit operations per step") { input in
        Double(BitOperations.perStep(input.bits, features: input.quantized.inputSize, hidden: input.quantized.hiddenSize))
    }

    /// Instructions of one time step of the exported C on the target core, from Export's
    /// cost model (instructions, not cycles).
    public static let latency = SearchObjective(name: "latency", label: "instructions per step of the C export on the core (cost model)",
                                                unit: "instructions", role: .cost, column: "instr/step", axis: "instructions per step (cost model)",
                                                limit: Limit(keyword: "latency", amount: .count), dependsOnCore: true) { input in
        Double(input.deviceCost.instructionsPerStep)
    }

    /// Bytes of RAM the exported step needs: the caller-owned state plus the step's scratch.
    public static let ram = SearchObjective(name: "ram", label: "RAM of the C step (state plus scratch)", unit: "bytes", role: .cost,
                                            column: "RAM (B)", axis: "RAM: state plus scratch (bytes)", limit: Limit(keyword: "ram", amount: .bytes),
                                            dependsOnCore: true) { input in
        Double(input.deviceCost.ramBytes)
    }

    /// Every objective `evolve` knows, in the order help lists them.
    public static let catalog: [SearchObjective] = [error, size, bitops, latency, ram]

    /// The default of `evolve`: the paper's size/accuracy trade-off.
    public static let defaultList: [SearchObjective] = [error, size]

    /// The costs that can bound a search, in catalog order.
    public static var limited: [SearchObjective] { catalog.filter { $0.limit != nil } }

    public static func named(_ name: String) -> SearchObjective? {
        catalog.first { $0.name == name }
    }

    /// The cost a limit keyword (`flash`) bounds.
    public static func limited(by keyword: String) -> SearchObjective? {
        catalog.first { $0.limit?.keyword == keyword }
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

/// A bound on one cost: every configuration on the front must come in at or under it.
///
/// The search receives it as `g = value / bound − 1` (met when g ≤ 0), so a violation is
/// the fraction by which the bound is exceeded: 0.1 for 10 % over, whatever the unit. The
/// total violation NSGA-II's constrained domination compares is the sum of these over the
/// constraints, so 10 % over the flash limit weighs as much as 10 % over the latency one.
public struct SearchConstraint: Sendable, Hashable, CustomStringConvertible {
    /// The bounded cost (a catalog entry with a `limit`).
    public let quantity: SearchObjective
    /// The largest value allowed, in the quantity's unit; positive.
    public let bound: Double

    /// Refuses a quantity without a limit keyword and a bound that is not positive and finite.
    public init(_ quantity: SearchObjective, atMost bound: Double) throws {
        guard quantity.limit != nil else { throw WorkbenchError.notLimitable(quantity.name, limitable: SearchObjective.limited.map(\.name)) }
        guard bound > 0, bound.isFinite else { throw WorkbenchError.badLimit(quantity.limit?.keyword ?? quantity.name, bound) }
        self.quantity = quantity
        self.bound = bound
    }

    /// A bound a configuration fails, and by what fraction of it (0.1: 10 % over).
    public struct Excess: Sendable, Equatable {
        public var constraint: SearchConstraint
        public var fraction: Double
    }

    /// Whether `measured` meets the bound.
    public func isMet(by measured: Double) -> Bool { value(measured) <= 0 }

    /// The word that sets it: `flash`, `ram`, `latency`.
    public var keyword: String { quantity.limit?.keyword ?? quantity.name }

    /// The constraint value the search sees: ≤ 0 when `measured` meets the bound.
    public func value(_ measured: Double) -> Double { measured / bound - 1 }

    /// `flash ≤ 16384 bytes`.
    public var description: String {
        "\(keyword) ≤ \(SearchConstraint.format(bound)) \(quantity.unit)"
    }

    /// "flash ≤ 16384 bytes, ram ≤ 1024 bytes and latency ≤ 40000 instructions".
    public static func list(_ constraints: [SearchConstraint]) -> String {
        let words = constraints.map(\.description)
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " and " + (words.last ?? "")
    }

    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
