import Shell
import Testing

@Suite("The parser reports every syntax error in a file, recovering at the next line")
struct ParserRecoveryTests {
    @Test("three broken lines give three errors in source order, each at its line and column")
    func everyLine() throws {
        let script = "let = 3\necho fine\nassert 1 +\nlet y 4\necho fine"
        let errors = try #require(failure(script)).all
        #expect(errors.map { "\($0.location.line):\($0.location.column)" } == ["1:5", "3:11", "4:7"])
        #expect(errors.allSatisfy { if case .syntax = $0 { true } else { false } })
    }

    @Test("an error in a for header skips its whole block, so the block's body and '}' cause no further errors")
    func skipsTheBlock() throws {
        let script = "for 1x in 2..4 {\n  echo $b\n  let = 2\n}\nlet y 4"
        let errors = try #require(failure(script)).all
        #expect(errors.map(\.location.line) == [1, 5])
    }

    @Test("an error inside a block is reported and the block still closes at its '}'")
    func insideTheBlock() throws {
        let script = "if 1 {\n  let = 2\n  echo ok\n}\nassert\n"
        let errors = try #require(failure(script)).all
        #expect(errors.map(\.location.line) == [2, 5])
    }

    @Test("a stray '{' or '}' is one error each, and parsing goes on")
    func strayBraces() throws {
        let errors = try #require(failure("{ echo a }\n}\nlet = 1")).all
        #expect(errors.map(\.message) == ["unexpected '{': a block follows 'for', 'if' or 'else'",
                                          "unexpected '}' with no block open",
                                          "expected a variable name after 'let', as in 'let x = 4'"])
    }

    @Test("a file of nothing but errors stops after the most errors one parse reports, and says so")
    func stopsAfterMany() throws {
        let errors = try #require(failure(String(repeating: "let = 1\n", count: 1000))).all
        #expect(errors.count == Parser.maxErrors + 1)
        #expect(errors.last?.message == "stopped after \(Parser.maxErrors) errors")
    }

    @Test("a text that only ends inside a block is still incomplete, so the prompt asks for more")
    func incompleteStaysIncomplete() throws {
        let error = try #require(failure("for b in 2..3 {\n  echo $b\n"))
        guard case .incomplete = error else { Issue.record("got \(error)"); return }
    }

    @Test("an error before an unclosed block is reported with the missing '}', not as incomplete")
    func errorThenIncomplete() throws {
        let errors = try #require(failure("let = 1\nfor b in 2..3 {\n  echo $b\n")).all
        #expect(errors.count == 2)
        #expect(errors.last?.message == "missing '}' to close the block opened at line 2")
    }

    @Test("a line of stray braces counts towards the most errors one parse reports")
    func strayBracesAreCapped() throws {
        let errors = try #require(failure(String(repeating: "}\n", count: 10_000))).all
        #expect(errors.count == Parser.maxErrors + 1)
    }

    @Test("a header missing its '{' does not swallow the next line's error")
    func missingBrace() throws {
        for header in ["for i in 1 2 3", "if 1 > 0"] {
            let errors = try #require(failure("\(header)\nlet = 1\nlet = 2")).all
            #expect(errors.map(\.location.line) == [1, 2, 3], "\(header)")
        }
    }

    @Test("a brace a bad statement opens or closes is its own, not the enclosing block's")
    func bracesOfABadStatement() throws {
        #expect(try #require(failure("echo { a }")).all.count == 1)
        #expect(try #require(failure("for x in { echo a }")).all.count == 1)
        let errors = try #require(failure("if 1 { for i in 1 2 }\nlet = 3")).all
        #expect(errors.map(\.location.line) == [1, 2])
    }

    @Test("the else branches after a block nested too deep are skipped with it, on its line or the next")
    func elseAfterTooDeep() throws {
        let deep = String(repeating: "if 1 {\n", count: Parser.maxDepth) + "if 1 {\n echo a\n}\nelse {\n echo b\n}\n" + String(repeating: "}\n", count: Parser.maxDepth)
        #expect(try #require(failure(deep)).all.count == 1)
        let chain = "if 0 { echo 0 }\n" + (1...300).map { "else if 0 { echo \($0) }\n" }.joined()
        #expect(try #require(failure(chain)).all.count == 1)
    }
}
