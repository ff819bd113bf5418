/// One line of input for the REPL loop, as the line source reports it.
public enum InputLine: Equatable, Sendable {
    case line(String)
    /// Ctrl-C at the prompt: drop what was typed and prompt again.
    case interrupted
    case endOfInput
}

/// Drives an interpreter: whole scripts, or a read–eval–print loop over any line source.
///
/// Exit statuses: 0 success, 1 an error (a script stops at its first), 130 Ctrl-C
/// in a script (the shell convention, 128 + SIGINT), or what `exit N` asked for.
public struct Runner {
    public let interpreter: Interpreter

    public init(interpreter: Interpreter) {
        self.interpreter = interpreter
    }

    private var io: ShellIO { interpreter.session.io }

    /// Runs a whole script; reports its first error as `FILE:LINE:COL: error: ...`.
    public func runScript(_ source: SourceText) -> Int32 {
        do {
            try interpreter.run(source)
            return 0
        } catch {
            return report(error)
        }
    }

    /// Reads statements line by line until the input ends.
    ///
    /// A line that leaves a block or string open asks for more (`...>`). With
    /// `stopOnError` (piped input) the first error ends the loop with status 1;
    /// otherwise the error is printed and the loop carries on, as a REPL should.
    public func loop(name: String, stopOnError: Bool, read: (String) -> InputLine, remember: (String) -> Void = { _ in }) -> Int32 {
        var pending = ""
        var openBlocks = 0
        var pendingStart = 1
        var nextLine = 1
        while true {
            let prompt = pending.isEmpty ? "gq> " : "...> "
            switch read(prompt) {
            case .endOfInput:
                if !pending.isEmpty {
                    do {
                        _ = try Parser.parse(SourceText(name: name, text: pending, firstLine: pendingStart))
                    } catch {
                        let status = report(error)
                        if stopOnError { return status }
                    }
                }
                return 0
            case .interrupted:
                pending = ""
                openBlocks = 0
                interpreter.session.interrupt.clear()
            case .line(let text):
                interpreter.session.logInput(prompt, text)
                if pending.isEmpty { pendingStart = nextLine; openBlocks = 0 }
                nextLine += 1
                pending += text + "\n"
                // While a block is plainly still open, parsing the whole entry again at every
                // line would make a long piped block quadratic; a count of braces says so in
                // time linear in the line. Anything less plain (a string left open) parses.
                if let change = Runner.braceBalance(text) {
                    openBlocks += change
                    if openBlocks > 0 { continue }
                }
                let statements: [Statement]
                do {
                    statements = try Parser.parse(SourceText(name: name, text: pending, firstLine: pendingStart))
                    try interpreter.check(statements)
                } catch ShellError.incomplete {
                    continue
                } catch {
                    rememberEntry(pending, remember)
                    pending = ""
                    let status = report(error)
                    if stopOnError { return status }
                    continue
                }
                rememberEntry(pending, remember)
                pending = ""
                do {
                    try interpreter.execute(statements)
                } catch let request as ExitRequest {
                    return request.status
                } catch let error as ShellError where error.isInterruption {
                    // At a prompt the stopped command has said what it kept; only piped input ends here.
                    interpreter.session.interrupt.clear()
                    if stopOnError { return report(error) }
                } catch {
                    let status = report(error)
                    if stopOnError { return status }
                }
            }
        }
    }

    /// `{` minus `}` on a line as the scanner reads it: not inside quotes, `${name}`, after a
    /// backslash, or in a `#` comment (which starts a word). Nil when the line leaves
    /// something the count cannot follow (an open string, a trailing backslash).
    public static func braceBalance(_ line: String) -> Int? {
        let characters = Array(line)
        var balance = 0
        var index = 0
        var wordStart = true
        while index < characters.count {
            let c = characters[index]
            if c == " " || c == "\t" || c == "\r" || c == ";" {
                wordStart = true
                index += 1
                continue
            }
            if c == "#", wordStart { return balance }
            wordStart = false
            switch c {
            case "\"", "'":
                var end = index + 1
                while end < characters.count, characters[end] != c {
                    end += (c == "\"" && characters[end] == "\\") ? 2 : 1
                }
                guard end < characters.count else { return nil }
                index = end + 1
            case "\\":
                guard index + 1 < characters.count else { return nil }
                index += 2
            case "$":
                if index + 1 < characters.count, characters[index + 1] == "{" {
                    guard let close = characters[(index + 2)...].firstIndex(of: "}") else { return nil }
                    index = close + 1
                } else {
                    index += 1
                }
            case "{":
                balance += 1
                wordStart = true
                index += 1
            case "}":
                balance -= 1
                wordStart = true
                index += 1
            default:
                index += 1
            }
        }
        return balance
    }

    private func rememberEntry(_ entry: String, _ remember: (String) -> Void) {
        if let line = HistoryEntry.line(for: entry) { remember(line) }
    }

    /// Prints an error and returns the exit status it implies.
    @discardableResult
    public func report(_ error: Error) -> Int32 {
        switch error {
        case let request as ExitRequest:
            return request.status
        case let shellError as ShellError:
            let label = io.useColor ? "\u{1B}[1;31merror:\u{1B}[0m" : "error:"
            for single in shellError.all {
                io.err("\(single.location): \(label) \(single.message)")
                for line in single.includedFrom { io.err("  included from \(line.file):\(line.line)") }
            }
            if shellError.isInterruption { return 130 }
            return 1
        default:
            io.err("error: \(Interpreter.message(for: error))")
            return 1
        }
    }
}
