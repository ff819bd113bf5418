/// One bit width per operator: a configuration of the quantized GRU.
///
/// Widths run from 2 to 16. The genome is the first 17 (`GRUOperator.genome` order);
/// `input` and `fc` come after. Codable as a JSON object from operator name to width.
public struct BitWidths: Hashable, Sendable, CustomStringConvertible {
    /// The widths an operator may take.
    public static let allowed: ClosedRange<Int> = 2...16
    /// Bits of every operator in `GRUOperator.allCases` order.
    private var storage: [UInt8]

    /// Every operator, genome and `input` and `fc` alike, at `bits` (8: the reference model).
    public init(uniform bits: Int = 8) {
        precondition(BitWidths.allowed.contains(bits), "BitWidths: \(bits) bits is outside 2...16")
        storage = [UInt8](repeating: UInt8(bits), count: GRUOperator.allCases.count)
    }

    /// A genome of 17 widths in `GRUOperator.genome` order, with `input` and `fc` given separately.
    public init(genome: [Int], input: Int = 8, fc: Int = 8) {
        precondition(genome.count == GRUOperator.genome.count, "BitWidths: a genome has 17 widths, got \(genome.count)")
        for b in genome + [input, fc] {
            precondition(BitWidths.allowed.contains(b), "BitWidths: \(b) bits is outside 2...16")
        }
        storage = (genome + [input, fc]).map { UInt8($0) }
    }

    /// The width of one operator.
    public subscript(op: GRUOperator) -> Int {
        get { Int(storage[op.rawValue]) }
        set {
            precondition(BitWidths.allowed.contains(newValue), "BitWidths: \(newValue) bits is outside 2...16")
            storage[op.rawValue] = UInt8(newValue)
        }
    }

    /// The 17 genome widths in order.
    public var genome: [Int] { GRUOperator.genome.map { self[$0] } }

    /// The same widths with the genome replaced (input and fc kept).
    public func with(genome: [Int]) -> BitWidths {
        BitWidths(genome: genome, input: self[.input], fc: self[.fc])
    }

    /// The width every operator shares, or nil for a mixed configuration.
    public var uniformWidth: Int? {
        let first = storage[0]
        return storage.allSatisfy { $0 == first } ? Int(first) : nil
    }

    /// `all=8`, or the widths that differ from the most common one: `all=8 gate.z=4 h.add=6`.
    public var description: String {
        var counts: [UInt8: Int] = [:]
        for b in storage { counts[b, default: 0] += 1 }
        let common = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
        let rest = GRUOperator.allCases.filter { storage[$0.rawValue] != common }.map { "\($0.name)=\(storage[$0.rawValue])" }
        return (["all=\(common)"] + rest).joined(separator: " ")
    }

    /// Sets every operator `pattern` matches to `bits`.
    public mutating func set(_ pattern: String, to bits: Int) throws(BitWidthError) {
        let ops = try BitWidths.resolve(pattern)
        guard BitWidths.allowed.contains(bits) else {
            throw .widthOutOfRange(pattern: pattern, bits: bits)
        }
        for op in ops { self[op] = bits }
    }

    /// Applies `NAME=B` assignments left to right (`all=8 gate.*=4 *.wh=3`).
    public mutating func apply(_ assignments: [String]) throws(BitWidthError) {
        for text in assignments {
            let (pattern, bits) = try BitWidths.parseAssignment(text)
            try set(pattern, to: bits)
        }
    }

    /// Splits `NAME=B` into the pattern and the width (checked against 2...16).
    public static func parseAssignment(_ text: String) throws(BitWidthError) -> (pattern: String, bits: Int) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw .malformed(text)
        }
        let pattern = String(text[..<equals])
        let value = String(text[text.index(after: equals)...])
        guard let bits = Int(value) else { throw .notAWidth(pattern: pattern, text: value) }
        _ = try resolve(pattern)
        guard allowed.contains(bits) else { throw .widthOutOfRange(pattern: pattern, bits: bits) }
        return (pattern, bits)
    }

    // MARK: - Patterns

    /// Names that stand for groups of operators.
    public static let groupNames: [String: [GRUOperator]] = [
        "all": GRUOperator.allCases,
        "cell": GRUOperator.genome,
        "linear": GRUOperator.allCases.filter { $0.kind == .linear },
        "add": GRUOperator.allCases.filter { $0.kind == .addition },
        "mul": GRUOperator.allCases.filter { $0.kind == .multiplication },
        "act": GRUOperator.allCases.filter { $0.kind == .activation },
    ]

    /// Every word a pattern can be besides a glob, for completion and suggestions.
    public static var patternWords: [String] {
        GRUOperator.names + ["all", "cell", "linear", "add", "mul", "act", "gate.*", "*.wx", "*.wh", "*.add", "h.*", "r.*", "z.*", "n.*"]
    }

    /// The operators a name or pattern stands for, in `GRUOperator` order.
    ///
    /// A pattern is an operator name (`gate.z`), a group (`all` = every operator, `cell` =
    /// the 17 of the genome, `linear`, `add`, `mul`, `act`), or a glob where `*` matches any
    /// run of characters and `?` one character (`gate.*`, `*.wh`, `h.mul_?`).
    public static func resolve(_ pattern: String) throws(BitWidthError) -> [GRUOperator] {
        if let op = GRUOperator(name: pattern) { return [op] }
        if let group = groupNames[pattern] { return group }
        guard pattern.contains("*") || pattern.contains("?") else {
            throw .unknownOperator(pattern)
        }
        let matches = GRUOperator.allCases.filter { glob(pattern, matches: $0.name) }
        guard !matches.isEmpty else { throw .matchesNothing(pattern) }
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
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let table = try container.decode([String: Int].self)
        var widths = BitWidths()
        for (name, bits) in table {
            guard let op = GRUOperator(name: name) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown operator '\(name)'")
            }
            guard BitWidths.allowed.contains(bits) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(bits) bits for '\(name)' is outside 2...16")
            }
            widths[op] = bits
        }
        for op in GRUOperator.allCases where table[op.name] == nil {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "no width for '\(op.name)'")
        }
        self = widths
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        var table: [String: Int] = [:]
        for op in GRUOperator.allCases { table[op.name] = self[op] }
        try container.encode(table)
    }
}

/// Why a bit-width assignment was refused. `description` says what is allowed.
public enum BitWidthError: Error, Equatable, CustomStringConvertible {
    /// Not an operator name, group or glob.
    case unknownOperator(String)
    /// A glob that matches no operator.
    case matchesNothing(String)
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
        case .unknownOperator(let name):
            return "unknown operator '\(name)'\(hint); operators: \(GRUOperator.names.joined(separator: " ")); patterns: all, cell, linear, add, mul, act, or globs such as gate.* and *.wh"
        case .matchesNothing(let pattern):
            return "pattern '\(pattern)' matches no operator; operators: \(GRUOperator.names.joined(separator: " "))"
        case .widthOutOfRange(let pattern, let bits):
            return "\(bits) bits for '\(pattern)' is out of range: widths run from \(BitWidths.allowed.lowerBound) to \(BitWidths.allowed.upperBound)"
        case .notAWidth(let pattern, let text):
            return "the width for '\(pattern)' must be a whole number from \(BitWidths.allowed.lowerBound) to \(BitWidths.allowed.upperBound), got '\(text)'"
        case .malformed(let text):
            return "expected NAME=BITS such as gate.z=4 or all=8, got '\(text)'"
        }
    }

    /// The misspelt word a did-you-mean can correct: the name of an unknown operator. Nil
    /// otherwise (a glob that matches nothing is spelt as meant).
    public var offendingName: String? {
        if case .unknownOperator(let name) = self { return name }
        return nil
    }
}
