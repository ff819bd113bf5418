import Shell
import Testing

/// The check before a script runs sees inside expressions: functions, arities and variables.
@Suite("The check pass resolves functions and variables before anything runs")
struct ResolverTests {
    /// The errors a script's check finds, without running it, and what ran (nothing).
    func checkErrors(_ text: String, session variables: [String: Double] = [:]) -> [ShellError] {
        let (interpreter, transcript) = makeShell()
        for (name, value) in variables { interpreter.session.variables[name] = .number(value) }
        do {
            try interpreter.run(SourceText(name: "test.gq", text: text))
        } catch let error as ShellError {
            #expect(transcript.out.isEmpty, "nothing runs before the check")
            return error.all
        } catch {
            Issue.record("unexpected \(error)")
        }
        return []
    }

    @Test("an unknown function in an assert at the end is found before the first command runs")
    func unknownFunction() {
        let errors = checkErrors("echo first\nassert sqr(4) == 2")
        #expect(errors.map(\.message) == ["unknown function 'sqr' (did you mean 'sqrt'?); functions: abs, ceil, exp, floor, log, log2, max, min, round, sqrt"])
        #expect(errors.first?.location.line == 2 && errors.first?.location.column == 8)
        if case .check = errors.first {} else { Issue.record("a check error, not a runtime one") }
    }

    @Test("a call with the wrong number of arguments in a let is found before anything runs")
    func arity() {
        #expect(checkErrors("echo first\nlet x = sqrt(2, 3)").map(\.message) == ["sqrt() takes 1 argument, got 2"])
        #expect(checkErrors("echo first\nlet x = max()").map(\.message) == ["max() takes 1 to 16 arguments, got 0"])
    }

    @Test("a misspelt variable in an if, a word or a string is found, with the name it was meant to be")
    func misspeltVariable() {
        let errors = checkErrors("let rate = 4\nif rat > 2 { echo \"$rte\" }\necho ${rat}")
        #expect(errors.map(\.message) == ["undefined variable 'rat' (did you mean 'rate'?)", "undefined variable 'rte' (did you mean 'rate'?)"])
        #expect(errors.map(\.location.line) == [2, 2], "each name is reported once")
    }

    @Test("a variable a command sets, read before the command runs, names the command")
    func readBeforeTheCommand() {
        #expect(checkErrors("load task digits\nassert accuracy > 0.9\neval").map(\.message) == ["'accuracy' is not set yet: run 'eval' first"])
    }

    @Test("variables set by let, for and declared commands earlier in the script pass the check")
    func definedNames() {
        let (interpreter, _) = makeShell()
        #expect(throws: Never.self) {
            try interpreter.check(Parser.parse(SourceText(name: "t", text: """
                let a = 1
                for b in 2..3 { echo $a $b }
                load task digits
                eval
                assert accuracy >= float_accuracy - 0.01 and test_accuracy > 0 and size_ratio < 2
                echo $task $b
                evolve 1 gens
                compare by latency
                echo $hv $front_size $best_latency $latency_8bit $test_gap
                """)))
        }
    }

    @Test("a loop body may read what it sets later in the body, which an earlier iteration set")
    func loopCarried() throws {
        let out = try run("let previous = 0\nfor i in 1..3 {\n  if i > 1 { echo $last }\n  let last = i\n}")
        #expect(out == ["1", "2"])
    }

    @Test("a command whose subject is a variable may set what any command of its verb sets, in a loop too")
    func subjectFromVariable() {
        let (interpreter, _) = makeShell()
        #expect(throws: Never.self) {
            try interpreter.check(Parser.parse(SourceText(name: "t", text: "let what = \"front\"\nfor i in 1 2 {\n  if i > 1 { echo $hv }\n  show $what\n}")))
        }
    }

    @Test("a data file run as a script stops after the most errors one check reports, and says so")
    func checkErrorsAreCapped() {
        let errors = checkErrors(String(repeating: "foo\n", count: 1000))
        #expect(errors.count == Parser.maxErrors + 1)
        #expect(errors.last?.message == "stopped after \(Parser.maxErrors) errors")
    }

    @Test("a variable set at the prompt before counts as set")
    func sessionVariables() {
        #expect(checkErrors("echo $x", session: ["x": 3]).isEmpty)
    }

    @Test("a script that runs source has its variables checked when they run, since the sourced file may set any")
    func sourceDefers() {
        let errors = checkErrors("source lib.gq\necho $from_lib")
        #expect(errors.map(\.message).allSatisfy { !$0.contains("undefined variable") })
    }

    @Test("script arguments are checked when they run, since 'if $# > 1' may guard them")
    func scriptArguments() throws {
        #expect(try run("if $# > 1 { echo $2 } else { echo none }") == ["none"])
    }

    @Test("an expression chain of 50,000 operators is checked without overflowing the stack")
    func longChain() {
        let text = "let x = 1" + String(repeating: " + y", count: Parser.maxChain - 1)
        #expect(checkErrors(text).map(\.message) == ["undefined variable 'y'"])
    }

    @Test("function, variable and command errors anywhere in the file are reported together, in source order")
    func together() {
        let errors = checkErrors("trian\nlet x = floor(1, 2)\nif 1 { echo $nope }\nset bits gate.q=4")
        #expect(errors.map(\.location.line) == [1, 2, 3, 4])
    }
}

@Suite("Usage lines are generated from the option declarations")
struct GeneratedUsageTests {
    @Test("every option a command declares appears in its usage exactly once, and the usage starts with its name")
    func everyOption() {
        let (interpreter, _) = makeShell()
        for command in interpreter.commands {
            #expect(command.usage.hasPrefix(command.name))
            for option in command.options {
                let shown = ["[", "| "].map { command.usage.components(separatedBy: $0 + option.placeholder).count - 1 }.reduce(0, +)
                #expect(shown == 1, "\(command.name): '\(option.placeholder)' shown \(shown) times in '\(command.usage)'")
            }
        }
    }

    @Test("every option another requires or excludes is declared by the same command, and exclusion goes both ways")
    func relationsAreDeclared() {
        let (interpreter, _) = makeShell()
        for command in interpreter.commands {
            let names = Set(command.options.map(\.name))
            for option in command.options {
                if let parent = option.requires { #expect(names.contains(parent), "\(command.name): \(option.name) requires undeclared \(parent)") }
                for other in option.excludes {
                    #expect(command.options.first { $0.name == other }?.excludes.contains(option.name) == true, "\(command.name): \(option.name) excludes \(other) one way")
                }
            }
        }
    }

    @Test("an option that needs another is shown inside it, and alternatives share one bracket")
    func structure() throws {
        let (interpreter, _) = makeShell()
        let compare = try #require(interpreter.command(named: "compare"))
        #expect(compare.usage.hasPrefix("compare [finetune [epochs N]] [rule "))
        #expect(try #require(interpreter.command(named: "bench")).usage == "bench [scaling [hidden H] [steps T] | integer] [quick]")
        let evolve = try #require(interpreter.command(named: "evolve"))
        #expect(evolve.usage.contains("[homogeneous yes|no]") && evolve.usage.hasSuffix("  |  evolve resume [FILE]"))
    }

    @Test("bench scaling integer is refused, naming both, instead of silently running scaling")
    func benchAlternatives() {
        let error = failure("bench scaling integer")
        #expect(error?.message == "'scaling' and 'integer' cannot be given together: choose one")
        #expect(error?.location.column == 15)
    }

    @Test("a wrong number of arguments shows the generated usage")
    func countErrorsUseTheUsage() {
        #expect(failure("export c")?.message == "'export c' needs an argument: export c DIR [name NAME]")
    }
}

@Suite("Commands declare every variable they set")
struct PublishedVariableTests {
    @Test("after train, eval, evolve with latency, show front, compare, finetune and set seed, every variable set is declared by a command that ran")
    func declared() throws {
        let (interpreter, _) = makeShell()
        try interpreter.run(SourceText(name: "t", text: """
            load task digits
            train epochs 1 hidden 8
            eval
            evolve 1 gens pop 4 objectives error,size,latency
            show front
            compare by latency
            finetune epochs 1
            set seed 3
            """))
        let ran = ["load task", "train", "eval", "evolve", "show front", "compare", "finetune", "set seed"]
        let declared = Set(interpreter.commands.filter { ran.contains($0.name) }.flatMap(\.publishes))
        let set = Set(interpreter.session.variables.keys)
        #expect(set.subtracting(declared).isEmpty, "set but not declared: \(set.subtracting(declared).sorted())")
        #expect(set.isSuperset(of: ["accuracy", "hv", "best_latency", "latency_8bit", "finetune_accuracy", "train_epochs", "task", "seed"]))
    }
}
