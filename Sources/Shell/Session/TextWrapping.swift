/// Word wrapping for help pages and the banner: lines break at spaces, never inside a
/// word (a word longer than the line stands alone on its own line).
enum TextWrapping {
    /// `text` as lines of at most `width` characters; the first starts with `first`,
    /// the rest with `rest` (a hanging indent). Without a width, one line.
    static func wrap(_ text: String, width: Int?, first: String = "", rest: String = "") -> [String] {
        guard let width else { return [first + text] }
        var lines: [String] = []
        var line = first
        var lineHasWord = false
        // Each word with the run of spaces before it, so spacing inside a line is kept.
        var gap = ""
        var words: [(gap: String, word: String)] = []
        var word = ""
        for character in text {
            if character == " " {
                if !word.isEmpty { words.append((gap, word)); word = ""; gap = "" }
                gap.append(character)
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append((gap, word)) }
        for (gap, word) in words {
            let separator = lineHasWord ? gap : ""
            if lineHasWord, TerminalText.width(line) + separator.count + TerminalText.width(word) > width {
                lines.append(line)
                line = rest
                lineHasWord = false
            }
            line += (lineHasWord ? gap : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines
    }
}

/// What the `gq` executable does to a line bound for a terminal: one that would run past
/// the last column is broken at spaces, its continuation indented under its own text
/// plus two, so the terminal never cuts a word in two.
public enum TerminalText {
    public static func fit(_ line: String, columns: Int) -> [String] {
        // A result of several lines (bench's JSON) is fitted line by line.
        if line.contains("\n") {
            return line.split(separator: "\n", omittingEmptySubsequences: false).flatMap { fit(String($0), columns: columns) }
        }
        guard width(line) > columns - 1, line.contains(" ") else { return [line] }
        let indent = String(line.prefix { $0 == " " })
        return TextWrapping.wrap(String(line.dropFirst(indent.count)), width: columns - 1, first: indent, rest: indent + "  ")
    }

    /// Columns `text` takes on a terminal: ANSI escape sequences (the colour of `error:`)
    /// take none.
    public static func width(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for character in text {
            if inEscape {
                // A CSI sequence ends at its final byte, a letter.
                if character.isLetter { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
