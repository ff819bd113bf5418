import Foundation
import TextMatching
import Workbench

/// Runs gq's language against a session: parses source, interpolates words,
/// dispatches commands and turns every failure into a located `ShellError`.
public final class Interpreter {
    public let session: Session
    /// Every command, in the order `help` lists them.
    public private(set) var commands: [Command]
    /// The file of the command running now, so `source` can find files beside it.
    public private(set) var runningFile: String?

    /// Runs after every statement that completes (the MPI build waits there for the other ranks).
    public var afterStatement: (() -> Void)?

    public init(session: Session, commands: [Command] = StandardCommands.all) {
        self.session = session
        self.commands = commands
    }

    /// Parses, checks and runs a whole source text; stops at the first error.
    public func run(_ source: SourceText) throws {
        try run(checked: Parser.parse(source, nestedIn: nesting))
    }

    /// Blocks executing now plus the `source` commands that led here: a sourced file's
    /// blocks count on top of them, so nesting across files stays within `Parser.maxDepth`
    /// and the stack.
    private var nesting: Int { blockDepth + session.sourceDepth }
    private var blockDepth = 0

    /// Runs a block's statements one level deeper.
    private func executeBlock(_ statements: [Statement]) throws {
        blockDepth += 1
        defer { blockDepth -= 1 }
        try execute(statements)
    }

    /// Checks and runs statements already parsed (a caller that looked at them first).
    public func run(checked statements: [Statement]) throws {
        try check(statements)
        try execute(statements)
    }

    /// The check before anything runs (`Resolver`): every command, option, function and
    /// variable of every branch and loop body. Throws every error found
    /// (`ShellError.several` for more than one).
    public func check(_ statements: [Statement]) throws {
        var resolver = Resolver(interpreter: self)
        resolver.check(statements)
        let errors = resolver.errors
        if errors.count == 1 { throw errors[0] }
        if errors.count > 1 { throw ShellError.several(errors) }
    }

    /// A command's error at the argument it names, or at the command.
    func locate(_ error: CommandError, shift: Int, name: Word, arguments: [Word],
                as kind: (String, SourceLocation) -> ShellError = ShellError.runtime) -> ShellError {
        if let index = error.argument, index >= 0, index + shift < arguments.count {
            return kind(error.message, arguments[index + shift].location)
        }
        return kind(error.message, name.location)
    }

    /// The words of the language that are not commands, for help and completion.
    public static let keywords = ["let", "for", "if", "else", "assert"]

    func execute(_ statements: [Statement]) throws {
        for statement in statements {
            try execute(statement)
            afterStatement?()
            if session.interrupt.isPending() {
                throw ShellError.interrupted(statement.location)
            }
        }
    }

    private var evaluator: Evaluator {
        Evaluator(lookup: { [unowned self] name, location in try self.variable(name, at: location) })
    }

    private func execute(_ statement: Statement) throws {
        switch statement.kind {
        case .command(let name, let arguments):
            try runCommand(name: name, arguments: arguments)
        case .assignment(let name, let expression):
            session.variables[name] = try evaluator.evaluate(expression)
        case .loop(let variable, let items, let body):
            // Ranges are walked, never built: `1..1000000000` costs no memory, and Ctrl-C
            // stops it between iterations even when the body is empty.
            for item in try loopItems(items) {
                switch item {
                case .value(let value):
                    session.variables[variable] = value
                    try executeBlock(body)
                    try stopIfInterrupted(statement)
                case .span(let low, let high):
                    var current = low
                    let step = low <= high ? 1 : -1
                    while true {
                        session.variables[variable] = .number(Double(current))
                        try executeBlock(body)
                        try stopIfInterrupted(statement)
                        if current == high { break }
                        current += step  // never past `high`, so never past Int's range
                    }
                }
            }
        case .conditional(let condition, let then, let otherwise):
            try executeBlock(try evaluator.evaluate(condition).isTrue ? then : otherwise)
        case .assertion(let condition, let text):
            guard try evaluator.evaluate(condition).isTrue else {
                throw ShellError.runtime("assertion failed: \(text)\(assertionContext(condition))", statement.location)
            }
        }
    }

    /// The values of the variables an assertion mentions, so a failure shows why.
    private func assertionContext(_ expression: Expression) -> String {
        var names: [String] = []
        expression.forEachNode { node in
            if case .variable(let name, _) = node, !names.contains(name) { names.append(name) }
        }
        let shown = names.compactMap { name in (try? variable(name, at: SourceLocation(file: "", line: 0, column: 0))).map { "\(name) = \($0)" } }
        return shown.isEmpty ? "" : " (\(shown.joined(separator: ", ")))"
    }

    /// Expands loop items: `2..8` is 2 through 8 inclusive, anything else is one value.
    /// One item of a `for` list: a value, or an integer range walked one by one.
    enum LoopItem {
        case value(Value)
        case span(low: Int, high: Int)
    }

    private func loopItems(_ items: [Word]) throws -> [LoopItem] {
        try items.map { item in
            let text = try evaluator.interpolate(item)
            if let span = Interpreter.integerSpan(text) { return .span(low: span.low, high: span.high) }
            return .value(Value(parsing: text))
        }
    }

    private func stopIfInterrupted(_ statement: Statement) throws {
        if session.interrupt.isPending() { throw ShellError.interrupted(statement.location) }
    }

    /// `A..B` with integer ends (A > B counts down); nil for anything else.
    static func integerSpan(_ text: String) -> (low: Int, high: Int)? {
        let pieces = text.components(separatedBy: "..")
        guard pieces.count == 2, let low = Int(pieces[0]), let high = Int(pieces[1]) else { return nil }
        return (low, high)
    }

    /// `A..B` as its integers, for the few commands that take a short list (widths);
    /// nil when it is not a range or spans more than `limit` values.
    static func integerRange(_ text: String, limit: Int = 4096) -> [Int]? {
        guard let (low, high) = integerSpan(text) else { return nil }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span.magnitude < UInt(limit) else { return nil }
        return low <= high ? Array(low...high) : Array((high...low).reversed())
    }

    // MARK: - Variables

    /// The command that sets each variable commands set (the first to declare it), so a
    /// missing one can say which command to run.
    lazy var publishedBy: [String: String] = {
        var table: [String: String] = [:]
        for command in commands {
            for name in command.publishes where table[name] == nil { table[name] = command.name }
        }
        return table
    }()

    func variable(_ name: String, at location: SourceLocation) throws -> Value {
        if let index = Int(name) {
            guard index < session.scriptArguments.count else {
                let given = max(0, session.scriptArguments.count - 1)
                throw ShellError.runtime("script argument $\(index) was not given (\(given) argument\(given == 1 ? "" : "s") given)", location)
            }
            return Value(parsing: session.scriptArguments[index])
        }
        if name == "#" { return .number(Double(max(0, session.scriptArguments.count - 1))) }
        if let value = session.variables[name] { return value }
        throw ShellError.runtime(unsetVariableMessage(name, among: Array(session.variables.keys)), location)
    }

    /// Why `name` has no value: the command that sets it, or the nearest name that has one.
    func unsetVariableMessage(_ name: String, among known: [String]) -> String {
        if let command = publishedBy[name] {
            return "'\(name)' is not set yet: run '\(command)' first"
        }
        let hint = Suggestion.didYouMean(name, among: known + Array(publishedBy.keys))
        return "undefined variable '\(name)'\(hint)"
    }

    // MARK: - Commands

    /// The command a statement names, consuming the subject word for verb-subject commands.
    func resolve(_ name: String, _ arguments: [String]) throws -> (Command, subjectConsumed: Bool) {
        let family = commands.filter { $0.verb == name }
        if family.isEmpty {
            let hint = Suggestion.didYouMean(name, among: commands.map(\.verb) + Interpreter.keywords)
            throw CommandError("unknown command '\(name)'\(hint); 'help' lists commands")
        }
        if family.count == 1, family[0].subject == nil { return (family[0], false) }
        let subjects = family.compactMap(\.subject)
        let choices = subjects.map { "'\(name) \($0)'" }.joined(separator: ", ")
        guard let subject = arguments.first else {
            throw CommandError("'\(name)' needs a subject: \(choices)")
        }
        guard let command = family.first(where: { $0.subject == subject }) else {
            let hint = Suggestion.didYouMean(subject, among: subjects)
            throw CommandError("unknown subject '\(subject)' for '\(name)'\(hint); try \(choices)", argument: 0)
        }
        return (command, true)
    }

    private func runCommand(name nameWord: Word, arguments argumentWords: [Word]) throws {
        let name = try evaluator.interpolate(nameWord)
        let values = try argumentWords.map { try evaluator.interpolate($0) }
        func located(_ error: CommandError, shift: Int) -> ShellError {
            locate(error, shift: shift, name: nameWord, arguments: argumentWords)
        }
        let command: Command
        let shift: Int
        do {
            let resolved = try resolve(name, values)
            command = resolved.0
            shift = resolved.subjectConsumed ? 1 : 0
        } catch let error as CommandError {
            throw located(error, shift: 0)
        }
        let arguments = command.arguments(Array(values.dropFirst(shift)))
        let outer = runningFile
        runningFile = nameWord.location.file
        defer { runningFile = outer }
        do {
            try command.run(self, arguments)
        } catch let error as CommandError {
            throw located(error, shift: shift)
        } catch let error as ShellError {
            // Only a script a command ran (`source`) throws located errors out of a command:
            // say which line ran it.
            throw ShellError.included(error, from: nameWord.location)
        } catch let request as ExitRequest {
            throw request
        } catch let stop as WorkbenchError where stop == .calibrationStopped || stop == .crossFitStopped {
            // Ctrl-C inside whichever command needed ranges or fold models: a stop, as in training, not a failure.
            session.io.err(Interpreter.message(for: stop))
            throw ShellError.interrupted(nameWord.location)
        } catch {
            throw ShellError.runtime(Interpreter.message(for: error), nameWord.location)
        }
    }

    /// The user-facing text of an error thrown by a library.
    static func message(for error: Error) -> String {
        if let reason = FileErrorText.reason(for: error) { return reason }
        if let localized = error as? LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: error)
    }

    /// Runs a command programmatically (used by `source` and tests).
    public func command(named name: String) -> Command? {
        commands.first { $0.name == name }
    }
}
