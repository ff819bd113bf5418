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
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if lineHasWord, line.count + 1 + word.count > width {
                lines.append(line)
                line = rest
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines
    }
}
