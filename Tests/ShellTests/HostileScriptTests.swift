import Foundation
import Shell
import Testing

@Suite("Hostile scripts: deep nesting, long chains, huge ranges, CRLF")
struct HostileScriptTests {
    @Test("5000 nested parentheses stop with a located error instead of overflowing the stack")
    func parentheses() {
        let text = "let x = " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        let error = failure(text)
        #expect(error?.message == "parentheses nest more than \(Parser.maxDepth) deep here; split the script or the expression with 'let'")
        #expect(error?.location.line == 1 && error?.location.column == 9 + Parser.maxDepth)
    }

    @Test("deep blocks, long unary and 'not' runs, and nested calls are refused the same way")
    func otherNesting() {
        let blocks = String(repeating: "if 1 {\n", count: 7000) + "echo deep\n" + String(repeating: "}\n", count: 7000)
        #expect(failure(blocks)?.message.hasPrefix("blocks nest more than \(Parser.maxDepth) deep") == true)
        #expect(failure("let x = " + String(repeating: "-", count: 36000) + "1")?.message.hasPrefix("operators nest more than") == true)
        #expect(failure("let x = " + String(repeating: "not ", count: 5000) + "1")?.message.hasPrefix("operators nest more than") == true)
        #expect(failure("let x = " + String(repeating: "abs(", count: 10000) + "1" + String(repeating: ")", count: 10000))?.message
                    .hasPrefix("parentheses nest more than") == true)
    }

    @Test("7000 nested for, else and else-if blocks each stop with a located error instead of overflowing the stack", arguments: [
        ("for", String(repeating: "for i in 1 {\n", count: 7000) + "echo deep\n" + String(repeating: "}\n", count: 7000)),
        ("else", String(repeating: "if 0 { echo a } else {\n", count: 7000) + "echo deep\n" + String(repeating: "}\n", count: 7000)),
        ("else if", "if 0 { echo a }" + String(repeating: " else if 0 { echo b }", count: 100_000)),
        ("mixed", String(repeating: "for i in 1 { if 1 {\n", count: 3500) + "echo deep\n" + String(repeating: "} }\n", count: 3500)),
    ])
    func everyBlockForm(_ form: String, _ text: String) {
        let error = failure(text)
        #expect(error?.message.hasPrefix("blocks nest more than \(Parser.maxDepth) deep") == true, "\(form)")
        #expect(error?.all.count == 1, "\(form): one error, not one per level")
        #expect(error?.message.contains("'else if' of the chain counts one") == (form == "else if"), "\(form): the chain is named only for a chain")
    }

    @Test("for, else and else-if blocks nested within the limit run")
    func blocksWithinLimit() throws {
        let depth = Parser.maxDepth - 1
        #expect(try run(String(repeating: "for i in 1 {\n", count: depth) + "echo deep\n" + String(repeating: "}\n", count: depth)) == ["deep"])
        let ladder = "let x = 150\nif x == 0 { echo 0 }" + (1..<150).map { " else if x == \($0) { echo \($0) }" }.joined() + " else { echo last }"
        #expect(try run(ladder) == ["last"])
    }

    @Test("a chain of 22000 terms runs (evaluated in a loop); one past the limit is refused at the operator past it")
    func chains() throws {
        let long = try run("let x = 1" + String(repeating: " + 1", count: 22000) + "\necho $x")
        #expect(long.last == "22001")
        let error = failure("let x = 1" + String(repeating: " + 1", count: Parser.maxChain + 1))
        #expect(error?.message == "more than \(Parser.maxChain) operators in a row here; split the expression with 'let'")
        let mixed = try run("let x = 2" + String(repeating: " * 1 - 1 + 1", count: 3000) + "\necho $x")
        #expect(mixed.last == "2")
        let logic = try run("let x = 1" + String(repeating: " and 1 or 0", count: 3000) + "\necho $x")
        #expect(logic.last == "1")
    }

    @Test("nesting within the limit still works")
    func withinLimit() throws {
        let depth = Parser.maxDepth - 2
        let out = try run("let x = " + String(repeating: "(", count: depth) + "2" + String(repeating: ")", count: depth) + "\necho $x")
        #expect(out == ["2"])
    }

    @Test("ranges are walked, not built: the ends of Int run, in both directions, without overflow")
    func ranges() throws {
        let top = try run("let n = 0\nfor i in 9223372036854775805..9223372036854775807 { let n = n + 1 }\necho $n")
        #expect(top == ["3"])
        let down = try run("let n = 0\nfor i in -9223372036854775806..-9223372036854775808 { let n = n + 1 }\necho $n")
        #expect(down == ["3"])
        let mixed = try run("for i in 3..1 2 { echo $i }")
        #expect(mixed == ["3", "2", "1", "2"])
    }

    @Test("Ctrl-C stops a huge loop with an empty body between iterations")
    func interruptible() throws {
        let transcript = Transcript()
        let io = ShellIO(out: { transcript.out.append($0) }, err: { transcript.err.append($0) })
        let counter = InterruptAfter(polls: 1000)
        let session = Session(io: io, interrupt: InterruptSource(isPending: { counter.poll() }, clear: {}), modelCache: nil)
        let interpreter = Interpreter(session: session)
        #expect(throws: ShellError.self) { try interpreter.run(SourceText(name: "t.gq", text: "for i in 1..9223372036854775807 {}")) }
        #expect(counter.count >= 1000)
    }

    @Test("a CRLF script runs line by line, as the same text with LF does")
    func crlf() throws {
        #expect(try run("echo hi\r\necho there\r\nlet x = 1\r\necho $x\r\n") == ["hi", "there", "1"])
    }

    @Test("sweep with an absurd range names the end, without building the list")
    func sweepRange() {
        #expect(failure("sweep h.add in 2..9999999999")?.message == "9999999999 bits is out of range: widths run from 2 to 16")
    }
}

/// An interrupt that becomes pending after a number of polls.
private final class InterruptAfter: @unchecked Sendable {
    private let lock = NSLock()
    private var polls = 0
    private let limit: Int
    init(polls: Int) { limit = polls }
    var count: Int { lock.withLock { polls } }
    func poll() -> Bool { lock.withLock { polls += 1; return polls > limit } }
}

@Suite("Nesting across sourced files")
struct SourceNestingTests {
    @Test("a file that sources itself from deep inside blocks stops at the nesting limit across files, not with a stack overflow")
    func deepSources() throws {
        let folder = temporaryFolder("deep-source")
        let script = folder.appendingPathComponent("deep.gq")
        let depth = Parser.maxDepth - 1
        let text = "let m = $1 - 1\n" + String(repeating: "if 1 {\n", count: depth) + "if m > 0 { source deep.gq $m }\n" + String(repeating: "}\n", count: depth)
        try text.write(to: script, atomically: true, encoding: .utf8)
        let (interpreter, _) = makeShell()
        do {
            try interpreter.run(SourceText(name: script.path, text: "source \(script.path) 63"))
            Issue.record("ran 63 sources, each \(depth) blocks deep")
        } catch let error as ShellError {
            #expect(error.root.message.hasPrefix("blocks nest more than \(Parser.maxDepth) deep here (with the"))
        }
    }
}
