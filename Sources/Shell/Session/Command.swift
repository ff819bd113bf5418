/// One command of the shell: its name, help text, options and what it does.
///
/// Help is part of the definition, not a separate table, so `help`, Tab
/// completion and option errors can never drift from what the command accepts.
public struct Command {
    /// What a word after the command completes to.
    public enum Completion: Equatable, Sendable {
        case none
        case paths
        case taskNames
        case commandNames
        case words([String])
        /// `NAME=` for every operator and pattern (`set bits`), at any position.
        case bitAssignments
        /// Operator names and patterns (`sweep`).
        case operatorPatterns
    }

    /// The words a user types: `train`, or a verb and subject such as `load task`.
    public var name: String
    /// Syntax line, e.g. `train [epochs N] [hidden H]`.
    public var usage: String
    /// One line for the `help` listing.
    public var summary: String
    /// What `help NAME` prints between usage and examples.
    public var details: String
    public var examples: [String]
    /// Keyword options; parsed by `Arguments.options(_:)` and offered by Tab.
    public var options: [OptionSpec]
    /// What the first positional argument completes to.
    public var completion: Completion
    public var run: (Interpreter, Arguments) throws -> Void

    public init(name: String, usage: String, summary: String, details: String = "", examples: [String] = [],
                options: [OptionSpec] = [], completion: Completion = .none,
                run: @escaping (Interpreter, Arguments) throws -> Void) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
        self.examples = examples
        self.options = options
        self.completion = completion
        self.run = run
    }

    /// The first word (`load` for `load task`).
    public var verb: String { String(name.split(separator: " ").first ?? Substring(name)) }
    /// The second word for verb-subject commands (`task` for `load task`), else nil.
    public var subject: String? {
        let words = name.split(separator: " ")
        return words.count > 1 ? String(words[1]) : nil
    }
}

/// A keyword option such as `epochs 30`, with the values it accepts.
public struct OptionSpec: Sendable {
    /// What values an option takes.
    public enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        case real(ClosedRange<Double>)
        /// Present or absent, no value: `train retrain`.
        case flag
        case word([String])
        /// A file path; a leading `~` is expanded and Tab completes paths.
        case path
    }

    public var name: String
    public var kind: Kind
    public var help: String

    public init(_ name: String, _ kind: Kind, _ help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }

    /// `epochs N`, as the usage line shows it.
    var placeholder: String {
        switch kind {
        case .flag: return name
        case .integer: return "\(name) N"
        case .real: return "\(name) X"
        case .word(let choices): return "\(name) \(choices.joined(separator: "|"))"
        case .path: return "\(name) FILE"
        }
    }

    /// What a valid value looks like, for error messages.
    var expectation: String {
        switch kind {
        case .flag: return "no value"
        case .integer(let range):
            return range.upperBound == Int.max ? "a whole number ≥ \(range.lowerBound)" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .real(let range):
            if range.upperBound == .infinity { return range.lowerBound > 0 ? "a positive number" : "a number ≥ \(Value.format(range.lowerBound))" }
            return "a number from \(Value.format(range.lowerBound)) to \(Value.format(range.upperBound))"
        case .word(let choices): return "one of \(choices.joined(separator: ", "))"
        case .path: return "a file path"
        }
    }
}
