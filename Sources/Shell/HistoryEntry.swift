/// How an entry typed at the prompt is kept in history: a block typed over several
/// lines becomes one line that parses to the same statements, so Up recalls it whole
/// and the history file keeps one entry per line.
public enum HistoryEntry {
    /// The text to remember for `entry`, or nil when it is blank or cannot be put on one line.
    public static func line(for entry: String) -> String? {
        let lines = entry.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard let first = lines.first else { return nil }
        guard lines.count > 1 else { return first }
        var joined = first
        for (previous, next) in zip(lines, lines.dropFirst()) {
            // Braces and `else` already separate statements; elsewhere a line break was one.
            let flows = previous.hasSuffix("{") || next.hasPrefix("}") || next.hasPrefix("else")
            joined += (flows ? " " : "; ") + next
        }
        // A line the parser reads differently (a comment swallowing the rest, say) is not kept.
        guard let original = try? Parser.parse(SourceText(name: "", text: entry)),
              let single = try? Parser.parse(SourceText(name: "", text: joined)),
              shape(original) == shape(single)
        else { return nil }
        return joined
    }

    /// The statement tree without source positions, to compare two parses.
    private static func shape(_ statements: [Statement]) -> String {
        statements.map { statement -> String in
            switch statement.kind {
            case .command(let name, let arguments):
                return "c(" + ([name] + arguments).map(text).joined(separator: " ") + ")"
            case .loop(let variable, let items, let body):
                return "for \(variable) \(items.map(text)){\(shape(body))}"
            case .conditional(_, let then, let otherwise):
                return "if{\(shape(then))}{\(shape(otherwise))}"
            case .assignment(let name, _):
                return "let \(name)"
            case .assertion(_, let text):
                return "assert \(text)"
            }
        }.joined(separator: ";")
    }

    private static func text(_ word: Word) -> String {
        word.parts.map { part in
            switch part {
            case .literal(let text): return text
            case .variable(let name, _): return "${\(name)}"
            }
        }.joined()
    }
}
