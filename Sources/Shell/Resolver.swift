/// The check before a script runs, as jlox's resolver: it walks every statement, both
/// branches of every `if` and every loop body once, in source order, and finds what
/// would fail when execution got there, so a typo on line 40 never waits behind an
/// hour of `train` and `evolve`.
///
/// - Commands are resolved and, when their words hold no variables, their arguments are
///   read by the same code that reads them when they run.
/// - Calls in `let`, `assert` and `if` name a known function with a number of arguments
///   it takes.
/// - Every variable read (`$x` in a word, `x` in an expression) is set before it in the
///   source by `let`, `for`, or a command that declares it (`eval` sets `accuracy`), or
///   is set in the session already. Inside a loop body, whatever the body sets counts
///   as set throughout it, since an earlier iteration may have set it. A script that
///   runs `source` (or a command whose name is built from variables) can have any
///   variable set behind the check's back, so its variables are checked when they run.
struct Resolver {
    private let interpreter: Interpreter
    /// Names that hold a value at this point of the walk.
    private var known: Set<String>
    private var checksVariables = true
    private var found = ErrorList()
    var errors: [ShellError] { found.all }

    init(interpreter: Interpreter) {
        self.interpreter = interpreter
        known = Set(interpreter.session.variables.keys)
    }

    mutating func check(_ statements: [Statement]) {
        checksVariables = !statements.contains(where: Resolver.mayDefineAnything)
        walk(statements)
    }

    private mutating func walk(_ statements: [Statement]) {
        for statement in statements { walk(statement) }
    }

    private mutating func walk(_ statement: Statement) {
        switch statement.kind {
        case .command(let nameWord, let argumentWords):
            read(nameWord)
            argumentWords.forEach { read($0) }
            checkCommand(nameWord, argumentWords)
        case .assignment(let name, let value):
            read(value)
            known.insert(name)
        case .loop(let variable, let items, let body):
            items.forEach { read($0) }
            known.insert(variable)
            Resolver.definitions(in: body, into: &known, commands: interpreter.commands)
            walk(body)
        case .conditional(let condition, let then, let otherwise):
            read(condition)
            walk(then)
            walk(otherwise)
        case .assertion(let condition, _):
            read(condition)
        }
    }

    /// Resolves a command statement and reads its arguments as running it would; words
    /// built from variables are checked when they run. Its declared variables are set after it.
    private mutating func checkCommand(_ nameWord: Word, _ argumentWords: [Word]) {
        known.formUnion(Resolver.mayPublish(nameWord, argumentWords, commands: interpreter.commands))
        guard let name = nameWord.literalText else { return }
        let literal = argumentWords.compactMap(\.literalText)
        var shift = 0
        do {
            guard literal.count == argumentWords.count else {
                // Only the verb, and the subject when it is written out, can be checked.
                if let subject = argumentWords.first?.literalText {
                    _ = try interpreter.resolve(name, [subject])
                } else if !interpreter.commands.contains(where: { $0.verb == name }) {
                    _ = try interpreter.resolve(name, [])
                }
                return
            }
            let (command, subjectConsumed) = try interpreter.resolve(name, literal)
            shift = subjectConsumed ? 1 : 0
            try command.check(command.arguments(Array(literal.dropFirst(shift))))
        } catch let error as CommandError {
            report(interpreter.locate(error, shift: shift, name: nameWord, arguments: argumentWords, as: ShellError.check))
        } catch {
            report(.check(Interpreter.message(for: error), nameWord.location))
        }
    }

    /// The variables a command statement may set: its command's, or, when its subject is
    /// built from variables, those of every command of its verb.
    private static func mayPublish(_ nameWord: Word, _ argumentWords: [Word], commands: [Command]) -> [String] {
        guard let name = nameWord.literalText else { return [] }
        return commands.filter { command in
            guard command.verb == name else { return false }
            guard let subject = command.subject else { return true }
            guard let written = argumentWords.first else { return false }
            return written.literalText.map { $0 == subject } ?? true
        }.flatMap(\.publishes)
    }

    private mutating func report(_ error: ShellError) {
        found.add(error, kind: ShellError.check)
    }

    private mutating func read(_ word: Word) {
        for case .variable(let name, let at) in word.parts { read(variable: name, at: at) }
    }

    /// Calls and variables in the order they are written.
    private mutating func read(_ expression: Expression) {
        expression.forEachNode { node in
            switch node {
            case .string(let word): read(word)
            case .variable(let name, let at): read(variable: name, at: at)
            case .call(let name, let arguments, let at):
                if let fault = Evaluator.callFault(name, count: arguments.count) { report(.check(fault, at)) }
            case .number, .unary, .binary: break
            }
        }
    }

    private mutating func read(variable name: String, at location: SourceLocation) {
        // Script arguments ($1, $#) are given or not when the script runs; `if $# > 1` guards them.
        guard checksVariables, !known.contains(name), name != "#", Int(name) == nil else { return }
        report(.check(interpreter.unsetVariableMessage(name, among: Array(known)), location))
        known.insert(name)  // reported once
    }

    /// Every name a block sets: `let`, `for` and the variables its commands declare.
    private static func definitions(in statements: [Statement], into names: inout Set<String>, commands: [Command]) {
        for statement in statements {
            switch statement.kind {
            case .command(let nameWord, let argumentWords):
                names.formUnion(mayPublish(nameWord, argumentWords, commands: commands))
            case .assignment(let name, _):
                names.insert(name)
            case .loop(let variable, _, let body):
                names.insert(variable)
                definitions(in: body, into: &names, commands: commands)
            case .conditional(_, let then, let otherwise):
                definitions(in: then, into: &names, commands: commands)
                definitions(in: otherwise, into: &names, commands: commands)
            case .assertion:
                break
            }
        }
    }

    /// Whether a statement may set variables the check cannot see: `source` runs another
    /// file in this session, and a command named by a variable could be `source`.
    private static func mayDefineAnything(_ statement: Statement) -> Bool {
        switch statement.kind {
        case .command(let nameWord, _):
            guard let name = nameWord.literalText else { return true }
            return name == "source"
        case .loop(_, _, let body):
            return body.contains(where: mayDefineAnything)
        case .conditional(_, let then, let otherwise):
            return then.contains(where: mayDefineAnything) || otherwise.contains(where: mayDefineAnything)
        case .assignment, .assertion:
            return false
        }
    }
}
