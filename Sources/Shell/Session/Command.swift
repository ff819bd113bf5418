/// One command of the shell: its name, help text, options, how its arguments are read
/// and what it does.
///
/// Help is part of the definition, not a separate table, so `help`, Tab completion,
/// the check before a script runs and option errors can never drift from what the
/// command accepts.
public struct Command {
    /// What a word after the command completes to.
    public enum Completion: Equatable, Sendable {
        case none
        case paths
        case commandNames
        case words([String])
        /// These words and file paths (`load task`: task names or a file).
        case wordsAndPaths([String])
        /// `NAME=` for every operator name and pattern of the network in use, at any position
        /// (`set bits`: `l1.gate.z=` once a stack is loaded).
        case operatorAssignments
        /// An operator name or pattern of the network in use, then `in` (`sweep PATTERN in A..B`).
        case operatorThenIn
    }

    /// The words a user types: `train`, or a verb and subject such as `load task`.
    public var name: String
    /// The positional words after the name, as usage shows them: `DIR`, `PATTERN in A..B`.
    public var operands: String
    /// Other forms of the command, operands only (`resume [FILE]` for `evolve`).
    public var alternatives: [String]
    /// One line for the `help` listing.
    public var summary: String
    /// What `help NAME` prints between usage and examples.
    public var details: String
    public var examples: [String]
    /// Keyword options; parsed by `Arguments.options(_:from:)` and offered by Tab.
    public var options: [OptionSpec]
    /// What the first positional argument completes to.
    public var completion: Completion
    /// The variables the command sets (`accuracy` for `eval`), so the check before a script
    /// runs knows which names a command defines and errors can say which command sets one.
    public var publishes: [String]
    /// Reads the arguments without running anything: the check before a script runs.
    public var check: (Arguments) throws -> Void
    public var run: (Interpreter, Arguments) throws -> Void

    /// A command whose arguments are read into a `Request` first, by the same code the
    /// check before a script runs uses, so a malformed line fails before anything runs.
    public init<Request>(name: String, operands: String = "", alternatives: [String] = [], summary: String, details: String = "",
                         examples: [String] = [], options: [any OptionDeclaration] = [],
                         exclusive: [[any OptionDeclaration]] = [], completion: Completion = .none,
                         publishes: [String] = [],
                         parse: @escaping (Arguments) throws -> Request,
                         run: @escaping (Interpreter, Request) throws -> Void) {
        self.name = name
        self.operands = operands
        self.alternatives = alternatives
        self.summary = summary
        self.details = details
        self.examples = examples
        // Each group's members exclude one another, declared once here for both sides.
        self.options = options.map(\.spec).map { spec in
            var spec = spec
            for group in exclusive.map({ $0.map(\.spec.name) }) where group.contains(spec.name) {
                spec.excludes += group.filter { $0 != spec.name }
            }
            return spec
        }
        self.completion = completion
        self.publishes = publishes
        self.check = { _ = try parse($0) }
        self.run = { interpreter, arguments in try run(interpreter, try parse(arguments)) }
    }

    /// A command that takes no arguments.
    public init(name: String, summary: String, details: String = "", examples: [String] = [], publishes: [String] = [],
                run: @escaping (Interpreter) throws -> Void) {
        self.init(name: name, summary: summary, details: details, examples: examples, publishes: publishes,
                  parse: { try $0.expectCount(0...0) }, run: { interpreter, _ in try run(interpreter) })
    }

    /// The syntax line, generated from the name, the operands and the option declarations
    /// as swift-argument-parser does, so help and parsing cannot drift apart:
    /// `compare [finetune [epochs N]] [rule validation|train|fidelity|margin] ...`.
    public var usage: String {
        let main = ([name, operands] + OptionSpec.synopsis(options)).filter { !$0.isEmpty }.joined(separator: " ")
        return ([main] + alternatives.map { "\(name) \($0)" }).joined(separator: "  |  ")
    }

    /// The arguments after the name, read against this command's declarations.
    func arguments(_ words: [String]) -> Arguments {
        Arguments(words, command: name, usage: { self.usage }, declared: options)
    }

    /// The first word (`load` for `load task`).
    public var verb: String { String(name.split(separator: " ").first ?? Substring(name)) }
    /// The second word for verb-subject commands (`task` for `load task`), else nil.
    public var subject: String? {
        let words = name.split(separator: " ")
        return words.count > 1 ? String(words[1]) : nil
    }
}
