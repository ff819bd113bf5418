/// A piece of a word: literal text, or a variable reference interpolated when the statement runs.
public enum WordPart: Sendable, Equatable {
    case literal(String)
    case variable(String, SourceLocation)
}

/// One whitespace-separated argument as written, before interpolation.
public struct Word: Sendable, Equatable {
    public var parts: [WordPart]
    public var location: SourceLocation

    public init(parts: [WordPart], location: SourceLocation) {
        self.parts = parts
        self.location = location
    }

    /// The word's text when it has no variables in it (keywords, command names).
    public var literalText: String? {
        var text = ""
        for part in parts {
            guard case .literal(let s) = part else { return nil }
            text += s
        }
        return text
    }
}

/// An expression in `let`, `assert` and `if`.
public indirect enum Expression: Sendable, Equatable {
    case number(Double)
    case string(Word)
    case variable(String, SourceLocation)
    case unary(String, Expression, SourceLocation)
    case binary(String, Expression, Expression, SourceLocation)
    case call(String, [Expression], SourceLocation)

    /// Visits every node, this one first, then operands left to right, with a stack of its
    /// own: a chain of 50,000 operators is a tree as deep as it is long.
    func forEachNode(_ visit: (Expression) -> Void) {
        var pending = [self]
        while let node = pending.popLast() {
            visit(node)
            switch node {
            case .number, .string, .variable: break
            case .unary(_, let operand, _): pending.append(operand)
            case .binary(_, let left, let right, _): pending.append(contentsOf: [right, left])
            case .call(_, let arguments, _): pending.append(contentsOf: arguments.reversed())
            }
        }
    }
}

/// One statement of a script, with the place it starts.
public struct Statement: Sendable, Equatable {
    /// What a statement does.
    public enum Kind: Sendable, Equatable {
        /// `name arg arg ...`
        case command(name: Word, arguments: [Word])
        /// `let name = expression`
        case assignment(name: String, value: Expression)
        /// `for name in item item ... { body }`; items like `2..8` expand to ranges.
        case loop(variable: String, items: [Word], body: [Statement])
        /// `if condition { body } else { body }`
        case conditional(condition: Expression, then: [Statement], otherwise: [Statement])
        /// `assert expression`, with its source text for the failure message.
        case assertion(Expression, text: String)
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}
