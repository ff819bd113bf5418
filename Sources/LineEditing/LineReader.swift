/// What one attempt to read a line produced.
public enum LineReadResult: Equatable, Sendable {
    /// A complete line, without its line terminator.
    case line(String)
    /// Ctrl-C while waiting for a line: the partial line is gone and the pending
    /// interrupt has been cleared, so the shell should just prompt again.
    case interrupted
    /// Ctrl-D on an empty line, or the end of the input stream.
    case endOfInput
}

/// A source of input lines: a line editor on a terminal or a plain stream.
public protocol LineReader {
    /// Reads the next line; `prompt` is shown only where it makes sense (terminals).
    mutating func readLine(prompt: String) -> LineReadResult
    /// Records an accepted line so that it can be recalled (and persisted) later.
    mutating func addHistory(_ line: String)
}

/// Supplies Tab completions for the line editor.
public protocol CompletionProvider: Sendable {
    /// Candidate full words for `word`, the word under the cursor; `line` is the
    /// whole buffer up to the cursor, so the provider can tell which argument
    /// position is being completed.
    func completions(line: String, word: String) -> [String]
}
