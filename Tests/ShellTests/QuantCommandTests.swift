import Foundation
import Shell
import Testing

/// A small, quickly trained digits model for the shell's quantization commands.
private let setup = "load task digits\ntrain epochs 4 hidden 16\n"

@Suite("Quantization commands")
struct QuantCommandTests {
    @Test("eval prints float and quantized accuracy and size, and sets the variables")
    func eval() throws {
        let out = try run(setup + "eval\necho $accuracy $test_accuracy $float_accuracy $size $size_ratio")
        #expect(out.contains { $0.hasPrefix("float     validation") })
        #expect(out.contains { $0.hasPrefix("quantized validation") && $0.contains("bits all=8") })
        #expect(out.contains { $0.hasPrefix("size      ") && $0.contains("100.0 % of homogeneous 8-bit") })
        let values = out.last!.split(separator: " ").compactMap { Double($0) }
        #expect(values.count == 5 && values[4] == 1 && values[3] > 1000)
        #expect(values[0] > 0.5 && values[0] <= 1)
    }

    @Test("set bits with patterns changes size; reset bits returns to 8-bit")
    func setAndReset() throws {
        let out = try run(setup + "set bits all=8 gate.*=4 *.wh=3\neval\necho $size_ratio\nreset bits\neval\necho $size_ratio")
        let ratios = out.compactMap { Double($0) }
        #expect(ratios.count == 2 && ratios[0] < 0.8 && ratios[1] == 1)
    }

    @Test("show ops lists the 19 operators with shapes and bits, then the work of one time step and its cost on a Cortex-M")
    func showOps() throws {
        let out = try run(setup + "set bits gate.z=4\nshow ops")
        let rows = out.filter { !$0.hasPrefix("per step") && ($0.contains("linear") || $0.contains("addition") || $0.contains("multiplication") || $0.contains("activation") || $0.contains(" input ") || $0.contains(" head ")) }
        #expect(rows.count == 19)
        let work = try #require(out.first { $0.hasPrefix("per step: ") })
        #expect(work.hasSuffix("the head adds 160 multiply-accumulates per sequence"))
        // Then the C export's cost on both kinds of core.
        let device = try #require(out.last)
        #expect(device.hasPrefix("on the device (the C export's cost model at -O2; instructions, not cycles): Cortex-M4 (DSP) "))
        #expect(device.contains("Cortex-M3 (no DSP)") && device.contains(" B state + ") && device.contains("B of constant data"))
        #expect(out.contains { $0.contains("gate.z") && $0.contains("  4  ") })
        #expect(out.contains { $0.contains("r.wh") && $0.contains("16×16") && $0.contains("272") })
    }

    @Test("'train layers 2' makes a stack: show ops lists 17 operators per layer, set bits names layers, eval and evolve run on it")
    func stack() throws {
        let out = try run("load task digits\ntrain epochs 2 hidden 8 layers 2\nshow ops\nset bits l1.gate.*=3 l0.h.add=6\nshow bits\neval\n"
                          + "evolve 2 gens pop 8\nshow front\nsweep l1.gate.* in 3..4\nshow model")
        #expect(out.contains("model       GRU, 2 stacked layers (num_layers=2), PyTorch gate order (r, z, n), linear head on the last step"))
        #expect(out.contains("sizes       8 features → hidden 8 → hidden 8 → 10 classes"))
        #expect(out.contains { $0.contains("training a GRU (hidden 8, 2 layers") })
        let rows = out.filter { !$0.hasPrefix("model") && ($0.contains(" linear ") || $0.contains(" addition ") || $0.contains(" multiplication ") || $0.contains(" activation ")) }
        #expect(rows.count == 34)
        // The layer above reads the state below: H × H.
        #expect(out.contains { $0.contains("l1.r.wx") && $0.contains("8×8") } && out.contains { $0.contains("l0.r.wx") && $0.contains("8×8") })
        #expect(out.contains("l0.h.add 8 → 6, l1.gate.r 8 → 3, l1.gate.z 8 → 3, l1.gate.n 8 → 3"))
        #expect(out.contains { $0.hasPrefix("quantized validation") && $0.contains("bits all=8 l0.h.add=6 l1.gate.r=3") })
        #expect(out.contains { $0.hasPrefix("evolving error and size of 34 operators") })
        #expect(out.contains { $0.contains("0rx") && $0.contains("1tn") })
        #expect(out.contains { $0.hasPrefix("sweep l1.gate.* (others: all=8 l0.h.add=6 l1.gate.r=3") })
    }

    @Test("'train cell lstm' makes an LSTM: show ops lists its 21 operators, set bits names c.add and gate.f, eval, sweep, evolve (on latency too), export c and finetune run on it")
    func lstm() throws {
        let folder = temporaryFolder("lstm-export")
        let out = try run("load task digits\ntrain epochs 2 hidden 8 cell lstm\nshow model\nshow ops\nset bits all=6 c.add=10 gate.f=5\neval\n"
                          + "sweep c.add in 8..9\nevolve 2 gens pop 8\nshow front\nexport c \(folder.path) name net")
        #expect(out.contains("model       LSTM, one layer, PyTorch gate order (i, f, g, o), linear head on the last step"))
        #expect(out.contains { $0.contains("training an LSTM (hidden 8") })
        let rows = out.filter { !$0.hasPrefix("model") && ($0.contains(" linear ") || $0.contains(" addition ") || $0.contains(" multiplication ") || $0.contains(" activation ")) }
        #expect(rows.count == 21)
        #expect(out.contains { $0.contains("c.add") && $0.contains("the new cell state c") })
        #expect(out.contains("per step: 512 multiply-accumulates, 24 products, 40 table reads, 168 requantizations; the head adds 80 multiply-accumulates per sequence"))
        #expect(out.contains { $0.hasPrefix("quantized validation") && $0.contains("bits all=6 gate.f=5 c.add=10") })
        #expect(out.contains { $0.hasPrefix("evolving error and size of 21 operators") })
        #expect(out.contains { $0.contains("σf") && $0.contains("c+") })
        #expect(out.contains { $0.hasPrefix("wrote ") && $0.contains("net.c") })
        let header = try String(contentsOf: folder.appendingPathComponent("net.h"), encoding: .utf8)
        #expect(header.contains("int8_t h[NET_HIDDEN];") && header.contains("int16_t c[NET_HIDDEN];"))
        // The cost model's estimate, with h's and c's bytes in the state (8 + 8 at 8 bits).
        #expect(out.contains { $0.contains("Cortex-M4 (DSP)") && $0.contains("RAM 16 B state") }, "\(out.filter { $0.contains("Cortex") })")
        // Fine-tuning runs the LSTM's step, and the device cost model counts its pieces: a search on latency runs.
        let tuned = try run("load task digits\ntrain epochs 2 hidden 8 cell lstm\nset bits all=4\nfinetune epochs 1\nevolve 1 gens pop 8 objectives error,latency")
        #expect(tuned.contains { $0.hasPrefix("integer validation accuracy") })
        #expect(tuned.contains { $0.hasPrefix("evolving error and latency of 21 operators") })
        // Before a model exists a name is checked against every cell's: one no cell has is refused with a suggestion.
        let misspelt = try #require(failure("set bits c.ad=12"))
        #expect(misspelt.message.hasPrefix("unknown operator 'c.ad' (did you mean 'c.add'?)"), "\(misspelt.message)")
    }

    @Test("set bits with a layer the model lacks is refused when it runs, naming the operator and the line")
    func setBitsOfAMissingLayer() throws {
        let error = try #require(failure(setup + "set bits gate.z=4 l1.gate.z=3"))
        #expect(error.message.hasPrefix("unknown operator 'l1.gate.z' (did you mean 'gate.z'?)"))
        // Checked when it runs, against the network in use: the line and its column are reported.
        if case .runtime(_, let location) = error { #expect(location.line == 3) } else { Issue.record("not a run-time error: \(error)") }
        let out = try run(setup + "set bits gate.z=5\nshow bits")
        #expect(out.contains("bits all=8 gate.z=5"))
    }

    @Test("sweep prints one row per width and leaves the bits alone")
    func sweep() throws {
        let out = try run(setup + "sweep gate.* in 2..4\nshow quant")
        #expect(out.contains { $0.hasPrefix("sweep gate.* (others: all=8)") })
        for b in 2...4 { #expect(out.contains { $0.hasPrefix("   \(b)  ") && $0.contains("%") }) }
        #expect(out.contains("bits         all=8"))
    }

    @Test("show error, trace and show quant print tables")
    func analysis() throws {
        let out = try run(setup + "show error sequences 5\ntrace 2\nset quant range mse requant pow2\nshow quant")
        #expect(out.contains { $0.hasPrefix("operator  bits  SQNR (dB)") })
        #expect(out.contains { $0.hasPrefix("validation sequence 2:") })
        #expect(out.contains { $0.hasPrefix("   8  ") })   // the last of digits' 8 steps
        #expect(out.contains("range        mse (activations; weights always max-abs)"))
        #expect(out.contains { $0.hasPrefix("total ") && $0.contains("bytes") })
    }

    @Test("finetune, then eval uses the tuned weights; save and load config round-trip")
    func finetuneAndConfig() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gq-shell-config-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let out = try run(setup + """
            set bits all=5
            eval
            let before = accuracy
            finetune epochs 2
            eval
            let tuned = accuracy
            assert tuned >= before
            assert finetune_accuracy == tuned
            save config \(file)
            reset finetune
            eval
            assert accuracy == before
            reset bits
            load config \(file)
            eval
            assert accuracy == tuned
            echo ok
            """)
        #expect(out.last == "ok")
        #expect(out.contains { $0.contains("fine-tuned weights") })
    }

    @Test("training a new model drops fine-tuned weights")
    func invalidation() throws {
        let out = try run(setup + "set bits all=4\nfinetune epochs 1\ntrain epochs 2 hidden 8\nshow quant")
        #expect(out.contains("weights      the float model's"))
    }

    // MARK: - Errors, one per message

    @Test("an unknown operator suggests the right one and points at it")
    func unknownOperator() throws {
        let error = try #require(failure("set bits gate.z=4 gate.q=3", file: "s.gq"))
        #expect(error.formatted.hasPrefix("s.gq:1:19: error: unknown operator 'gate.q' (did you mean 'gate.r'?); operators: r.wx r.wh"))
    }

    @Test("a width out of range says what is allowed")
    func widthOutOfRange() throws {
        let error = try #require(failure("set bits gate.z=17"))
        #expect(error.message == "17 bits for 'gate.z' is out of range: widths run from 2 to 16")
        #expect(error.location.column == 10)
    }

    @Test("a pattern matching nothing, a malformed assignment and a non-number are refused")
    func badAssignments() throws {
        #expect(failure("set bits x.*=3")?.message.hasPrefix("pattern 'x.*' matches no operator; operators: r.wx") == true)
        #expect(failure("set bits gate.z")?.message == "expected NAME=BITS such as gate.z=4 or all=8, got 'gate.z'")
        #expect(failure("set bits gate.z=four")?.message == "the width for 'gate.z' must be a whole number from 2 to 16, got 'four'")
        #expect(failure("set bits")?.message.hasPrefix("'set bits' needs at least one NAME=B") == true)
    }

    @Test("sweep errors name the argument at fault")
    func sweepErrors() throws {
        #expect(failure("sweep gate.q in 2..4")?.message.hasPrefix("unknown operator 'gate.q' (did you mean 'gate.r'?)") == true)
        #expect(failure("sweep gate.z to 2..4")?.message == "expected 'in' after the pattern, got 'to': sweep PATTERN in A..B")
        #expect(failure("sweep gate.z in two")?.message == "expected widths such as 2..8 or 4, got 'two': sweep PATTERN in A..B")
        #expect(failure("sweep gate.z in 1..4")?.message == "1 bits is out of range: widths run from 2 to 16")
        #expect(failure("sweep gate.z")?.message == "'sweep' needs 'in' and widths after the pattern: sweep PATTERN in A..B")
        #expect(failure("sweep")?.message == "'sweep' needs an operator pattern and widths: sweep PATTERN in A..B")
        #expect(failure("sweep gate.z in")?.message == "'sweep' needs widths after 'in', such as 2..8: sweep PATTERN in A..B")
    }

    @Test("quantized commands need a task and a model")
    func needsModel() throws {
        #expect(failure("eval")?.message == "no task loaded: try 'load task digits'")
        #expect(failure("load task digits\ntrace")?.message == "no model yet: 'train' one or 'load model FILE'")
    }

    @Test("trace refuses a sequence number out of range")
    func traceRange() throws {
        #expect(failure(setup + "trace 5000")?.message == "there are 360 validation sequences (0 to 359), so 5000 is out of range")
        #expect(failure(setup + "trace x")?.message == "the sequence number must be a whole number ≥ 0, got 'x'")
    }

    @Test("set quant checks its options")
    func setQuantErrors() throws {
        #expect(failure("set quant range maxabs")?.message == "option 'range' expects one of max-abs, percentile, mse, got 'maxabs' (did you mean 'max-abs'?)")
        #expect(failure("set quant")?.message.hasPrefix("'set quant' needs an option: range max-abs|percentile|mse") == true)
        #expect(failure("set quant percentile 20")?.message == "option 'percentile' expects a number from 50 to 100, got '20'")
    }

    @Test("load config refuses a plain model file")
    func loadPlainModel() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gq-plain-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let message = failure(setup + "save model \(file)\nload config \(file)")?.message
        #expect(message == "\(file) is not a gq configuration: it holds a model but no bit configuration (save one with 'save config')")
    }

    @Test("size and size_ratio say which command sets them")
    func publishedVariables() throws {
        #expect(failure("echo $size_ratio")?.message == "'size_ratio' is not set yet: run 'eval' first")
    }

    @Test("Tab completes operator names and patterns")
    func completion() {
        let shell = makeShell().0
        #expect(shell.completions(lineBeforeWord: "set bits ", word: "gate.").words == ["gate.*=", "gate.n=", "gate.r=", "gate.z="])
        #expect(shell.completions(lineBeforeWord: "set bits gate.z=4 ", word: "h.m").words == ["h.mul_h=", "h.mul_n="])
        #expect(shell.completions(lineBeforeWord: "sweep ", word: "*.w").words == ["*.wh", "*.wx"])
        #expect(shell.completions(lineBeforeWord: "sweep h.add ", word: "").words == ["in"])
        #expect(shell.completions(lineBeforeWord: "set quant range ", word: "").words == ["max-abs", "mse", "percentile"])
        #expect(shell.completions(lineBeforeWord: "show ", word: "").words.contains("ops"))
    }

    @Test("on a stack, a misspelt layered name is suggested among the stack's names, and use front refuses a front of another network")
    func stackMessages() throws {
        // Read before the model exists, a layered name is checked against every layer a stack may have …
        let early = try #require(failure("load task digits\ntrain epochs 1 hidden 4 layers 2\nset bits l1.gate.q=4"))
        #expect(early.message.hasPrefix("unknown operator 'l1.gate.q' (did you mean 'l1.gate."), "\(early.message)")
        #expect(early.message.contains("in each layer, named l0.… to l3.…"))
        // … and when it runs, against the stack in use.
        let late = try #require(failure("load task digits\ntrain epochs 1 hidden 4 layers 2\nset bits l3.gate.z=4"))
        #expect(["l0", "l1"].contains { late.message.hasPrefix("unknown operator 'l3.gate.z' (did you mean '\($0).gate.z'?)") }, "\(late.message)")
        #expect(late.message.contains("in each layer, named l0.… to l1.…"))
        // A single layer's misspelling reads as it always did.
        #expect(failure("set bits gate.q=4")?.message.contains("in each layer") == false)
        let folder = temporaryFolder("front-network")
        let config = folder.appendingPathComponent("one.safetensors").path
        let refusal = try #require(failure("""
            load task digits
            train epochs 1 hidden 4
            save config \(config)
            train epochs 1 hidden 4 layers 2
            evolve 1 gens pop 8
            load config \(config)
            use front 1
            """))
        #expect(refusal.message == "the search's front is of 2 stacked GRU layers, but the weights in use are one GRU layer: 'evolve' again to search them")
    }

    @Test("Tab completes a stack's layered operator names once one is loaded")
    func stackCompletion() throws {
        let shell = makeShell().0
        #expect(shell.completions(lineBeforeWord: "set bits ", word: "l1.gate.").words.isEmpty)
        try shell.run(SourceText(name: "t.gq", text: "load task digits\ntrain epochs 1 hidden 4 layers 2"))
        #expect(shell.completions(lineBeforeWord: "set bits ", word: "l1.gate.").words == ["l1.gate.n=", "l1.gate.r=", "l1.gate.z="])
        #expect(shell.completions(lineBeforeWord: "set bits ", word: "l").words.contains("l0.*="))
        #expect(shell.completions(lineBeforeWord: "sweep ", word: "l1.gate.").words == ["l1.gate.n", "l1.gate.r", "l1.gate.z"])
    }
}

@Suite("show quant reports the calibration actually used")
struct CalibrationCountTests {
    @Test("a calibration count larger than the training split is reported as the count used")
    func largerThanTraining() throws {
        let out = try run("load task digits\ntrain epochs 1 hidden 8\nset quant calibration 5000\nshow quant")
        #expect(out.contains("calibration  1078 training sequences (5000 asked; the training split has 1078), seed 0"))
        let plain = try run("load task digits\ntrain epochs 1 hidden 8\nshow quant")
        #expect(plain.contains("calibration  256 training sequences, seed 0"))
    }
}
