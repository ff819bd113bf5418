import Foundation
import Shell
import Testing

/// Lines longer than `limit` that are not a single unbreakable word.
private func overflowing(_ lines: [String], limit: Int) -> [String] {
    lines.filter { $0.count > limit && $0.trimmingCharacters(in: .whitespaces).contains(" ") }
}

@Suite("Everything drawn fits the terminal, down to 80 columns; pipes keep the full form")
struct TerminalWidthTests {
    @Test("help and every command's page fit 80 columns, wrapped at word boundaries")
    func help() throws {
        let (interpreter, _) = makeShell()
        var pages = try run("help", columns: 80)
        for command in interpreter.commands {
            pages += try run("help \(command.name)", columns: 80)
        }
        #expect(overflowing(pages, limit: 79).isEmpty, "\(overflowing(pages, limit: 79))")
        // Wrapping only moves words: the words of a page are the same at any width.
        let narrow = try run("help evolve", columns: 80).joined(separator: " ").split(separator: " ")
        let wide = try run("help evolve").joined(separator: " ").split(separator: " ")
        #expect(narrow == wide)
    }

    @Test("the banner fits 80 columns")
    func banner() {
        let lines = Banner.lines(version: "1.2.3", columns: 80)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 79 })
        #expect(Banner.lines(version: "1.2.3", columns: nil).count == 1)
    }

    @Test("show front at 80 columns is compact, one digit string per row; without a terminal it keeps a column per operator")
    func front() throws {
        let directory = temporaryFolder("front-width")
        let script = "load task digits\ntrain epochs 2 hidden 8\nevolve 2 gens pop 8 seed 1 checkpoint \(directory.path)/w.json\nshow front\n"
        let narrow = try run(script, columns: 80)
        let table = Array(narrow.drop { !$0.hasPrefix("  #   size (B)") })
        #expect(table.first == "  #   size (B)  of 8-bit   judged  test acc  bits")
        #expect(overflowing(table, limit: 79).isEmpty, "\(overflowing(table, limit: 79))")
        let rows = table.dropFirst().prefix { $0.first == " " && $0.contains("%") }
        #expect(!rows.isEmpty)
        // The widths are the last word, or the one before a "×N" that says how many configurations share the point.
        #expect(rows.allSatisfy { $0.split(separator: " ").last { !$0.hasPrefix("×") }?.count == 17 })
        #expect(table.contains { $0.hasPrefix("bits: one digit per operator, in order rx rh zx") })
        let piped = try run(script)
        #expect(piped.contains { $0.hasPrefix("  #   size (B)  of 8-bit   judged  val acc  test acc  rx  rh  zx") })
    }

    @Test("a long evolve on a terminal keeps about twenty generation lines, the last among them; a short one keeps each")
    func evolveLog() throws {
        let directory = temporaryFolder("evolve-log")
        let long = try run("load task digits\ntrain epochs 2 hidden 8\nevolve 60 gens pop 8 seed 1 checkpoint \(directory.path)/l.json\n", columns: 80)
        let kept = long.filter { $0.hasPrefix("gen ") }
        #expect(kept.count == 20, "\(kept)")
        #expect(kept.last?.hasPrefix("gen 60/60") == true)
        let short = try run("load task digits\ntrain epochs 2 hidden 8\nevolve 5 gens pop 8 seed 1 checkpoint \(directory.path)/s.json\n", columns: 80)
        #expect(short.filter { $0.hasPrefix("gen ") }.count == 5)
    }

    @Test("a progress line stops short of the terminal's edge, however long its detail")
    func progress() throws {
        let (interpreter, transcript) = makeShell(columns: 60)
        try interpreter.run(SourceText(name: "t.gq", text: "load task digits\ntrain epochs 2 hidden 8 retrain"))
        #expect(!transcript.progress.isEmpty)
        // Room for the `^C` a terminal echoes after it, too.
        #expect(transcript.progress.allSatisfy { $0.count <= 57 }, "\(transcript.progress.filter { $0.count > 57 })")
        #expect(transcript.progress.allSatisfy { $0.contains("[") && $0.contains("ETA") })
    }
}

@Suite("Lines bound for a terminal")
struct TerminalTextTests {
    @Test("a line past the last column breaks at spaces, continuing under its own indent plus two; a short one is left alone")
    func fit() {
        let line = "loaded digits: 1078 train, 360 validation, 359 test sequences; 8 steps × 8 features; 10 classes"
        let lines = TerminalText.fit(line, columns: 80)
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.count <= 79 })
        #expect(lines[1].hasPrefix("  ") && !lines[1].hasPrefix("   "))
        #expect(lines.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") == line)
        #expect(TerminalText.fit("  #  a table row", columns: 80) == ["  #  a table row"])
        #expect(TerminalText.fit(String(repeating: "x", count: 100), columns: 80).count == 1)  // nothing to break at
        let aligned = TerminalText.fit("quantized validation 83.9 %   test 84.1 %   (-13.3 points vs float)   bits all=3", columns: 80)
        #expect(aligned.count == 2 && aligned[0].contains("%   test 84.1 %   (-13.3"))  // spacing inside a line is kept
        let indented = TerminalText.fit("    " + line, columns: 60)
        #expect(indented.dropFirst().allSatisfy { $0.hasPrefix("      ") })
    }

    @Test("a result of several lines is fitted line by line: short lines stay whole, and no blank line appears")
    func severalLines() {
        let json = "{\n  \"quant_integer_gmacs_per_second_per_thread_portable\": 11.534941311742273,\n  \"quant_narrow_cell\": 1\n}"
        #expect(TerminalText.fit(json, columns: 80) == json.split(separator: "\n").map(String.init))
        let long = "short\n" + String(repeating: "word ", count: 30)
        let lines = TerminalText.fit(long, columns: 40)
        #expect(lines.first == "short" && lines.count > 2 && lines.allSatisfy { $0.count <= 39 })
    }

    @Test("colour codes take no columns: a coloured error line fills the line as a plain one does")
    func colourCodesTakeNoColumns() {
        let message = " training needs about 15 MB (batch 512 × the longest sequence's 8 steps × hidden 64, every step kept for back-propagation)"
        let plain = TerminalText.fit("<repl>:3:1: error:" + message, columns: 80)
        let coloured = TerminalText.fit("<repl>:3:1: \u{1B}[1;31merror:\u{1B}[0m" + message, columns: 80)
        #expect(coloured.count == plain.count)
        #expect(coloured.map { TerminalText.width($0) } == plain.map(\.count))
        #expect(TerminalText.width("\u{1B}[1;31merror:\u{1B}[0m x") == 8)
    }
}
