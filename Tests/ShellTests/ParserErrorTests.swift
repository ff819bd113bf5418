import Shell
import Testing

@Suite("Parser errors name the place and the problem")
struct ParserErrorTests {
    @Test("a syntax error reports FILE:LINE:COL")
    func locationFormat() throws {
        let error = try #require(failure("echo hi\nlet = 4", file: "ablation.gq"))
        #expect(error.formatted.hasPrefix("ablation.gq:2:"))
        #expect(error.formatted.contains(": error: expected a variable name after 'let'"))
    }

    @Test("let without '=' shows the right form")
    func letWithoutEquals() throws {
        let error = try #require(failure("let x 4"))
        #expect(error.message == "expected '=' after 'let x', as in 'let x = 4'")
        #expect(error.location.column == 7)
    }

    @Test("an unterminated string is incomplete, not wrong")
    func unterminatedString() throws {
        let error = try #require(failure("echo \"abc"))
        guard case .incomplete(let message, let at) = error else { Issue.record("got \(error)"); return }
        #expect(message == "unterminated string: missing closing \"")
        #expect(at.column == 6)
    }

    @Test("an unclosed block is incomplete and names the line it opened on")
    func unclosedBlock() throws {
        let error = try #require(failure("echo a\nfor b in 2..3 {\n  echo $b\n"))
        guard case .incomplete(let message, _) = error else { Issue.record("got \(error)"); return }
        #expect(message == "missing '}' to close the block opened at line 2")
    }

    @Test("a stray closing brace is an error")
    func strayBrace() throws {
        let error = try #require(failure("echo a\n}"))
        #expect(error.message == "unexpected '}' with no block open")
        #expect(error.location.line == 2 && error.location.column == 1)
    }

    @Test("a brace after an ordinary command is an error")
    func braceAfterCommand() throws {
        let error = try #require(failure("train {"))
        #expect(error.message == "unexpected '{' after a command: only 'for', 'if' and 'else' take a block")
    }

    @Test("a bare block is an error")
    func bareBlock() throws {
        let error = try #require(failure("{ echo a }"))
        #expect(error.message == "unexpected '{': a block follows 'for', 'if' or 'else'")
    }

    @Test("else without if is an error")
    func elseWithoutIf() throws {
        #expect(failure("else { echo a }")?.message == "'else' without a preceding 'if' block")
    }

    @Test("for needs a variable name")
    func forWithoutVariable() throws {
        #expect(failure("for 2x in 1..2 { echo }")?.message == "expected a variable name after 'for', as in 'for b in 2..8 { ... }'")
    }

    @Test("for needs 'in'")
    func forWithoutIn() throws {
        #expect(failure("for b 1..2 { echo }")?.message == "expected 'in' after 'for b', as in 'for b in 2..8 { ... }'")
    }

    @Test("for needs values before the block")
    func forWithoutValues() throws {
        #expect(failure("for b in { echo }")?.message == "'for b in' needs values before '{', such as '2..8' or 'r.wx z.wh'")
    }

    @Test("for needs its brace on the same line")
    func forBraceOnNextLine() throws {
        #expect(failure("for b in 1..2\n{ echo }")?.message == "expected '{' to open the body of 'for b in ...' on the same line")
    }

    @Test("if needs a brace")
    func ifWithoutBrace() throws {
        #expect(failure("if 1 echo")?.message == "expected '{' after 'if' on the same line")
    }

    @Test("a single '=' in a condition suggests '=='")
    func singleEquals() throws {
        let error = try #require(failure("assert accuracy = 1"))
        #expect(error.message == "'=' assigns only in 'let'; compare with '=='")
        #expect(error.location.column == 17)
    }

    @Test("trailing tokens after an expression are an error")
    func trailingTokens() throws {
        #expect(failure("let x = 1 2")?.message == "unexpected number 2 after the expression")
    }

    @Test("a missing closing parenthesis is an error")
    func missingParenthesis() throws {
        #expect(failure("let x = (1 + 2")?.message == "expected ')' but found the end of the statement")
    }

    @Test("an operator with nothing after it is an error")
    func danglingOperator() throws {
        #expect(failure("let x = 1 +")?.message == "expected a number, variable or '(' but found the end of the statement")
    }

    @Test("a stray character in an expression is named")
    func strayCharacter() throws {
        #expect(failure("let x = 1 @ 2")?.message == "unexpected character '@' in expression")
    }

    @Test("a malformed number is named")
    func malformedNumber() throws {
        #expect(failure("let x = 12abc")?.message == "malformed number '12a…'")
    }

    @Test("a dollar sign with no name in an expression is an error")
    func bareDollar() throws {
        #expect(failure("let x = $ + 1")?.message == "'$' must be followed by a variable name")
    }

    @Test("a bad argument list is an error")
    func badArgumentList() throws {
        #expect(failure("let x = max(1 2)")?.message == "expected ',' or ')' in the argument list but found number 2")
    }
}
