import Shell
import Testing

@Suite("A script is checked before it runs")
struct CheckPassTests {
    @Test("an unknown command at the end stops the script before its first command runs")
    func nothingRuns() {
        let (interpreter, transcript) = makeShell()
        #expect(throws: ShellError.self) {
            try interpreter.run(SourceText(name: "-c", text: "echo first; set seed 3; bogus 1"))
        }
        #expect(transcript.out.isEmpty)
        #expect(interpreter.session.seed == 0)
    }

    @Test("every error in a script is reported, each with its line and column, in source order")
    func allErrors() {
        let script = """
            load task digits
            train epohcs 3
            set bits gate.q=4
            for b in 2..4 {
              sweep h.add in 2..20
            }
            if 1 { evolve x gens } else { plot front to }
            """
        let errors = failure(script)?.all ?? []
        #expect(errors.map { "\($0.location.line):\($0.location.column)" } == ["2:7", "3:10", "5:18", "7:15", "7:42"])
        #expect(errors[0].message == "unknown option 'epohcs' for 'train' (did you mean 'epochs'?); options: epochs N, hidden H, layers L, cell gru|lstm, lr X, batch B, seed S, patience P, clip X, decay X, schedule constant|plateau|cosine, select loss|accuracy, rotate X, bptt N, refit on|off, retrain")
        #expect(errors[2].message == "20 bits is out of range: widths run from 2 to 16")
        #expect(errors[4].message == "option 'to' needs a value: a file path")
    }

    @Test("a command's words that hold variables are checked when they run")
    func variablesWait() throws {
        let out = try run("let b = 4\necho $b\nlet n = \"gens\"\necho done")
        #expect(out == ["4", "done"])
        let error = failure("echo before\nlet w = 20\nsweep h.add in 2..$w")
        #expect(error?.location.line == 3)
        #expect(error?.message == "20 bits is out of range: widths run from 2 to 16")
    }

    @Test("an unknown subject is caught by the check")
    func unknownSubject() {
        let error = failure("echo never\nshow fronts")
        #expect(error?.formatted == "test.gq:2:6: error: unknown subject 'fronts' for 'show' (did you mean 'front'?); try 'show task', 'show model', 'show ops', 'show bits', 'show quant', 'show error', 'show front', 'show vars'")
    }

    @Test("a checked script that is fine runs as before")
    func fineScriptRuns() throws {
        #expect(try run("set seed 5\necho $seed\nfor i in 1..2 { echo $i }") == ["5", "1", "2"])
    }
}

@Suite("Options are declared once, typed")
struct TypedOptionTests {
    @Test("an enum option's spellings are its raw values, in help, completion and errors")
    func enumSpellings() throws {
        let interpreter = makeShell().0
        #expect(interpreter.completions(lineBeforeWord: "set quant range ", word: "").words == ["max-abs", "mse", "percentile"])
        #expect(interpreter.completions(lineBeforeWord: "train schedule ", word: "").words == ["constant", "cosine", "plateau"])
        #expect(failure("train schedule cosin")?.message == "option 'schedule' expects one of constant, plateau, cosine, got 'cosin' (did you mean 'cosine'?)")
        let help = try run("help set quant")
        #expect(help.contains { $0.hasPrefix("  range max-abs|percentile|mse") })
    }

    @Test("a number outside an option's range names the range")
    func ranges() {
        #expect(failure("train hidden 0")?.message == "option 'hidden' expects a whole number from 1 to 4096, got '0'")
        #expect(failure("set quant percentile 20")?.message == "option 'percentile' expects a number from 50 to 100, got '20'")
        #expect(failure("train seed -1")?.message == "option 'seed' expects a whole number ≥ 0, got '-1'")
    }

    @Test("set quant reads the range and weights as typed values")
    func setQuant() throws {
        let out = try run("set quant range percentile percentile 99.5 weights tensor requant pow2\nshow quant")
        #expect(out.first == "quant: range percentile 99.5 refined by logit error, weights per tensor, requantization power-of-two shift, calibration 256 sequences (seed 0)")
        #expect(out.contains("range        percentile 99.5 (activations; weights always max-abs)"))
        #expect(out.contains("refine       logits (ranges at 2–8 bits fitted to the float model's logits)"))
        let off = try run("set quant refine off\nshow quant")
        #expect(off.first == "quant: range mse, weights per channel, requantization multiplier+shift, calibration 256 sequences (seed 0)")
        #expect(off.contains("refine       off"))
    }
}
