/// Parses gq's language: statements separated by newlines or `;`, blocks in braces.
///
///     let x = 4                     # variables hold numbers or strings
///     for b in 2..6 { echo $b }     # loops over words and ranges
///     if accuracy < 0.9 { echo low } else { echo ok }
///     assert accuracy >= float_accuracy - 0.01
///     set bits gate.z=$b            # anything else is a command with words
public struct Parser {
    private var scanner: Scanner
    /// Blocks, parentheses, calls and prefix operators open around the current point.
    private var depth = 0
    /// How many of those levels are the `else if` links of a chain, for the depth error.
    private var chainLinks = 0
    /// Syntax errors found so far; the parser goes on after each at the next line.
    private var errors = ErrorList()

    /// How deep blocks and expressions may nest: far beyond any script a person writes,
    /// and well inside what the recursive parser, check pass, evaluator, formatter and
    /// the release of the tree can take on the stack. Every recursive construct counts:
    /// `for`, `if` and `else` blocks, each `else if` of a chain, parentheses, calls and
    /// prefix operators.
    public static let maxDepth = 200
    /// How many syntax errors one parse reports before it stops looking for more, as
    /// compilers do: a binary file fed as a script is one error per line.
    public static let maxErrors = 50
    /// How many operators may follow one another in a row. Chains are parsed and evaluated
    /// in loops, but the tree they build is as deep as they are long and Swift releases it
    /// recursively: 80,000 terms were measured to be fine on an 8 MB stack, 100,000 not.
    public static let maxChain = 50_000

    /// How deep the text stands already: a file run by `source` from inside blocks (and
    /// sources) shares their budget, so nesting across files stays within `maxDepth` too.
    private let startingDepth: Int

    public init(_ source: SourceText, nestedIn depth: Int = 0) {
        scanner = Scanner(source)
        self.depth = depth
        startingDepth = depth
    }

    /// Parses a whole script, reporting every syntax error in it (`ShellError.several` for
    /// more than one): after an error the parser skips to the next line, stepping over any
    /// block the skipped text opens, and goes on. Throws `.incomplete` when the text ends
    /// inside a block or string and has no other error, so a REPL reads another line.
    public static func parse(_ source: SourceText, nestedIn depth: Int = 0) throws -> [Statement] {
        var parser = Parser(source, nestedIn: depth)
        let statements: [Statement]
        do {
            statements = try parser.statements(closedBy: nil)
        } catch let error as ShellError {
            guard case .incomplete(let message, let at) = error, !parser.errors.all.isEmpty else { throw error }
            parser.errors.add(.syntax(message, at), kind: ShellError.syntax)
            statements = []
        } catch is ParseStop {
            statements = []
        }
        switch parser.errors.all.count {
        case 0: return statements
        case 1: throw parser.errors.all[0]
        default: throw ShellError.several(parser.errors.all)
        }
    }

    /// Records a syntax error and moves past the rest of its statement.
    private mutating func recover(from error: ShellError) throws {
        if case .incomplete = error { throw error }
        try record(error)
        try skipStatement()
    }

    /// Records a syntax error; errors past `maxErrors` end the parse.
    private mutating func record(_ error: ShellError) throws {
        errors.add(error, kind: ShellError.syntax)
        if errors.isFull { throw ParseStop() }
    }

    /// Thrown to end a parse that has reported enough errors.
    private struct ParseStop: Error {}

    /// Skips to the end of the current line or `;`, stepping over whole blocks; stops before
    /// a `}` that closes the block the statement stands in.
    private mutating func skipStatement(openBraces: Int = 0) throws {
        var open = openBraces
        while true {
            let before = scanner.mark
            let token: Scanner.WordToken
            do {
                token = try scanner.nextWord()
            } catch {
                return  // an unterminated string runs to the end of the text
            }
            switch token {
            case .separator where open == 0, .end:
                return
            case .separator, .word:
                continue
            case .openBrace:
                open += 1
            case .closeBrace:
                if open == 0 {
                    scanner.reset(to: before)
                    return
                }
                open -= 1
                if open == 0, openBraces > 0 { return }
            }
        }
    }

    /// Statements up to the matching `}` (when `opening` is given) or the end.
    private mutating func statements(closedBy opening: SourceLocation?) throws -> [Statement] {
        var result: [Statement] = []
        while true {
            switch try scanner.nextWord() {
            case .separator:
                continue
            case .end(let at):
                if let opening {
                    throw ShellError.incomplete("missing '}' to close the block opened at line \(opening.line)", at)
                }
                return result
            case .closeBrace(let at):
                if opening != nil { return result }
                try record(.syntax("unexpected '}' with no block open", at))
            case .openBrace(let at):
                try record(.syntax("unexpected '{': a block follows 'for', 'if' or 'else'", at))
                try skipStatement(openBraces: 1)
            case .word(let word):
                do {
                    result.append(try statement(startingWith: word))
                } catch let error as ShellError {
                    try recover(from: error)
                }
            }
        }
    }

    private mutating func statement(startingWith word: Word) throws -> Statement {
        switch word.literalText {
        case "let": return try assignment(at: word.location)
        case "for": return try loop(at: word.location)
        case "if": return try conditional(at: word.location)
        case "assert": return try assertion(at: word.location)
        case "else": throw ShellError.syntax("'else' without a preceding 'if' block", word.location)
        default: return try command(named: word)
        }
    }

    private mutating func command(named name: Word) throws -> Statement {
        var arguments: [Word] = []
        while true {
            let before = scanner.mark
            switch try scanner.nextWord() {
            case .word(let word):
                arguments.append(word)
            case .separator, .end:
                return Statement(.command(name: name, arguments: arguments), at: name.location)
            case .closeBrace:
                scanner.reset(to: before)
                return Statement(.command(name: name, arguments: arguments), at: name.location)
            case .openBrace(let at):
                try skipStatement(openBraces: 1)  // the block it opens is not statements of this one
                throw ShellError.syntax("unexpected '{' after a command: only 'for', 'if' and 'else' take a block", at)
            }
        }
    }

    private mutating func assignment(at location: SourceLocation) throws -> Statement {
        let token = try scanner.nextExpressionToken()
        guard case .identifier(let name, _) = token else {
            throw ShellError.syntax("expected a variable name after 'let', as in 'let x = 4'", tokenLocation(token))
        }
        let equals = try scanner.nextExpressionToken()
        guard case .symbol("=", _) = equals else {
            throw ShellError.syntax("expected '=' after 'let \(name)', as in 'let \(name) = 4'", tokenLocation(equals))
        }
        let value = try expressionToEnd()
        return Statement(.assignment(name: name, value: value), at: location)
    }

    private mutating func assertion(at location: SourceLocation) throws -> Statement {
        let start = scanner.mark
        let condition = try expressionToEnd()
        return Statement(.assertion(condition, text: scanner.text(from: start)), at: location)
    }

    private mutating func loop(at location: SourceLocation) throws -> Statement {
        let before = scanner.mark
        let first = try scanner.nextWord()
        guard case .word(let variableWord) = first,
              let variable = variableWord.literalText,
              let initial = variable.first, initial.isIdentifierStart,
              variable.allSatisfy(\.isIdentifierCharacter)
        else {
            if case .word(let word) = first {
                throw ShellError.syntax("expected a variable name after 'for', as in 'for b in 2..8 { ... }'", word.location)
            }
            scanner.reset(to: before)  // a line end or brace is the next statement's business
            throw ShellError.syntax("expected a variable name after 'for', as in 'for b in 2..8 { ... }'", location)
        }
        let afterVariable = scanner.mark
        guard case .word(let inWord) = try scanner.nextWord(), inWord.literalText == "in" else {
            scanner.reset(to: afterVariable)
            throw ShellError.syntax("expected 'in' after 'for \(variable)', as in 'for \(variable) in 2..8 { ... }'", location)
        }
        var items: [Word] = []
        while true {
            let beforeToken = scanner.mark
            switch try scanner.nextWord() {
            case .word(let word):
                items.append(word)
            case .openBrace(let opening):
                guard !items.isEmpty else {
                    try skipStatement(openBraces: 1)
                    throw ShellError.syntax("'for \(variable) in' needs values before '{', such as '2..8' or 'r.wx z.wh'", opening)
                }
                let body = try blockBody(opening: opening)
                return Statement(.loop(variable: variable, items: items, body: body), at: location)
            case .separator, .closeBrace, .end:
                scanner.reset(to: beforeToken)
                throw ShellError.syntax("expected '{' to open the body of 'for \(variable) in ...' on the same line", scanner.location)
            }
        }
    }

    private mutating func conditional(at location: SourceLocation) throws -> Statement {
        let condition = try expression()
        let body = try block(after: "if")
        let afterBody = scanner.mark
        scanner.skipBlankLines()
        if case .word(let word) = try scanner.nextWord(), word.literalText == "else" {
            let afterElse = scanner.mark
            if case .word(let next) = try scanner.nextWord(), next.literalText == "if" {
                // Each `else if` nests the rest of the chain one level deeper in the tree.
                chainLinks += 1
                defer { chainLinks -= 1 }
                let rest = try nestedBlock(at: next.location, skipping: 0) { try $0.conditional(at: next.location) }
                return Statement(.conditional(condition: condition, then: body, otherwise: [rest]), at: location)
            }
            scanner.reset(to: afterElse)
            let otherwise = try block(after: "else")
            return Statement(.conditional(condition: condition, then: body, otherwise: otherwise), at: location)
        }
        scanner.reset(to: afterBody)
        return Statement(.conditional(condition: condition, then: body, otherwise: []), at: location)
    }

    private mutating func block(after keyword: String) throws -> [Statement] {
        let before = scanner.mark
        guard case .openBrace(let opening) = try scanner.nextWord() else {
            scanner.reset(to: before)  // what stood there is the next statement's business
            throw ShellError.syntax("expected '{' after '\(keyword)' on the same line", scanner.location)
        }
        return try blockBody(opening: opening)
    }

    /// The statements of a block whose `{` was just read, one level deeper. Past `maxDepth`
    /// the whole block is skipped, with any `else` blocks after it, before the error, so
    /// parsing goes on after them.
    private mutating func blockBody(opening: SourceLocation) throws -> [Statement] {
        try nestedBlock(at: opening, skipping: 1) { try $0.statements(closedBy: opening) }
    }

    /// Runs `body` one block deeper. Past `maxDepth` the rest of the statement is skipped
    /// (`openBraces` already read), with any `else` branches after it, before the error.
    private mutating func nestedBlock<T>(at location: SourceLocation, skipping openBraces: Int, _ body: (inout Parser) throws -> T) throws -> T {
        guard depth < Parser.maxDepth else {
            try skipStatement(openBraces: openBraces)
            try skipElseBranches()
            throw tooDeep(at: location)
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    /// Skips the `else` and `else if` branches after a skipped block, on its line or the next.
    private mutating func skipElseBranches() throws {
        while true {
            let before = scanner.mark
            scanner.skipBlankLines()
            guard case .word(let word) = try scanner.nextWord(), word.literalText == "else" else {
                scanner.reset(to: before)
                return
            }
            try skipStatement()
        }
    }

    private func tooDeep(at location: SourceLocation) -> ShellError {
        .syntax("blocks nest more than \(Parser.maxDepth) deep here\(depthNote); split the script into smaller blocks or files", location)
    }

    /// What counts towards the depth besides this file's own braces.
    private var depthNote: String {
        var parts: [String] = []
        if startingDepth > 0 { parts.append("with the \(startingDepth) blocks and sources around the 'source' that runs this file") }
        if chainLinks > 0 { parts.append("each of the \(chainLinks) 'else if' of the chain counts one") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }

    /// Runs `body` one level of an expression deeper, or stops with a located error past `maxDepth`.
    private mutating func nested<T>(at location: SourceLocation, _ what: String, _ body: (inout Parser) throws -> T) throws -> T {
        guard depth < Parser.maxDepth else {
            throw ShellError.syntax("\(what) nest more than \(Parser.maxDepth) deep here; split the script or the expression with 'let'", location)
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    /// Counts the operators of one chain (`a + b + c …`), stopping past `maxChain`.
    private func checkChain(_ count: Int, at location: SourceLocation) throws {
        if count > Parser.maxChain {
            throw ShellError.syntax("more than \(Parser.maxChain) operators in a row here; split the expression with 'let'", location)
        }
    }

    // MARK: - Expressions, by precedence: or < and < not < comparison < sum < product < unary < primary

    /// An expression that must end the statement.
    private mutating func expressionToEnd() throws -> Expression {
        let value = try expression()
        let next = try scanner.nextExpressionToken()
        guard case .boundary = next else {
            throw ShellError.syntax("unexpected \(describe(next)) after the expression", tokenLocation(next))
        }
        return value
    }

    private mutating func expression() throws -> Expression { try disjunction() }

    private mutating func disjunction() throws -> Expression {
        var left = try conjunction()
        var count = 0
        while let at = try takeOperator(["or", "||"]) {
            count += 1
            try checkChain(count, at: at)
            left = .binary("or", left, try conjunction(), at)
        }
        return left
    }

    private mutating func conjunction() throws -> Expression {
        var left = try negation()
        var count = 0
        while let at = try takeOperator(["and", "&&"]) {
            count += 1
            try checkChain(count, at: at)
            left = .binary("and", left, try negation(), at)
        }
        return left
    }

    private mutating func negation() throws -> Expression {
        if let at = try takeOperator(["not", "!"]) {
            return .unary("not", try nested(at: at, "operators") { try $0.negation() }, at)
        }
        return try comparison()
    }

    private mutating func comparison() throws -> Expression {
        let left = try sum()
        let before = scanner.mark
        let token = try scanner.nextExpressionToken()
        if case .symbol(let op, let at) = token, ["==", "!=", "<", "<=", ">", ">="].contains(op) {
            return .binary(op, left, try sum(), at)
        }
        if case .symbol("=", let at) = token {
            throw ShellError.syntax("'=' assigns only in 'let'; compare with '=='", at)
        }
        scanner.reset(to: before)
        return left
    }

    private mutating func sum() throws -> Expression {
        var left = try product()
        var count = 0
        while let (op, at) = try takeSymbol(["+", "-"]) {
            count += 1
            try checkChain(count, at: at)
            left = .binary(op, left, try product(), at)
        }
        return left
    }

    private mutating func product() throws -> Expression {
        var left = try unary()
        var count = 0
        while let (op, at) = try takeSymbol(["*", "/", "%"]) {
            count += 1
            try checkChain(count, at: at)
            left = .binary(op, left, try unary(), at)
        }
        return left
    }

    private mutating func unary() throws -> Expression {
        if let (_, at) = try takeSymbol(["-"]) { return .unary("-", try nested(at: at, "operators") { try $0.unary() }, at) }
        if let (_, at) = try takeSymbol(["+"]) { return try nested(at: at, "operators") { try $0.unary() } }
        return try power()
    }

    private mutating func power() throws -> Expression {
        let base = try primary()
        if let (_, at) = try takeSymbol(["**"]) { return .binary("**", base, try nested(at: at, "operators") { try $0.unary() }, at) }
        return base
    }

    private mutating func primary() throws -> Expression {
        let token = try scanner.nextExpressionToken()
        switch token {
        case .number(let value, _):
            return .number(value)
        case .string(let word):
            return .string(word)
        case .variable(let name, let at):
            return .variable(name, at)
        case .identifier(let name, let at):
            if name == "true" { return .number(1) }
            if name == "false" { return .number(0) }
            let before = scanner.mark
            if case .symbol("(", _) = try scanner.nextExpressionToken() {
                return .call(name, try nested(at: at, "parentheses") { try $0.callArguments() }, at)
            }
            scanner.reset(to: before)
            return .variable(name, at)
        case .symbol("(", let at):
            let inner = try nested(at: at, "parentheses") { try $0.expression() }
            let close = try scanner.nextExpressionToken()
            guard case .symbol(")", _) = close else {
                throw ShellError.syntax("expected ')' but found \(describe(close))", tokenLocation(close))
            }
            return inner
        default:
            throw ShellError.syntax("expected a number, variable or '(' but found \(describe(token))", tokenLocation(token))
        }
    }

    private mutating func callArguments() throws -> [Expression] {
        var arguments: [Expression] = []
        let before = scanner.mark
        if case .symbol(")", _) = try scanner.nextExpressionToken() { return arguments }
        scanner.reset(to: before)
        while true {
            arguments.append(try expression())
            let token = try scanner.nextExpressionToken()
            if case .symbol(")", _) = token { return arguments }
            guard case .symbol(",", _) = token else {
                throw ShellError.syntax("expected ',' or ')' in the argument list but found \(describe(token))", tokenLocation(token))
            }
        }
    }

    /// Consumes the next token when it is one of the given word or symbol operators.
    private mutating func takeOperator(_ spellings: Set<String>) throws -> SourceLocation? {
        let before = scanner.mark
        switch try scanner.nextExpressionToken() {
        case .identifier(let name, let at) where spellings.contains(name): return at
        case .symbol(let op, let at) where spellings.contains(op): return at
        default:
            scanner.reset(to: before)
            return nil
        }
    }

    private mutating func takeSymbol(_ symbols: Set<String>) throws -> (String, SourceLocation)? {
        let before = scanner.mark
        if case .symbol(let op, let at) = try scanner.nextExpressionToken(), symbols.contains(op) { return (op, at) }
        scanner.reset(to: before)
        return nil
    }

    private func describe(_ token: Scanner.ExpressionToken) -> String {
        switch token {
        case .number(let v, _): return "number \(Value.format(v))"
        case .identifier(let name, _): return "'\(name)'"
        case .variable(let name, _): return "'$\(name)'"
        case .string: return "a string"
        case .symbol(let s, _): return "'\(s)'"
        case .boundary: return "the end of the statement"
        }
    }

    private func tokenLocation(_ token: Scanner.ExpressionToken) -> SourceLocation {
        switch token {
        case .number(_, let at), .identifier(_, let at), .variable(_, let at), .symbol(_, let at), .boundary(let at): return at
        case .string(let word): return word.location
        }
    }
}
