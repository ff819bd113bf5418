import Foundation
import Shell
import Testing

/// A small digits model and a fresh folder for checkpoints and files.
private func setup() -> (text: String, directory: URL) {
    ("load task digits\ntrain epochs 4 hidden 12\n", temporaryFolder("shell-hw"))
}

/// The rows of `show front`'s table (those after its header), split into words.
private func rows(_ lines: [String]) -> [[Substring]] {
    lines.drop { !$0.hasPrefix("  #   size (B)") }.dropFirst().prefix { $0.first == " " && $0.contains("%") }.map { $0.split(separator: " ") }
}

@Suite("evolve with latency, ram and limits in the shell")
struct HardwareSearchCommandTests {
    @Test("objectives error,size,latency with a core: show front, save front and compare carry latency and the core")
    func latencyObjective() throws {
        let (text, directory) = setup()
        let out = try run(text + """
            evolve 3 gens pop 12 seed 1 objectives error,size,latency core m3 checkpoint \(directory.path)/l.json
            show front
            save front \(directory.path)/front.csv
            compare tolerance 20
            compare by latency tolerance 20
            assert latency_8bit > 0 and best_index >= 1 and best_latency > 0
            plot front latency accuracy ascii
            """)
        #expect(out.contains { $0.hasPrefix("evolving error and size and latency of 17 operators at 2..8 bits, latency on Cortex-M3 (no DSP)") })
        #expect(out.contains { $0.hasPrefix("  #   size (B)  of 8-bit  instr/step   judged  val acc  test acc  rx") })
        #expect(out.contains { $0.contains("latency on Cortex-M3 (no DSP), from the device cost model") })
        let csv = try String(contentsOfFile: directory.path + "/front.csv", encoding: .utf8)
        #expect(csv.hasPrefix("position,size,size_ratio,latency,core,val_accuracy,"))
        #expect(csv.split(separator: "\n").dropFirst().allSatisfy { $0.split(separator: ",")[4] == "m3" })
        #expect(out.contains { $0.hasPrefix("homogeneous 8-bit: ") && $0.contains(" instructions, judged ") && $0.contains(", validation ") })
        #expect(out.contains { ["smallest mixed within 20 points", "smallest configuration within 20 points", "no mixed configuration"].contains(where: $0.hasPrefix) })
        #expect(out.contains { $0.hasPrefix("least latency of the mixed within 20 points, confirmed by rule noisy: front ") })
        #expect(out.contains { $0.contains("instructions per step (cost model)") })
        #expect(out.contains { $0.contains("latency against judged accuracy on Cortex-M3 (no DSP)") })
    }

    @Test("flash 16k ram 1k latency 40000 are read as bytes (k = 1024) and instructions, and every front member meets the limits")
    func limitsMet() throws {
        let (text, directory) = setup()
        let out = try run(text + """
            evolve 3 gens pop 12 seed 1 flash 16k ram 1k latency 40000 checkpoint \(directory.path)/m.json
            show front
            """)
        #expect(out.contains { $0.contains("under flash ≤ 16384 bytes, latency ≤ 40000 instructions and ram ≤ 1024 bytes, latency and ram on Cortex-M4 (DSP)") })
        let table = rows(out)
        #expect(!table.isEmpty)
        // Columns: position, size, ratio, "%", latency, RAM, ...
        for row in table {
            #expect((Int(row[1]) ?? .max) <= 16384)
            #expect((Int(row[4]) ?? .max) <= 40000)
            #expect((Int(row[5]) ?? .max) <= 1024)
        }
        #expect(out.contains { $0.contains("every point meets flash ≤ 16384 bytes, latency ≤ 40000 instructions and ram ≤ 1024 bytes") })
    }

    @Test("a tight flash limit keeps only the configurations under it on the front")
    func tightLimit() throws {
        let (text, directory) = setup()
        let out = try run(text + """
            evolve 4 gens pop 12 seed 1 flash 1300 checkpoint \(directory.path)/t.json
            show front
            assert front_size >= 1
            """)
        let table = rows(out)
        #expect(!table.isEmpty)
        #expect(table.allSatisfy { (Int($0[1]) ?? .max) <= 1300 })
    }

    @Test("a limit no configuration meets is reported plainly: evolve, show front, compare and plot say so; use front and save front refuse")
    func unmeetable() throws {
        let (text, directory) = setup()
        let out = try run(text + """
            evolve 2 gens pop 8 seed 1 flash 100 checkpoint \(directory.path)/u.json
            assert front_size == 0
            show front
            compare
            plot front ascii
            """)
        let note = out.filter { $0.hasPrefix("no configuration meets flash ≤ 100 bytes: none of the ") }
        #expect(note.count == 4)   // evolve, show front, compare, plot front
        #expect(note.allSatisfy { $0.contains("(the nearest exceeds flash by ") && $0.hasSuffix("so there is no front; loosen a bound or run more generations") })
        #expect(out.contains { $0.hasPrefix("generation 2: no feasible configuration yet") })
        #expect(!out.contains { $0.hasPrefix("  #   size (B)") })
        let use = failure(text + "evolve 2 gens pop 8 seed 1 flash 100 checkpoint \(directory.path)/v.json\nuse front 1")
        #expect(use?.message.hasPrefix("no configuration meets flash ≤ 100 bytes") == true)
        let save = failure(text + "evolve 2 gens pop 8 seed 1 flash 100 checkpoint \(directory.path)/w.json\nsave front \(directory.path)/f.csv")
        #expect(save?.message.hasPrefix("no configuration meets flash ≤ 100 bytes") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/f.csv"))
    }

    @Test("malformed limits are caught before anything runs, naming what a limit looks like")
    func malformedLimits() {
        let bytes = failure("echo first\nevolve 2 gens flash 16x")
        #expect(bytes?.location.line == 2)
        #expect(bytes?.message == "option 'flash' expects a number of bytes, as 2048, 16k or 1M (k = 1024, M = 1024 × 1024), got '16x'")
        #expect(failure("evolve 2 gens ram 0")?.message.hasPrefix("option 'ram' expects a number of bytes") == true)
        #expect(failure("evolve 2 gens latency 40k")?.message == "option 'latency' expects a whole number ≥ 1, got '40k'")
        #expect(failure("evolve 2 gens core m7")?.message.hasPrefix("option 'core' expects one of m4, m3, got 'm7'") == true)
        #expect(failure("evolve 2 gens objectives size,latency")?.message == "the objectives must include 'error': the front is read as accuracy against cost")
    }

    @Test("compare by a cost the search did not minimise says so; plot front refuses an axis it does not know, before anything runs")
    func byAndAxes() throws {
        let (text, directory) = setup()
        let out = try run(text + "evolve 1 gens pop 8 checkpoint \(directory.path)/b.json\ncompare by ram")
        #expect(out.contains("this search did not minimise ram ('evolve ... objectives error,ram'): no ram comparison"))
        let axis = failure("echo first\nplot front latncy")
        #expect(axis?.location.line == 2)
        #expect(axis?.message.hasPrefix("'latncy' is neither a quantity to plot (accuracy, error, size, bitops, latency, ram) nor an option of 'plot front' (did you mean 'latency'?)") == true)
        #expect(failure("plot front accuracy error")?.message.hasPrefix("'plot front' needs two different quantities") == true)
        #expect(failure("compare by speed")?.message.hasPrefix("option 'by' expects one of size, bitops, latency, ram") == true)
    }

    @Test("show front with latency and RAM columns still fits 80 columns: the ratio to 8-bit makes room")
    func narrowTerminal() throws {
        let (text, directory) = setup()
        let out = try run(text + "evolve 2 gens pop 8 seed 1 objectives error,size,latency,ram checkpoint \(directory.path)/n.json\nshow front", columns: 80)
        let table = Array(out.drop { !$0.hasPrefix("  #   size (B)") })
        #expect(table.first == "  #   size (B)  instr/step   RAM (B)   judged  test acc  bits")
        #expect(table.allSatisfy { $0.count <= 79 }, "\(table.filter { $0.count > 79 })")
        #expect(rows(table).allSatisfy { $0.count >= 9 && $0[8].count == 17 })
    }

    @Test("help evolve lists the new objectives, the core and the limits; Tab completes objective lists name by name")
    func helpAndCompletion() throws {
        let help = try run("help evolve").joined(separator: " ")
        for word in ["latency =", "ram =", "core m4|m3", "flash BYTES", "ram BYTES", "latency N", "Cortex-M3 (no DSP)", "constrained domination", "value / limit − 1"] {
            #expect(help.contains(word), "\(word)")
        }
        let interpreter = makeShell().0
        #expect(interpreter.completions(lineBeforeWord: "evolve 4 gens objectives ", word: "error,la").words == ["error,latency"])
        #expect(interpreter.completions(lineBeforeWord: "evolve 4 gens objectives ", word: "error,size,").words
            == ["error,size,bitops", "error,size,latency", "error,size,ram"])
        #expect(interpreter.completions(lineBeforeWord: "evolve 4 gens core ", word: "").words == ["m3", "m4"])
        #expect(interpreter.completions(lineBeforeWord: "compare by ", word: "l").words == ["latency"])
    }

    @Test("Tab after 'evolve N' offers the 'gens' its operands declare, and the options after it")
    func completesGens() {
        let interpreter = makeShell().0
        #expect(interpreter.completions(lineBeforeWord: "evolve 20 ", word: "").words == ["gens"])
        #expect(interpreter.completions(lineBeforeWord: "evolve 20 ", word: "g").words == ["gens"])
        #expect(interpreter.completions(lineBeforeWord: "evolve 20 gens ", word: "").words.contains("pop"))
        #expect(!interpreter.completions(lineBeforeWord: "evolve 20 gens ", word: "").words.contains("gens"))
    }
}
