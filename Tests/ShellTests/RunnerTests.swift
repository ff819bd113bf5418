import Foundation
import Shell
import Testing

@Suite("The read-eval-print loop")
struct RunnerTests {
    /// Feeds lines to a loop and records the prompts it showed.
    func loop(_ lines: [InputLine], stopOnError: Bool) -> (status: Int32, transcript: Transcript, prompts: [String], remembered: [String]) {
        let (interpreter, transcript) = makeShell()
        var queue = lines
        var prompts: [String] = []
        var remembered: [String] = []
        let status = Runner(interpreter: interpreter).loop(name: "<repl>", stopOnError: stopOnError, read: { prompt in
            prompts.append(prompt)
            return queue.isEmpty ? .endOfInput : queue.removeFirst()
        }, remember: { remembered.append($0) })
        return (status, transcript, prompts, remembered)
    }

    @Test("an open block asks for more lines with a continuation prompt")
    func continuation() {
        let result = loop([.line("for b in 1..2 {"), .line("echo $b"), .line("}")], stopOnError: false)
        #expect(result.transcript.out == ["1", "2"])
        #expect(result.prompts == ["gq> ", "...> ", "...> ", "gq> "])
        #expect(result.remembered == ["for b in 1..2 { echo $b }"])
    }

    @Test("a block typed over several lines is remembered as one line that runs the same statements")
    func blockHistory() {
        #expect(HistoryEntry.line(for: "for b in 2..4 {\n  set bits all=$b\n  eval\n}") == "for b in 2..4 { set bits all=$b; eval }")
        #expect(HistoryEntry.line(for: "if x > 1 {\necho a\n}\nelse {\necho b\n}") == "if x > 1 { echo a } else { echo b }")
        #expect(HistoryEntry.line(for: "  echo a  ") == "echo a")
        #expect(HistoryEntry.line(for: " \n ") == nil)
        // A comment would swallow the rest of a joined line: such a block is not kept.
        #expect(HistoryEntry.line(for: "for b in 1..2 {\necho $b # the width\necho done\n}") == nil)
        let recalled = loop([.line("for b in 1..2 { echo $b }")], stopOnError: false)
        #expect(recalled.transcript.out == ["1", "2"])
    }

    @Test("the REPL reports an error with its line and carries on")
    func carriesOn() {
        let result = loop([.line("echo a"), .line("trian"), .line("echo b")], stopOnError: false)
        #expect(result.status == 0)
        #expect(result.transcript.out == ["a", "b"])
        #expect(result.transcript.err == ["<repl>:2:1: error: unknown command 'trian' (did you mean 'train'?); 'help' lists commands"])
    }

    @Test("piped input stops at the first error with status 1")
    func stopsOnError() {
        let result = loop([.line("echo a"), .line("trian"), .line("echo b")], stopOnError: true)
        #expect(result.status == 1)
        #expect(result.transcript.out == ["a"])
    }

    @Test("Ctrl-C at the prompt drops a half-typed block")
    func interruptClearsPending() {
        let result = loop([.line("for b in 1..2 {"), .interrupted, .line("echo c")], stopOnError: false)
        #expect(result.transcript.out == ["c"])
        #expect(result.prompts[2] == "gq> ")
    }

    @Test("exit leaves the loop with its status")
    func exitStatus() {
        let result = loop([.line("exit 4"), .line("echo never")], stopOnError: false)
        #expect(result.status == 4)
        #expect(result.transcript.out.isEmpty)
    }

    @Test("input that ends inside a block is an error when piped")
    func endsInsideBlock() {
        let result = loop([.line("for b in 1..2 {")], stopOnError: true)
        #expect(result.status == 1)
        #expect(result.transcript.err.first?.contains("missing '}'") == true)
    }

    @Test("a script's error is reported as FILE:LINE:COL and gives status 1")
    func scriptStatus() {
        let (interpreter, transcript) = makeShell()
        let status = Runner(interpreter: interpreter).runScript(SourceText(name: "x.gq", text: "echo 1\nset bts"))
        #expect(status == 1)
        #expect(transcript.err == ["x.gq:2:5: error: unknown subject 'bts' for 'set' (did you mean 'bits'?); try 'set bits', 'set quant', 'set seed'"])
    }
}

@Suite("source finds files beside the script and says where an error was included from")
struct SourceIncludeTests {
    func folder() throws -> URL {
        let directory = temporaryFolder("source-include")
        let scripts = directory.appendingPathComponent("s")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        try "echo outer\nsource inner.gq\necho after\n".write(to: scripts.appendingPathComponent("outer.gq"), atomically: true, encoding: .utf8)
        try "echo inner\nset bits zz=4\n".write(to: scripts.appendingPathComponent("inner.gq"), atomically: true, encoding: .utf8)
        return scripts
    }

    @Test("a relative path in a sourced script resolves beside that script, whatever the working folder")
    func resolvesBeside() throws {
        let scripts = try folder()
        let resolved = ScriptingCommands.resolve("inner.gq", besides: scripts.appendingPathComponent("outer.gq").path)
        #expect(resolved == scripts.appendingPathComponent("inner.gq").path)
        #expect(ScriptingCommands.resolve("missing.gq", besides: scripts.appendingPathComponent("outer.gq").path) == "missing.gq")
        #expect(ScriptingCommands.resolve("/abs/x.gq", besides: scripts.appendingPathComponent("outer.gq").path) == "/abs/x.gq")
    }

    @Test("an error in a sourced script is at its own line, with an included-from line naming the source line")
    func includedFrom() throws {
        let scripts = try folder()
        let outer = scripts.appendingPathComponent("outer.gq").path
        let text = try String(contentsOfFile: outer, encoding: .utf8)
        let error = failure(text, file: outer)
        #expect(error?.location.file == scripts.appendingPathComponent("inner.gq").path)
        #expect(error?.location.line == 2)
        #expect(error?.includedFrom == [SourceLocation(file: outer, line: 2, column: 1)])
        #expect(error?.formatted.hasSuffix("\n  included from \(outer):2") == true)
    }
}

@Suite("Reading a long block line by line")
struct LongBlockTests {
    @Test("the brace count the loop uses agrees with the parser on what is still open")
    func agreesWithParser() {
        let lines = [
            "for i in 1..3 {", "if x > 1 {", "} else {", "}", "echo '{'", "echo \"}\" {", "echo ${x} {", "echo a#b {",
            "echo {a} # }", "  # only { a comment", "echo \\{", "set bits all=$b", "let s = \"a\\\"{\"", "for op in r.wx z.wh { echo $op }",
        ]
        for line in lines {
            guard let balance = Runner.braceBalance(line) else { continue }
            var open = false
            do {
                _ = try Parser.parse(SourceText(name: "t", text: line + "\n"))
            } catch ShellError.incomplete {
                open = true
            } catch {
                continue  // a syntax error: the loop parses such a line whole anyway
            }
            #expect(open == (balance > 0), "\(line): balance \(balance), parser says \(open ? "open" : "closed")")
        }
        #expect(Runner.braceBalance("echo 'open") == nil)
    }

    @Test("a block of 4000 lines piped in runs once, whole")
    func longPipedBlock() {
        let (interpreter, transcript) = makeShell()
        var lines: [InputLine] = [.line("let n = 0"), .line("for i in 1 {")]
        lines += Array(repeating: .line("  let n = n + 1"), count: 4000)
        lines += [.line("}"), .line("echo $n"), .endOfInput]
        var next = 0
        let status = Runner(interpreter: interpreter).loop(name: "<stdin>", stopOnError: true, read: { _ in
            defer { next += 1 }
            return lines[next]
        })
        #expect(status == 0)
        #expect(transcript.out == ["4000"])
    }
}
