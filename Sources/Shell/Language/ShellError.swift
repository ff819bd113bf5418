/// Everything that can go wrong running gq's language, each with a message a user can act on.
public enum ShellError: Error, Sendable, Equatable {
    /// A syntax error at a place in the source.
    case syntax(String, SourceLocation)
    /// The source ended inside a block or string; a REPL reads another line instead of failing.
    case incomplete(String, SourceLocation)
    /// A command or expression failed at a place in the source.
    case runtime(String, SourceLocation)
    /// Ctrl-C stopped a script between statements.
    case interrupted(SourceLocation)
    /// The check before a script runs found more than one error; each is reported.
    indirect case several([ShellError])

    public var message: String {
        switch self {
        case .syntax(let m, _), .incomplete(let m, _), .runtime(let m, _): return m
        case .interrupted: return "interrupted"
        case .several(let errors): return errors.first?.message ?? ""
        }
    }

    public var location: SourceLocation {
        switch self {
        case .syntax(_, let l), .incomplete(_, let l), .runtime(_, let l), .interrupted(let l): return l
        case .several(let errors): return errors.first?.location ?? SourceLocation(file: "", line: 0, column: 0)
        }
    }

    /// The single errors inside, in source order.
    public var all: [ShellError] {
        if case .several(let errors) = self { return errors }
        return [self]
    }

    /// `FILE:LINE:COL: error: message`, the form compilers use so editors can jump to it.
    public var formatted: String { all.map { "\($0.location): error: \($0.message)" }.joined(separator: "\n") }
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
