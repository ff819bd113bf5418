import Foundation
import Shell
import Testing

@Suite("The language: variables, loops, conditions, assertions")
struct InterpreterTests {
    @Test("let and interpolation in words and strings")
    func interpolation() throws {
        let out = try run("let x = 4\nlet name = \"gate.z\"\necho $name=$x \"${name} at $x bits\"")
        #expect(out == ["gate.z=4 gate.z at 4 bits"])
    }

    @Test("single quotes are literal")
    func singleQuotes() throws {
        #expect(try run("let x = 1; echo '$x'") == ["$x"])
    }

    @Test("arithmetic follows precedence and numbers print plainly")
    func arithmetic() throws {
        #expect(try run("let x = 1 + 2 * 3 - 4 / 8\necho $x") == ["6.5"])
        #expect(try run("let x = (1 + 2) * 3; echo $x") == ["9"])
        #expect(try run("let x = 2 ** 10 % 1000; echo $x") == ["24"])
        #expect(try run("let x = -3 + round(2.346, 2) + max(1, 5, 2) + abs(-1); echo $x") == ["5.35"])
        #expect(try run("let x = 1 / 3; echo $x") == ["0.333333"])
    }

    @Test("for over a range, a descending range and a list")
    func loops() throws {
        #expect(try run("for b in 2..4 { echo $b }") == ["2", "3", "4"])
        #expect(try run("for b in 3..1 { echo $b }") == ["3", "2", "1"])
        #expect(try run("for op in r.wx z.wh gate.z {\n  echo op $op\n}") == ["op r.wx", "op z.wh", "op gate.z"])
        #expect(try run("for b in 1..2 8 { echo $b }") == ["1", "2", "8"])
    }

    @Test("nested loops and a loop variable in a pattern")
    func nested() throws {
        let out = try run("for a in x y {\n for b in 1..2 { echo $a=$b }\n}")
        #expect(out == ["x=1", "x=2", "y=1", "y=2"])
    }

    @Test("if, else if and else choose one block")
    func conditionals() throws {
        let script = "for x in 1..3 {\n if x == 1 { echo one } else if x == 2 { echo two }\n else { echo many }\n}"
        #expect(try run(script) == ["one", "two", "many"])
    }

    @Test("and, or and not, with short-circuit")
    func logic() throws {
        #expect(try run("if 1 > 0 and not (2 < 1) { echo yes }") == ["yes"])
        #expect(try run("let x = 0; if x != 0 and 1 / x > 1 { echo no } else { echo safe }") == ["safe"])
        #expect(try run("if 0 or \"\" { echo no } else { echo neither }") == ["neither"])
    }

    @Test("strings compare with == and join with +")
    func strings() throws {
        #expect(try run("let a = \"gate\" + \".z\"; if a == \"gate.z\" { echo $a }") == ["gate.z"])
    }

    @Test("script arguments are $1, $2 and $# counts them")
    func scriptArguments() throws {
        #expect(try run("echo $# $1 $2", arguments: ["digits", "out.csv"]) == ["2 digits out.csv"])
        #expect(try run("let n = $1 * 2; echo $n", arguments: ["21"]) == ["42"])
    }

    @Test("comments and semicolons separate nothing and everything")
    func commentsAndSeparators() throws {
        #expect(try run("#!/usr/bin/env gq\necho a; echo b # not printed\n\n  # comment\necho c") == ["a", "b", "c"])
    }

    @Test("a backslash at the end of a line continues it")
    func continuation() throws {
        #expect(try run("echo a \\\n  b") == ["a b"])
    }

    @Test("a passing assertion prints nothing")
    func passingAssertion() throws {
        #expect(try run("let accuracy = 0.97\nassert accuracy >= 0.95 and accuracy <= 1") == [])
    }

    @Test("set seed sets the session seed")
    func setSeed() throws {
        let (interpreter, _) = makeShell()
        try interpreter.run(SourceText(name: "t", text: "set seed 42"))
        #expect(interpreter.session.seed == 42)
    }

    @Test("exit stops with the given status")
    func exitStatus() throws {
        let (interpreter, _) = makeShell()
        #expect(throws: ExitRequest(status: 3)) { try interpreter.run(SourceText(name: "t", text: "exit 3\necho no")) }
    }

    @Test("source runs a file with its own arguments")
    func sourceFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-source-\(UUID().uuidString).gq")
        try "echo sourced $1\nlet y = 7".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try run("source \(url.path) hello\necho $y") == ["sourced hello", "7"])
    }

    @Test("an error in a sourced file names that file")
    func sourceErrorLocation() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-source-\(UUID().uuidString).gq")
        try "echo ok\ntrian".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(failure("source \(url.path)"))
        #expect(error.location.file == url.path)
        #expect(error.location.line == 2)
    }

    @Test("append writes a header once, then rows, quoting commas")
    func appendRows() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-append-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try run("for b in 2..3 { append \(url.path) op=gate.z bits=$b note=\"a,b\" }")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == "op,bits,note\ngate.z,2,\"a,b\"\ngate.z,3,\"a,b\"\n")
    }

    @Test("help lists every command with one line and shows one command's usage")
    func help() throws {
        let listing = try run("help")
        #expect(listing.contains { $0.hasPrefix("  train") })
        #expect(listing.contains { $0.hasPrefix("  load task") })
        #expect(listing.contains { $0.hasPrefix("  for") })
        let page = try run("help train")
        #expect(page.first?.hasPrefix("usage: train [epochs N]") == true)
        #expect(page.contains("example:") || page.contains("examples:"))
        #expect(try run("help show front").first == "usage: show front [above A] [within P]")
        let verb = try run("help load")
        #expect(verb.filter { $0.hasPrefix("usage:") }.count == 3)
    }

    @Test("every command has a usage line, a summary and an example")
    func helpIsComplete() throws {
        let (interpreter, _) = makeShell()
        for command in interpreter.commands where command.name != "quit" {
            #expect(!command.summary.isEmpty, "\(command.name) has no summary")
            #expect(command.usage.hasPrefix(command.name), "\(command.name)'s usage starts elsewhere")
            #expect(!command.examples.isEmpty, "\(command.name) has no example")
        }
    }
}
