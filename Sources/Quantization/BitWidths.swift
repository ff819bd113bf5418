import GRU

/// One bit width per operator of a network: a configuration of the quantized model.
///
/// Widths run from 2 to 16. The storage follows `NetworkDescription.operators`: the genome
/// (every layer's cell operators) first, then `input` and `fc`. Codable as a JSON object from
/// operator name to width.
public struct BitWidths: Hashable, Sendable, CustomStringConvertible {
    /// The widths an operator may take.
    public static let allowed: ClosedRange<Int> = 2...16
    /// The network whose operators these are.
    public let network: NetworkDescription
    /// Bits of every operator in `network.operators` order.
    private var storage: [UInt8]

    /// Every operator, genome and `input` and `fc` alike, at `bits` (8: the reference model).
    public init(uniform bits: Int = 8, network: NetworkDescription = .singleGRU) {
        precondition(BitWidths.allowed.contains(bits), "BitWidths: \(bits) bits is outside 2...16")
        self.network = network
        storage = [UInt8](repeating: UInt8(bits), count: network.operators.count)
    }

    /// A genome of widths in `network.genome` order, with `input` and `fc` given separately.
    public init(genome: [Int], input: Int = 8, fc: Int = 8, network: NetworkDescription = .singleGRU) {
        precondition(genome.count == network.genome.count, "BitWidths: a genome has \(network.genome.count) widths, got \(genome.count)")
        for b in genome + [input, fc] {
            precondition(BitWidths.allowed.contains(b), "BitWidths: \(b) bits is outside 2...16")
        }
        self.network = network
        storage = (genome + [input, fc]).map { UInt8($0) }
    }

    /// The width of one operator of the network.
    public subscript(id id: OperatorID) -> Int {
        get { Int(storage[network.position(of: id)]) }
        set {
            precondition(BitWidths.allowed.contains(newValue), "BitWidths: \(newValue) bits is outside 2...16")
            storage[network.position(of: id)] = UInt8(newValue)
        }
    }

    /// The width of a GRU operator of the first layer (or of `input` or `fc`).
    public subscript(op: GRUOperator) -> Int {
        get { self[id: OperatorID(op)] }
        set { self[id: OperatorID(op)] = newValue }
    }

    /// The genome widths in order.
    public var genome: [Int] { storage.prefix(network.genome.count).map(Int.init) }

    /// The same widths with the genome replaced (input and fc kept).
    public func with(genome: [Int]) -> BitWidths {
        BitWidths(genome: genome, input: self[id: .input], fc: self[id: .fc], network: network)
    }

    /// These widths on another network. Of the same cell, each layer's operators take the
    /// widths of the same operators of this network's layer at the same depth, or of its top
    /// layer when it has fewer. Of another cell, whose operators are others, every cell
    /// operator takes this genome's most common width. `input` and `fc` are kept.
    public func carried(to other: NetworkDescription) -> BitWidths {
        guard other != network else { return self }
        guard other.cell == network.cell else {
            let widths = genome
            // The most common width; of equally common ones, the widest.
            let common = Set(widths).max { a, b in (widths.count { $0 == a }, a) < (widths.count { $0 == b }, b) } ?? 8
            return BitWidths(genome: [Int](repeating: common, count: other.genome.count), input: self[id: .input], fc: self[id: .fc], network: other)
        }
        var result = BitWidths(uniform: 8, network: other)
        for id in other.genome {
            result[id: id] = self[id: .cell(id.cellIndex!, layer: min(id.layer, network.layers - 1))]
        }
        result[id: .input] = self[id: .input]
        result[id: .fc] = self[id: .fc]
        return result
    }

    /// The width every operator shares, or nil for a mixed configuration.
    public var uniformWidth: Int? {
        let first = storage[0]
        return storage.allSatisfy { $0 == first } ? Int(first) : nil
    }

    /// `all=8`, or the widths that differ from the most common one: `all=8 gate.z=4 h.add=6`.
    /// In a stack, a layer mostly at another width is written as that layer's glob and its
    /// exceptions (`all=8 l1.*=4 l1.gate.z=5`). Read by `apply`, it gives these widths back.
    public var description: String {
        func mostCommon(_ ids: [OperatorID]) -> UInt8 {
            var counts: [UInt8: Int] = [:]
            for id in ids { counts[storage[network.position(of: id)], default: 0] += 1 }
            return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
        }
        let common = mostCommon(network.operators)
        var words = ["all=\(common)"]
        func differing(_ ids: [OperatorID], from width: UInt8) -> [String] {
            ids.filter { storage[network.position(of: $0)] != width }.map { "\(network.name(of: $0))=\(storage[network.position(of: $0)])" }
        }
        for layer in 0..<network.layers {
            let ids = network.genome.filter { $0.layer == layer }
            let own = network.layers == 1 ? common : mostCommon(ids)
            // The layer's glob pays for itself when it saves listing more than one operator.
            if own != common, differing(ids, from: common).count > differing(ids, from: own).count + 1 {
                words += ["l\(layer).*=\(own)"] + differing(ids, from: own)
            } else {
                words += differing(ids, from: common)
            }
        }
        return (words + differing([.input, .fc], from: common)).joined(separator: " ")
    }

    /// Sets every operator `pattern` matches to `bits`.
    public mutating func set(_ pattern: String, to bits: Int) throws(BitWidthError) {
        let ops = try BitWidths.resolve(pattern, in: network)
        guard BitWidths.allowed.contains(bits) else {
            throw .widthOutOfRange(pattern: pattern, bits: bits)
        }
        for op in ops { self[id: op] = bits }
    }

    /// Applies `NAME=B` assignments left to right (`all=8 gate.*=4 *.wh=3`).
    public mutating func apply(_ assignments: [String]) throws(BitWidthError) {
        for text in assignments {
            let (pattern, bits) = try BitWidths.parseAssignment(text, in: network)
            try set(pattern, to: bits)
        }
    }

    /// Splits `NAME=B` into the pattern and the width (checked against 2...16).
    public static func parseAssignment(_ text: String, in network: NetworkDescription = .singleGRU) throws(BitWidthError) -> (pattern: String, bits: Int) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw .malformed(text)
        }
        let pattern = String(text[..<equals])
        let value = String(text[text.index(after: equals)...])
        guard let bits = Int(value) else { throw .notAWidth(pattern: pattern, text: value) }
        _ = try resolve(pattern, in: network)
        guard allowed.contains(bits) else { throw .widthOutOfRange(pattern: pattern, bits: bits) }
        return (pattern, bits)
    }

    // MARK: - Patterns

    /// Names that stand for groups of operators, with the kinds of cell operator each holds
    /// (nil: every operator, `input` and `fc` too).
    static let groups: [(name: String, kinds: Set<OperatorKind>?)] = [
        ("all", nil), ("cell", [.linear, .addition, .multiplication, .activation]),
        ("linear", [.linear]), ("add", [.addition]), ("mul", [.multiplication]), ("act", [.activation]),
    ]

    /// Every word a pattern can be besides a glob, for completion and suggestions.
    public static func patternWords(in network: NetworkDescription = .singleGRU) -> [String] {
        let layers = network.layers == 1 ? [] : (0..<network.layers).map { "l\($0).*" }
        let cellNames = network.layers == 1 ? [] : network.cell.description.operators.map(\.name)
        // Each part of the cell's operator names before the dot, as a glob (`r.*`, `c.*`).
        var prefixes: [String] = []
        for name in network.cell.description.operators.map(\.name) {
            let glob = String(name.prefix { $0 != "." }) + ".*"
            if glob != "gate.*", !prefixes.contains(glob) { prefixes.append(glob) }
        }
        return network.names + cellNames + groups.map(\.name) + layers + ["gate.*", "*.wx", "*.wh", "*.add"] + prefixes
    }

    /// The networks a pattern is checked against before the model is known (a script's check
    /// pass): every cell's, with the most layers for one that names a layer (`l3.gate.z`,
    /// `l*.…`), one layer otherwise, whose names stand for every layer's in a stack.
    public static func checkingNetworks(for pattern: String) -> [NetworkDescription] {
        let layered = NetworkDescription.splitLayer(pattern) != nil || pattern.hasPrefix("l*") || pattern.hasPrefix("l?")
        return CellKind.allCases.map { NetworkDescription(cell: $0, layers: layered ? NetworkDescription.allowedLayers.upperBound : 1) }
    }

    /// `parseAssignment` before the model is known: the assignment holds when some cell's
    /// network (`checkingNetworks`) has what it names; otherwise the GRU's error is thrown.
    public static func parseAssignmentForAnyCell(_ text: String) throws(BitWidthError) -> (pattern: String, bits: Int) {
        try forAnyCell(String(text.prefix { $0 != "=" })) { network throws(BitWidthError) in try parseAssignment(text, in: network) }
    }

    /// `resolve` before the model is known, as `parseAssignmentForAnyCell` checks.
    public static func resolveForAnyCell(_ pattern: String) throws(BitWidthError) {
        _ = try forAnyCell(pattern) { network throws(BitWidthError) in try resolve(pattern, in: network) }
    }

    /// `body`'s result on the first of `pattern`'s checking networks it holds for; the GRU's
    /// error when it holds for none.
    private static func forAnyCell<T>(_ pattern: String, _ body: (NetworkDescription) throws(BitWidthError) -> T) throws(BitWidthError) -> T {
        let networks = checkingNetworks(for: pattern)
        for network in networks.dropFirst() {
            if let result = try? body(network) { return result }
        }
        // The first (the GRU's) last, so that its error is the one thrown.
        return try body(networks[0])
    }

    /// The operators a name or pattern stands for, in storage order.
    ///
    /// A pattern is an operator name (`gate.z`; in a stack `l1.gate.z`), a group (`all` =
    /// every operator, `cell` = the genome, `linear`, `add`, `mul`, `act`), or a glob where
    /// `*` matches any run of characters and `?` one character (`gate.*`, `*.wh`, `h.mul_?`,
    /// `l*.gate.z`). In a stack, a cell operator's name or a glob without a layer (`gate.z`,
    /// `gate.*`) stands for that operator in every layer.
    public static func resolve(_ pattern: String, in network: NetworkDescription = .singleGRU) throws(BitWidthError) -> [OperatorID] {
        if let op = network.operatorNamed(pattern) { return [op] }
        if let group = groups.first(where: { $0.name == pattern }) {
            guard let kinds = group.kinds else { return network.operators }
            return network.genome.filter { kinds.contains(network.kind(of: $0)) }
        }
        guard pattern.contains("*") || pattern.contains("?") || network.layers > 1 else {
            throw .unknownOperator(pattern, layers: network.layers, cell: network.cell)
        }
        // A pattern with a layer reads each cell operator as `lK.name`, in a single layer too;
        // without one, as the cell names it, in every layer.
        let layered = NetworkDescription.splitLayer(pattern) != nil || pattern.hasPrefix("l*") || pattern.hasPrefix("l?")
        let matches = network.operators.filter { op in
            glob(pattern, matches: layered ? network.layeredName(of: op) : network.unlayeredName(of: op))
        }
        guard !matches.isEmpty else {
            throw pattern.contains("*") || pattern.contains("?") ? .matchesNothing(pattern, layers: network.layers, cell: network.cell)
                : .unknownOperator(pattern, layers: network.layers, cell: network.cell)
        }
        return matches
    }

    /// Shell-style glob with `*` and `?` (no character classes).
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern), s = Array(name)
        var pi = 0, si = 0
        var star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || p[pi] == s[si] {
                pi += 1; si += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = si; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

extension BitWidths: Codable {
    /// Reads the object `write` writes; the layer prefixes (`l1.…`) say how many layers the
    /// network has, the names which cell, and every operator of it needs a width.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let table = try container.decode([String: Int].self)
        let deepest = table.keys.compactMap { NetworkDescription.splitLayer($0)?.0 }.max() ?? 0
        guard NetworkDescription.allowedLayers.contains(deepest + 1) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "layer \(deepest) is past the \(NetworkDescription.allowedLayers.upperBound) layers a network may have")
        }
        // The cell whose operators the names are (a GRU's unless another cell names them all).
        let candidates = CellKind.allCases.map { NetworkDescription(cell: $0, layers: deepest + 1) }
        let network = candidates.first { network in
            table.keys.allSatisfy { name in network.operatorNamed(name).map { network.name(of: $0) == name } ?? false }
        } ?? candidates[0]
        var widths = BitWidths(network: network)
        for (name, bits) in table {
            // Only the name gq writes: `l0.gate.z` beside `gate.z` would be one operator twice.
            guard let op = network.operatorNamed(name), network.name(of: op) == name else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown operator '\(name)'")
            }
            guard BitWidths.allowed.contains(bits) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(bits) bits for '\(name)' is outside 2...16")
            }
            widths[id: op] = bits
        }
        for name in network.names where table[name] == nil {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "no width for '\(name)'")
        }
        self = widths
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        var table: [String: Int] = [:]
        for op in network.operators { table[network.name(of: op)] = self[id: op] }
        try container.encode(table)
    }
}

/// Why a bit-width assignment was refused. `description` says what is allowed.
public enum BitWidthError: Error, Equatable, CustomStringConvertible {
    /// Not an operator name, group or glob of a network of `layers` layers of `cell`.
    case unknownOperator(String, layers: Int = 1, cell: CellKind = .gru)
    /// A glob that matches no operator of a network of `layers` layers of `cell`.
    case matchesNothing(String, layers: Int = 1, cell: CellKind = .gru)
    /// A width outside 2...16.
    case widthOutOfRange(pattern: String, bits: Int)
    /// `NAME=` followed by something that is not a whole number.
    case notAWidth(pattern: String, text: String)
    /// Not of the form `NAME=B`.
    case malformed(String)

    public var description: String { description(didYouMean: "") }

    /// The message with `hint` (a did-you-mean for `offendingName`, which the caller works
    /// out against the words it offers) right after the misspelt name.
    public func description(didYouMean hint: String) -> String {
        switch self {
        case .unknownOperator(let name, let layers, let cell):
            return "unknown operator '\(name)'\(hint); operators: \(Self.operators(layers, cell)); patterns: all, cell, linear, add, mul, act, or globs such as gate.* and *.wh"
        case .matchesNothing(let pattern, let layers, let cell):
            return "pattern '\(pattern)' matches no operator; operators: \(Self.operators(layers, cell))"
        case .widthOutOfRange(let pattern, let bits):
            return "\(bits) bits for '\(pattern)' is out of range: widths run from \(BitWidths.allowed.lowerBound) to \(BitWidths.allowed.upperBound)"
        case .notAWidth(let pattern, let text):
            return "the width for '\(pattern)' must be a whole number from \(BitWidths.allowed.lowerBound) to \(BitWidths.allowed.upperBound), got '\(text)'"
        case .malformed(let text):
            return "expected NAME=BITS such as gate.z=4 or all=8, got '\(text)'"
        }
    }

    /// The operators of a network of `layers` layers of `kind`, as a message lists them: a
    /// stack's cell operators once, with the layer prefixes they take.
    static func operators(_ layers: Int, _ kind: CellKind) -> String {
        let cell = kind.description.operators.map(\.name).joined(separator: " ")
        guard layers > 1 else { return cell + " input fc" }
        return "\(cell) in each layer, named l0.… to l\(layers - 1).… (l1.gate.z), or without a layer for every layer; input fc"
    }

    /// The misspelt word a did-you-mean can correct: the name of an unknown operator. Nil
    /// otherwise (a glob that matches nothing is spelt as meant).
    public var offendingName: String? {
        if case .unknownOperator(let name, _, _) = self { return name }
        return nil
    }
}
