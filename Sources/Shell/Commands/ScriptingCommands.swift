import FileWriting
import Foundation

/// Thrown by `exit`/`quit` to leave the session with a status; the runner catches it.
public struct ExitRequest: Error, Equatable {
    public var status: Int32

    public init(status: Int32) {
        self.status = status
    }
}

/// Commands for scripts: `echo`, `append`, `source`, `set seed`, `show vars`, `exit`.
public enum ScriptingCommands {
    static var commands: [Command] {
        [
            Command(
                name: "echo", operands: "WORD...", summary: "Print words, with $variables interpolated",
                examples: ["echo \"accuracy $accuracy at $b bits\""],
                parse: { $0.words.joined(separator: " ") },
                run: { interpreter, text in interpreter.session.io.out(text) }
            ),
            Command(
                name: "append", operands: "FILE.csv NAME=VALUE...",
                summary: "Append one row to a CSV file, writing the header first if the file is new",
                details: "The columns are the NAMEs in order. Appending to an existing file checks that its header has the same columns, so rows never land under the wrong heading.",
                examples: ["append results.csv op=$op bits=$b val=$accuracy size=$size"],
                completion: .paths,
                parse: parseAppend,
                run: append
            ),
            Command(
                name: "log", operands: "FILE|off",
                summary: "Write a transcript of the session (what is typed and what is printed) to FILE",
                details: "Appends to FILE every line typed at the prompt, after its prompt, and every line printed, results and errors, as they appear; progress bars are left out. 'log off' stops. Unlike piping gq through tee, the prompt, Tab and history keep working.",
                examples: ["log lesson.txt", "log off"],
                completion: .paths,
                parse: { arguments -> String? in
                    try arguments.expectCount(1...1)
                    return arguments[0] == "off" ? nil : arguments.path(0)
                },
                run: { interpreter, path in
                    let session = interpreter.session
                    if let current = session.log {
                        session.io = current.original
                        current.close()
                        session.log = nil
                        if path == nil { session.io.out("stopped writing the transcript to \(current.path)") }
                    } else if path == nil {
                        throw CommandError("no transcript is being written; 'log FILE' starts one")
                    }
                    guard let path else { return }
                    let log: SessionLog
                    do {
                        log = try SessionLog(path: path, wrapping: session.io)
                    } catch {
                        throw CommandError("cannot write \(path): \(FileErrorText.reason(for: error) ?? Interpreter.message(for: error))", argument: 0)
                    }
                    session.log = log
                    session.io = log.teeing(session.io)
                    session.io.out("writing the transcript to \(path); 'log off' stops")
                }
            ),
            Command(
                name: "source", operands: "FILE [ARG...]", summary: "Run a script file in this session",
                details: "The script sees its own $1, $2, ...; variables it sets stay set. A relative FILE is looked for beside the script that sources it first, then in the working folder, so a folder of scripts runs from anywhere. An error inside it is reported at its own line, with an 'included from' line for each source that led there.",
                examples: ["source setup.gq", "source sweep.gq gate.z"],
                completion: .paths,
                parse: { arguments -> [String] in
                    try arguments.expectCount(1...Int.max)
                    return [arguments.path(0)] + arguments.words.dropFirst()
                },
                run: source
            ),
            Command(
                name: "set seed", operands: "N",
                summary: "Set the session seed that splits, initialisation and shuffling start from",
                details: "Commands that take their own 'seed' option use it instead. The same seed gives the same numbers on any machine.",
                examples: ["set seed 42"],
                publishes: ["seed"],
                parse: { arguments -> UInt64 in
                    try arguments.expectCount(1...1)
                    guard let seed = UInt64(arguments[0]) else {
                        throw CommandError("the seed must be a whole number ≥ 0, got '\(arguments[0])'", argument: 0)
                    }
                    return seed
                },
                run: { interpreter, seed in
                    interpreter.session.seed = seed
                    interpreter.session.variables["seed"] = .number(Double(seed))
                }
            ),
            Command(
                name: "show vars", summary: "List the variables and their values",
                examples: ["show vars"],
                run: { interpreter in
                    let variables = interpreter.session.variables
                    if variables.isEmpty { interpreter.session.io.out("no variables set"); return }
                    let width = variables.keys.map(\.count).max() ?? 0
                    for name in variables.keys.sorted() {
                        let value = variables[name].map { v -> String in
                            if case .string(let s) = v { return "\"\(s)\"" }
                            return v.description
                        } ?? ""
                        interpreter.session.io.out(name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + value)
                    }
                }
            ),
            Command(
                name: "exit", operands: "[STATUS]", summary: "Leave gq (also 'quit' or Ctrl-D)",
                examples: ["exit", "exit 3"],
                parse: parseStatus,
                run: leave
            ),
            Command(name: "quit", summary: "Leave gq", parse: parseStatus, run: leave),
        ]
    }

    private static func parseStatus(_ arguments: Arguments) throws -> Int32 {
        try arguments.expectCount(0...1)
        guard arguments.count == 1 else { return 0 }
        guard let value = Int32(arguments[0]), (0...255).contains(value) else {
            throw CommandError("the exit status must be a whole number from 0 to 255, got '\(arguments[0])'", argument: 0)
        }
        return value
    }

    private static func leave(_ interpreter: Interpreter, _ status: Int32) throws {
        throw ExitRequest(status: status)
    }

    private static func source(_ interpreter: Interpreter, _ arguments: [String]) throws {
        let path = resolve(arguments[0], besides: interpreter.runningFile)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandError("cannot read script '\(path)': \(FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file")", argument: 0)
        }
        let session = interpreter.session
        guard session.sourceDepth < 64 else {
            throw CommandError("'source' is nested 64 deep: does '\(path)' source itself?", argument: 0)
        }
        let saved = session.scriptArguments
        session.scriptArguments = arguments
        session.sourceDepth += 1
        defer {
            session.scriptArguments = saved
            session.sourceDepth -= 1
        }
        try interpreter.run(SourceText(name: path, text: text))
    }

    /// A relative path beside the sourcing script when a file is there, else as given
    /// (the working folder).
    public static func resolve(_ path: String, besides script: String?) -> String {
        guard !path.hasPrefix("/"), let script, script.contains("/") else { return path }
        // Kept as written (not made absolute), so messages name the path a person typed.
        let beside = (script as NSString).deletingLastPathComponent + "/" + path
        return FileManager.default.fileExists(atPath: beside) ? beside : path
    }

    /// An `append` line, read: the file and the row's columns and values.
    struct Row {
        var path: String
        var names: [String]
        var values: [String]
    }

    private static func parseAppend(_ arguments: Arguments) throws -> Row {
        try arguments.expectCount(2...Int.max)
        let path = arguments.path(0)
        var names: [String] = []
        var values: [String] = []
        for index in 1..<arguments.count {
            let word = arguments[index]
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw CommandError("expected NAME=VALUE, got '\(word)'", argument: index)
            }
            let name = String(word[..<equals])
            if names.contains(name) { throw CommandError("column '\(name)' given twice", argument: index) }
            names.append(name)
            values.append(String(word[word.index(after: equals)...]))
        }
        return Row(path: path, names: names, values: values)
    }

    /// Appends one row, whole or not at all, safe under concurrent writers (a Slurm array's
    /// tasks appending to one table): a new file appears with its header and first row
    /// together (`FileWriting.createNew`); an existing one is locked while its header is
    /// checked and the row written in one `O_APPEND` write, cut back on a full disk.
    private static func append(_ interpreter: Interpreter, _ row: Row) throws {
        let path = row.path
        let header = CSVRow.format(row.names)
        let line = CSVRow.format(row.values) + "\n"
        do {
            if !FileManager.default.fileExists(atPath: path),
               try FileWriting.createNew(path, with: Data((header + "\n" + line).utf8)) {
                return
            }
            let descriptor = try FileWriting.openForAppending(path, read: true)
            defer { close(descriptor) }
            // Advisory, and best effort: where the file system has no locks, the row is
            // still one O_APPEND write.
            let locked = flock(descriptor, LOCK_EX) == 0
            defer { if locked { flock(descriptor, LOCK_UN) } }
            var output = ""
            let existing = firstLineAndLastByte(descriptor)
            if let (firstLine, last) = existing {
                guard firstLine == header else {
                    throw CommandError("\(path) has the columns \(firstLine), but this row has \(header): write to a new file or use the same columns", argument: 0)
                }
                if last != UInt8(ascii: "\n") { output += "\n" }
            } else {
                output += header + "\n"
            }
            try FileWriting.appendWhole(Data((output + line).utf8), to: descriptor, path: path, locking: !locked)
        } catch let error as FileWriteError {
            throw CommandError("could not append the row to \(path): \(error.reason)", argument: 0)
        }
    }

    /// The first line (trimmed) and the last byte of a non-empty file, or nil when it is empty.
    private static func firstLineAndLastByte(_ descriptor: Int32) -> (String, UInt8)? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else { return nil }
        var head = [UInt8](repeating: 0, count: Int(min(status.st_size, 65536)))
        let count = pread(descriptor, &head, head.count, 0)
        var last: UInt8 = 0
        _ = pread(descriptor, &last, 1, status.st_size - 1)
        let firstLine = String(decoding: head.prefix(max(count, 0)).prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (firstLine, last)
    }
}

/// CSV quoting as RFC 4180 has it: quote a field holding a comma, quote or newline.
enum CSVRow {
    static func format(_ fields: [String]) -> String {
        fields.map { field in
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }
}
