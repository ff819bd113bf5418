import Foundation
import Shell

/// Collects what a session prints, for assertions.
final class Transcript {
    var out: [String] = []
    var err: [String] = []
    var progress: [String] = []
}

/// A fresh interpreter with no model cache, writing into a transcript.
/// With `columns`, it behaves as if printing to a terminal that wide (progress included).
func makeShell(arguments: [String] = ["test.gq"], columns: Int? = nil) -> (Interpreter, Transcript) {
    let transcript = Transcript()
    let io = ShellIO(out: { transcript.out.append($0) }, err: { transcript.err.append($0) },
                     progress: { line in if let line { transcript.progress.append(line) } },
                     showsProgress: columns != nil, columns: { columns }, progressColumns: { columns })
    let session = Session(io: io, interrupt: .never, modelCache: nil)
    session.scriptArguments = arguments
    return (Interpreter(session: session), transcript)
}

/// Runs a script and returns its output lines; throws the first error.
@discardableResult
func run(_ text: String, file: String = "test.gq", arguments: [String] = [], columns: Int? = nil) throws -> [String] {
    let (interpreter, transcript) = makeShell(arguments: [file] + arguments, columns: columns)
    try interpreter.run(SourceText(name: file, text: text))
    return transcript.out
}

/// The error a script stops with, or nil when it succeeds.
func failure(_ text: String, file: String = "test.gq") -> ShellError? {
    do {
        try run(text, file: file)
        return nil
    } catch let error as ShellError {
        return error
    } catch {
        return .runtime("unexpected error type: \(error)", SourceLocation(file: "?", line: 0, column: 0))
    }
}

/// A new, empty folder under the system's temporary directory, for files a test writes.
func temporaryFolder(_ label: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
