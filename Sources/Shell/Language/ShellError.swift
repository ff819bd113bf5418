/// Everything that can go wrong running gq's language, each with a message a user can act on.
public enum ShellError: Error, Sendable, Equatable {
    /// A syntax error at a place in the source.
    case syntax(String, SourceLocation)
    /// The source ended inside a block or string; a REPL reads another line instead of failing.
    case incomplete(String, SourceLocation)
    /// The check before anything runs found a fault at a place in the source: an unknown
    /// command, option, function or variable, a malformed argument, a wrong arity.
    case check(String, SourceLocation)
    /// A command or expression failed at a place in the source while running.
    case runtime(String, SourceLocation)
    /// Ctrl-C stopped a script between statements.
    case interrupted(SourceLocation)
    /// The check before a script runs found more than one error; each is reported.
    indirect case several([ShellError])
    /// An error in a file `source` ran, with the line that sourced it.
    indirect case included(ShellError, from: SourceLocation)

    public var message: String {
        switch self {
        case .syntax(let m, _), .incomplete(let m, _), .check(let m, _), .runtime(let m, _): return m
        case .interrupted: return "interrupted"
        case .several(let errors): return errors.first?.message ?? ""
        case .included(let error, _): return error.message
        }
    }

    public var location: SourceLocation {
        switch self {
        case .syntax(_, let l), .incomplete(_, let l), .check(_, let l), .runtime(_, let l), .interrupted(let l): return l
        case .several(let errors): return errors.first?.location ?? SourceLocation(file: "", line: 0, column: 0)
        case .included(let error, _): return error.location
        }
    }

    /// The single errors inside, in source order, each still carrying the lines that sourced it.
    public var all: [ShellError] {
        switch self {
        case .several(let errors): return errors
        case .included(let error, let from): return error.all.map { .included($0, from: from) }
        default: return [self]
        }
    }

    /// The `source` lines that led to this error, innermost first.
    public var includedFrom: [SourceLocation] {
        if case .included(let error, let from) = self { return error.includedFrom + [from] }
        return []
    }

    /// Ctrl-C, however deep in sourced scripts it stopped.
    public var isInterruption: Bool {
        if case .interrupted = root { return true }
        return false
    }

    /// The error itself, without the lines that sourced it.
    public var root: ShellError {
        if case .included(let error, _) = self { return error.root }
        return self
    }

    /// `FILE:LINE:COL: error: message`, the form compilers use so editors can jump to it,
    /// then an `included from FILE:LINE` line for each `source` that led there.
    public var formatted: String {
        all.map { single in
            (["\(single.location): error: \(single.message)"] + single.includedFrom.map { "  included from \($0.file):\($0.line)" })
                .joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// The errors one pass over a file finds (the parser's, the check's), at most
/// `Parser.maxErrors`, then one line that says it stopped, as compilers do: a data file run
/// as a script is one error per line.
struct ErrorList {
    private(set) var all: [ShellError] = []

    /// Whether the list has stopped taking errors.
    var isFull: Bool { all.count > Parser.maxErrors }

    /// Adds `error`; the one that fills the list brings the note, in the pass's own kind.
    mutating func add(_ error: ShellError, kind: (String, SourceLocation) -> ShellError) {
        guard !isFull else { return }
        all.append(error)
        if all.count == Parser.maxErrors { all.append(kind("stopped after \(Parser.maxErrors) errors", error.location)) }
    }
}

/// A failure inside a command, before the interpreter knows where the command stands.
///
/// `argument` is the index of the argument at fault (0 is the first word after the
/// command name), so the reported column points at it; nil points at the command.
public struct CommandError: Error, Sendable, Equatable {
    public var message: String
    public var argument: Int?

    public init(_ message: String, argument: Int? = nil) {
        self.message = message
        self.argument = argument
    }
}
