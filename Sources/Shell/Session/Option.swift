import Foundation
import Workbench

/// A keyword option such as `epochs 30`: its name, the values it accepts and its help,
/// declared once so parsing, `help`, Tab completion and error messages agree.
public struct OptionSpec: Sendable {
    /// What values an option takes.
    public enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        case real(ClosedRange<Double>)
        /// Present or absent, no value: `train retrain`.
        case flag
        /// One of fixed spellings; Tab offers them.
        case word([String])
        /// Some of fixed spellings, comma-separated, none twice: `objectives error,size`;
        /// Tab offers the ones not yet in the list.
        case list([String])
        /// A number of bytes, whole or with k (1024) or M (1024²) after it: `flash 16k`.
        case bytes(ClosedRange<Int>)
        /// A file path; a leading `~` is expanded and Tab completes paths.
        case path
        /// Two numbers `A..B` with A < B: `y 90..100`.
        case span
        /// Any word, checked by the command: `name kws`.
        case text
    }

    public var name: String
    public var kind: Kind
    public var help: String
    /// The option this one refines, which must be given with it (`epochs` of `compare finetune`).
    public var requires: String?
    /// Options that cannot be given with this one (`bench scaling` and `bench integer`).
    public var excludes: [String] = []
    /// What usage calls the value (`H` in `hidden H`), when not the kind's usual letter.
    public var valueName: String?

    public init(_ name: String, _ kind: Kind, _ help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }

    /// The options as usage shows them, in declaration order: `[quick]`, alternatives as
    /// `[scaling | integer]`, an option that needs another inside it: `[finetune [epochs N]]`.
    static func synopsis(_ specs: [OptionSpec]) -> [String] {
        var shown: Set<String> = []
        func withDependents(_ spec: OptionSpec) -> String {
            shown.insert(spec.name)
            let inner = specs.filter { $0.requires == spec.name }.map { "[\(withDependents($0))]" }
            return ([spec.placeholder] + inner).joined(separator: " ")
        }
        var parts: [String] = []
        for spec in specs where spec.requires == nil && !shown.contains(spec.name) {
            let group = [spec] + specs.filter { spec.excludes.contains($0.name) && !shown.contains($0.name) && $0.name != spec.name }
            parts.append("[" + group.map(withDependents).joined(separator: " | ") + "]")
        }
        return parts
    }

    /// `epochs N`, as usage lines show it.
    public var placeholder: String {
        if let valueName { return "\(name) \(valueName)" }
        switch kind {
        case .flag: return name
        case .integer: return "\(name) N"
        case .real: return "\(name) X"
        case .word(let choices): return "\(name) \(choices.joined(separator: "|"))"
        case .list(let choices): return "\(name) \(choices.prefix(2).joined(separator: ",")),..."
        case .bytes: return "\(name) BYTES"
        case .path: return "\(name) FILE"
        case .span: return "\(name) A..B"
        case .text: return "\(name) \(name.uppercased())"
        }
    }

    /// What a valid value looks like, for error messages.
    public var expectation: String {
        switch kind {
        case .flag: return "no value"
        case .integer(let range):
            return range.upperBound == Int.max ? "a whole number ≥ \(range.lowerBound)" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .real(let range):
            if range.upperBound == .infinity { return range.lowerBound > 0 ? "a positive number" : "a number ≥ \(Value.format(range.lowerBound))" }
            return "a number from \(Value.format(range.lowerBound)) to \(Value.format(range.upperBound))"
        case .word(let choices): return "one of \(choices.joined(separator: ", "))"
        case .list(let choices): return "a comma-separated list of \(choices.joined(separator: ", ")), each once"
        case .bytes(let range):
            let most = range.upperBound == Int.max ? "" : " up to \(range.upperBound)"
            return "a number of bytes\(most), as 2048, 16k or 1M (k = 1024, M = 1024 × 1024)"
        case .path: return "a file path"
        case .span: return "two numbers A..B with A < B"
        case .text: return "a word"
        }
    }

    /// Whether `text` is a value this option takes.
    func accepts(_ text: String) -> Bool {
        switch kind {
        case .flag: return true
        case .integer(let range): return Int(text).map(range.contains) ?? false
        case .real(let range): return Double(text).map { $0.isFinite && range.contains($0) } ?? false
        case .word(let choices): return choices.contains(text)
        case .list(let choices):
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return names.allSatisfy(choices.contains) && Set(names).count == names.count
        case .bytes(let range): return OptionSpec.bytes(text).map(range.contains) ?? false
        case .path: return true
        case .span: return OptionSpec.span(text) != nil
        case .text: return true
        }
    }

    /// `2048`, `16k`, `16K` or `1M` as bytes (k = 1024, M = 1024²); nil for anything else
    /// or a count past `Int.max`.
    static func bytes(_ text: String) -> Int? {
        var digits = Substring(text)
        var factor = 1
        switch digits.last {
        case "k", "K": factor = 1 << 10
        case "M": factor = 1 << 20
        default: break
        }
        if factor > 1 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : bytes
    }

    /// `A..B` read as numbers, when A < B and both are finite.
    static func span(_ text: String) -> ClosedRange<Double>? {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]),
              low.isFinite, high.isFinite, low < high else { return nil }
        return low...high
    }
}

/// A declared option whose value comes back typed: `parsed[TrainCommand.epochs]` is an `Int?`.
public struct Option<Value>: Sendable {
    public private(set) var spec: OptionSpec
    private let convert: @Sendable (String) -> Value?

    /// This option, given only together with `parent`.
    public func requiring<Other>(_ parent: Option<Other>) -> Option {
        var copy = self
        copy.spec.requires = parent.spec.name
        return copy
    }

    /// This option, its value shown in usage as `name` (`hidden H`).
    public func valueNamed(_ name: String) -> Option {
        var copy = self
        copy.spec.valueName = name
        return copy
    }


    init(spec: OptionSpec, convert: @escaping @Sendable (String) -> Value?) {
        self.spec = spec
        self.convert = convert
    }

    /// The typed value of text that `spec.accepts`.
    func value(_ text: String) -> Value? { convert(text) }
}

extension Option where Value == Int {
    public init(_ name: String, _ range: ClosedRange<Int>, _ help: String) {
        self.init(spec: OptionSpec(name, .integer(range), help)) { Int($0) }
    }
}

extension Option where Value == Int {
    /// A number of bytes: `2048`, `16k`, `1M`.
    public static func bytes(_ name: String, _ range: ClosedRange<Int>, _ help: String) -> Option<Int> {
        Option(spec: OptionSpec(name, .bytes(range), help)) { OptionSpec.bytes($0) }
    }
}

extension Option where Value == UInt64 {
    /// A seed: any whole number ≥ 0.
    public static func seed(_ help: String) -> Option<UInt64> {
        Option(spec: OptionSpec("seed", .integer(0...Int.max), help)) { UInt64($0) }.valueNamed("S")
    }
}

extension Option where Value == Double {
    public init(_ name: String, _ range: ClosedRange<Double>, _ help: String) {
        self.init(spec: OptionSpec(name, .real(range), help)) { Double($0) }
    }
}

extension Option where Value == Float {
    public init(_ name: String, _ range: ClosedRange<Double>, _ help: String) {
        self.init(spec: OptionSpec(name, .real(range), help)) { Double($0).map(Float.init) }
    }
}

/// Marks a flag: present or absent.
public struct Flag: Sendable {}

extension Option where Value == ClosedRange<Double> {
    /// A span of numbers written `A..B`.
    public static func span(_ name: String, _ help: String) -> Option<ClosedRange<Double>> {
        Option(spec: OptionSpec(name, .span, help)) { OptionSpec.span($0) }
    }
}

extension Option where Value == Flag {
    public static func flag(_ name: String, _ help: String) -> Option<Flag> {
        Option(spec: OptionSpec(name, .flag, help)) { _ in Flag() }
    }
}

/// A file path with `~` expanded.
public struct FilePath: Sendable, Equatable {
    public var path: String
}

extension Option where Value == FilePath {
    public static func path(_ name: String, _ help: String) -> Option<FilePath> {
        Option(spec: OptionSpec(name, .path, help)) { FilePath(path: Arguments.expandingTilde($0)) }
    }
}

extension Option where Value: CaseIterable & RawRepresentable & Sendable, Value.RawValue == String {
    /// An option whose spellings are the raw values of an enum.
    public init(_ name: String, _ help: String) {
        self.init(spec: OptionSpec(name, .word(Value.allCases.map(\.rawValue)), help)) { Value(rawValue: $0) }
    }
}

/// Any option, for a command's list of them.
public protocol OptionDeclaration: Sendable {
    var spec: OptionSpec { get }
}

extension Option: OptionDeclaration {}
