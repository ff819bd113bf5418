/// Turns source text into tokens on demand.
///
/// The language has two kinds of token: command words (where `gate.*=4`,
/// `2..8` and `out.csv` are single words) and expression tokens (where
/// `accuracy>=0.9` is three). The parser knows which it expects next and asks
/// for that kind, so one scanner serves both without a global mode.
struct Scanner {
    /// A token in command position.
    enum WordToken: Equatable {
        case word(Word)
        case openBrace(SourceLocation)
        case closeBrace(SourceLocation)
        case separator
        case end(SourceLocation)
    }

    /// A token inside an expression.
    enum ExpressionToken: Equatable {
        case number(Double, SourceLocation)
        case identifier(String, SourceLocation)
        case variable(String, SourceLocation)
        case string(Word)
        case symbol(String, SourceLocation)
        /// `{`, `}`, `;`, a newline or the end: whatever follows the expression.
        case boundary(SourceLocation)
    }

    /// A saved position to come back to after looking ahead.
    struct Mark {
        fileprivate var index: Int
        fileprivate var line: Int
        fileprivate var column: Int
    }

    let source: SourceText
    private let characters: [Character]
    private var index = 0
    private var line: Int
    private var column = 1

    init(_ source: SourceText) {
        self.source = source
        self.characters = Array(source.text)
        self.line = source.firstLine
    }

    var location: SourceLocation { SourceLocation(file: source.name, line: line, column: column) }
    var mark: Mark { Mark(index: index, line: line, column: column) }
    mutating func reset(to mark: Mark) {
        index = mark.index
        line = mark.line
        column = mark.column
    }

    /// The source text between a mark and the current position, trimmed.
    func text(from mark: Mark) -> String {
        String(characters[mark.index..<index]).trimmingWhitespace()
    }

    private var current: Character? { index < characters.count ? characters[index] : nil }
    private func peek(_ offset: Int = 1) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func advance() {
        guard let c = current else { return }
        index += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
    }

    /// Skips blanks, comments and backslash-newline continuations; newlines are tokens.
    private mutating func skipBlanks() {
        while let c = current {
            if c == " " || c == "\t" || c == "\r" {
                advance()
            } else if c == "\\", peek() == "\n" || (peek() == "\r" && peek(2) == "\n") {
                advance()
                while current != "\n" { advance() }
                advance()
            } else if c == "#" {
                while let d = current, d != "\n" { _ = d; advance() }
            } else {
                return
            }
        }
    }

    /// Skips blank lines and separators too (used where a newline means nothing, e.g. before `else`).
    mutating func skipBlankLines() {
        while true {
            skipBlanks()
            if current == "\n" || current == ";" { advance() } else { return }
        }
    }

    // MARK: - Words

    mutating func nextWord() throws -> WordToken {
        skipBlanks()
        let start = location
        guard let c = current else { return .end(start) }
        switch c {
        case "\n", ";":
            advance()
            return .separator
        case "{":
            advance()
            return .openBrace(start)
        case "}":
            advance()
            return .closeBrace(start)
        default:
            return .word(try scanWord())
        }
    }

    private static let wordTerminators: Set<Character> = [" ", "\t", "\r", "\n", ";", "{", "}"]

    private mutating func scanWord() throws -> Word {
        let start = location
        var parts: [WordPart] = []
        var literal = ""
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
        }
        while let c = current, !Scanner.wordTerminators.contains(c) {
            switch c {
            case "\"", "'":
                let quoted = try scanQuoted()
                for part in quoted.parts {
                    if case .literal(let s) = part { literal += s } else { flush(); parts.append(part) }
                }
            case "$":
                if let variable = scanVariable() { flush(); parts.append(variable) } else { literal.append("$"); advance() }
            case "\\":
                advance()
                if let escaped = current { literal.append(escaped); advance() }
            default:
                literal.append(c)
                advance()
            }
        }
        flush()
        if parts.isEmpty { parts = [.literal("")] }
        return Word(parts: parts, location: start)
    }

    /// `$name`, `${name}` or `$1`; nil (nothing consumed) when `$` starts no variable.
    private mutating func scanVariable() -> WordPart? {
        let start = location
        guard current == "$", let next = peek() else { return nil }
        if next == "{" {
            var offset = 2
            var name = ""
            while let c = peek(offset), c != "}" {
                guard c.isIdentifierCharacter else { return nil }
                name.append(c)
                offset += 1
            }
            guard peek(offset) == "}", !name.isEmpty else { return nil }
            for _ in 0...offset { advance() }
            return .variable(name, start)
        }
        if next.isASCII, next.isNumber {
            advance()
            var name = ""
            while let c = current, c.isASCII, c.isNumber { name.append(c); advance() }
            return .variable(name, start)
        }
        if next == "#" {
            advance(); advance()
            return .variable("#", start)
        }
        guard next.isIdentifierStart else { return nil }
        advance()
        var name = ""
        while let c = current, c.isIdentifierCharacter { name.append(c); advance() }
        return .variable(name, start)
    }

    /// A quoted string: `"..."` interpolates `$name`, `'...'` is taken literally.
    private mutating func scanQuoted() throws -> Word {
        let start = location
        guard let quote = current else { throw ShellError.syntax("expected a string", start) }
        advance()
        var parts: [WordPart] = []
        var literal = ""
        while true {
            guard let c = current else {
                throw ShellError.incomplete("unterminated string: missing closing \(quote)", start)
            }
            if c == quote { advance(); break }
            if quote == "\"", c == "\\" {
                advance()
                guard let escaped = current else { continue }
                switch escaped {
                case "n": literal.append("\n")
                case "t": literal.append("\t")
                default: literal.append(escaped)
                }
                advance()
            } else if quote == "\"", c == "$", let variable = scanVariable() {
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(variable)
            } else {
                literal.append(c)
                advance()
            }
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.literal(literal)) }
        return Word(parts: parts, location: start)
    }

    // MARK: - Expressions

    private static let twoCharacterSymbols: Set<String> = ["==", "!=", "<=", ">=", "&&", "||", "**"]
    private static let oneCharacterSymbols: Set<Character> = ["+", "-", "*", "/", "%", "(", ")", ",", "<", ">", "=", "!"]

    mutating func nextExpressionToken() throws -> ExpressionToken {
        skipBlanks()
        let start = location
        guard let c = current else { return .boundary(start) }
        if c == "\n" || c == ";" || c == "{" || c == "}" { return .boundary(start) }
        if c == "\"" || c == "'" { return .string(try scanQuoted()) }
        if c == "$" {
            if case .variable(let name, let at)? = scanVariable() { return .variable(name, at) }
            throw ShellError.syntax("'$' must be followed by a variable name", start)
        }
        if c.isASCII, c.isNumber || (c == "." && (peek()?.isNumber ?? false)) {
            return try scanNumber()
        }
        if c.isIdentifierStart {
            var name = ""
            while let d = current, d.isIdentifierCharacter { name.append(d); advance() }
            return .identifier(name, start)
        }
        if let next = peek(), Scanner.twoCharacterSymbols.contains(String([c, next])) {
            advance(); advance()
            return .symbol(String([c, next]), start)
        }
        if Scanner.oneCharacterSymbols.contains(c) {
            advance()
            return .symbol(String(c), start)
        }
        throw ShellError.syntax("unexpected character '\(c)' in expression", start)
    }

    private mutating func scanNumber() throws -> ExpressionToken {
        let start = location
        var text = ""
        while let c = current, c.isASCII, c.isNumber || c == "." {
            // `2..8` is not a number: stop before a second dot that starts a range.
            if c == ".", peek() == "." { break }
            text.append(c)
            advance()
        }
        if let e = current, e == "e" || e == "E" {
            let sign = peek()
            let digitAt = (sign == "+" || sign == "-") ? 2 : 1
            if let d = peek(digitAt), d.isASCII, d.isNumber {
                for _ in 0..<digitAt { text.append(current ?? "e"); advance() }
                while let c = current, c.isASCII, c.isNumber { text.append(c); advance() }
            }
        }
        if let c = current, c.isIdentifierStart {
            throw ShellError.syntax("malformed number '\(text)\(c)…'", start)
        }
        guard let value = Double(text) else { throw ShellError.syntax("malformed number '\(text)'", start) }
        return .number(value, start)
    }
}

extension Character {
    var isIdentifierStart: Bool { (isASCII && isLetter) || self == "_" }
    var isIdentifierCharacter: Bool { (isASCII && (isLetter || isNumber)) || self == "_" }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
