import Foundation

/// A place in a script: the file (or `-c`, `<repl>`, `<stdin>`), line and column, all 1-based.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A script's text with the name its errors are reported under.
public struct SourceText: Sendable {
    public var name: String
    public var text: String
    /// Added to every line number, so a REPL entry reports the session's running line.
    public var firstLine: Int

    /// CRLF line endings (a script saved on Windows) read as LF; to Swift "\r\n" is one
    /// character, which the scanner would not see as a line break.
    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        self.text = text.contains("\r\n") ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        self.firstLine = firstLine
    }
}
