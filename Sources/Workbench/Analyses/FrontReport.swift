import Export
import Foundation
import Quantization
import Search

/// One configuration of the front with the figures reported for it.
public struct FrontRow: Sendable, Encodable {
    /// One cost of the configuration besides its size: one the search minimised or bounded.
    public struct Cost: Sendable, Equatable {
        public var quantity: SearchObjective
        public var value: Double
    }

    /// Counts from 1, as `show front` and `use front` number them.
    public var position: Int
    public var size: Int
    public var sizeRatio: Double
    /// The other costs the search minimised or bounded (bit operations, latency, RAM), in
    /// catalog order; empty for a search of error and size alone.
    public var costs: [Cost] = []
    /// The core latency and RAM were estimated for, when the search used them.
    public var core: TargetCore?
    public var validationAccuracy: Double
    /// What the search measured, when it judged on more than validation (`JudgingSet`).
    public var judgedAccuracy: Double?
    /// Measured for reporting; the search never sees it.
    public var testAccuracy: Double
    public var genome: [Int]
    /// The full configuration, input and fc included.
    public var bits: BitWidths
    /// Configurations of the search that reach the same point (this one stands for them).
    public var configurations: Int = 1

    enum CodingKeys: String, CodingKey {
        case position, size, sizeRatio = "size_ratio", validationAccuracy = "val_accuracy", judgedAccuracy = "judged_accuracy", testAccuracy = "test_accuracy", configurations, bits, core
    }

    /// A cost's key: its objective name (`latency`, `ram`, `bitops`).
    struct CostKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The value of `quantity` in this row, nil when the search did not use it.
    public func cost(_ quantity: SearchObjective) -> Double? {
        quantity == .size ? Double(size) : costs.first { $0.quantity == quantity }?.value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(position, forKey: .position)
        try container.encode(size, forKey: .size)
        try container.encode(sizeRatio, forKey: .sizeRatio)
        var extra = encoder.container(keyedBy: CostKey.self)
        for cost in costs {
            // Every cost is a whole number (bytes, instructions, operations): written as one.
            try extra.encode(Int64(cost.value.rounded()), forKey: CostKey(stringValue: cost.quantity.name))
        }
        try container.encodeIfPresent(core?.rawValue, forKey: .core)
        try container.encode(validationAccuracy, forKey: .validationAccuracy)
        try container.encodeIfPresent(judgedAccuracy, forKey: .judgedAccuracy)
        try container.encode(testAccuracy, forKey: .testAccuracy)
        try container.encode(configurations, forKey: .configurations)
        let network = bits.network
        try container.encode(Dictionary(uniqueKeysWithValues: zip(network.genome.map(network.name(of:)), genome)), forKey: .bits)
    }
}

extension Workspace {
    /// The search's front with size and test accuracy, every figure from the inputs the
    /// search used, not from settings changed since.
    /// Under constraints, every row meets them; with none feasible yet the rows are empty
    /// (`QuantizationSearch.infeasibility` says why).
    public func frontRows() throws -> [FrontRow] {
        let state = try requireSearch()
        let problem = state.problem
        let inputs = problem.inputs
        let reference = inputs.quantized(inputs.homogeneous(8)).size.total
        let others = problem.quantities.filter { $0 != .size }
        return try state.frontPoints.enumerated().map { index, point in
            let individual = point.representative
            let quantized = inputs.quantized(individual.genome)
            let size = quantized.size.total
            let testAccuracy = try testAccuracy(of: individual.genome, in: state, quantized: quantized)
            let judged = problem.accuracy(individual.objectives)
            let validation = problem.judge.kind == .validation ? judged : try evaluator(of: .validation).accuracy(quantized)
            var row = FrontRow(position: index + 1, size: size, sizeRatio: Double(size) / Double(reference),
                               validationAccuracy: validation, judgedAccuracy: problem.judge.kind == .validation ? nil : judged,
                               testAccuracy: testAccuracy,
                               genome: individual.genome, bits: inputs.bits(individual.genome), configurations: point.configurations)
            row.costs = others.map { FrontRow.Cost(quantity: $0, value: problem.value(of: $0, genome: individual.genome, objectives: individual.objectives)) }
            row.core = problem.deviceCore
            return row
        }
    }

    /// The full configuration of front point `position` (from 1), input and fc as searched.
    public func frontBits(_ position: Int) throws -> BitWidths {
        let state = try requireSearch()
        let front = state.front
        if front.isEmpty, let infeasibility = state.infeasibility { throw WorkbenchError.noFeasibleConfiguration(infeasibility.message) }
        guard !front.isEmpty else { throw WorkbenchError.emptyFront }
        guard (1...front.count).contains(position) else {
            throw WorkbenchError.frontPositionOutOfRange(position: position, count: front.count)
        }
        // The weights in use may have changed network since (a configuration file of another).
        let network = (tuned?.model ?? model)?.network
        guard network == nil || network == state.problem.network else {
            throw WorkbenchError.frontOfAnotherNetwork(front: state.problem.network.description, inUse: network?.description ?? "")
        }
        return state.problem.inputs.bits(front[position - 1].genome)
    }

    /// Makes front point `position` the current bits.
    public func useFront(_ position: Int) throws -> BitWidths {
        bits = try frontBits(position)
        return bits
    }
}

/// The front as files other tools read.
public enum FrontFile {
    /// The formats `save front` writes, by file extension.
    public enum Format: String, CaseIterable, Sendable {
        case csv, json
    }

    /// One row per point: position, size, ratio, the other costs the search used (by
    /// objective name: `bitops`, `latency`, `ram`) and the core they were estimated for,
    /// accuracies, how many configurations share it, then each operator's width.
    public static func csv(_ rows: [FrontRow]) -> String {
        let quantities = rows.first?.costs.map(\.quantity) ?? []
        let core = rows.first?.core
        var header = ["position", "size", "size_ratio"] + quantities.map(\.name)
        if core != nil { header.append("core") }
        let judged = rows.contains { $0.judgedAccuracy != nil }
        header += ["val_accuracy"] + (judged ? ["judged_accuracy"] : []) + ["test_accuracy", "configurations"]
        let network = rows.first?.bits.network ?? .singleGRU
        var lines = [(header + network.genome.map(network.name(of:))).joined(separator: ",")]
        for row in rows {
            var fixed = [String(row.position), String(row.size), number(row.sizeRatio)] + row.costs.map { number($0.value) }
            if let core = row.core { fixed.append(core.rawValue) }
            fixed += [number(row.validationAccuracy)] + (judged ? [number(row.judgedAccuracy ?? row.validationAccuracy)] : [])
                + [number(row.testAccuracy), String(row.configurations)]
            lines.append((fixed + row.genome.map(String.init)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ rows: [FrontRow]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n"
    }

    public static func render(_ rows: [FrontRow], as format: Format) throws -> String {
        switch format {
        case .csv: return csv(rows)
        case .json: return try json(rows)
        }
    }

    /// Whole numbers without a fraction, others with up to 6 significant digits, as the shell prints values.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }
}
