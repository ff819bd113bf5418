import Foundation
import Shell
import Testing

@Suite("undo and log: what a teacher reaches for")
struct TeachingCommandTests {
    @Test("undo steps back through set bits and reset bits, newest first, and says what changed")
    func undo() throws {
        let out = try run("set bits gate.z=4\nset bits h.add=3\nreset bits\nundo\nundo\nundo\nshow bits")
        #expect(out[2] == "h.add 3 → 8, gate.z 4 → 8")
        #expect(out[3] == "h.add 8 → 3, gate.z 8 → 4")
        #expect(out[4] == "h.add 3 → 8")
        #expect(out[5] == "gate.z 4 → 8")
        #expect(out[6] == "bits all=8")
    }

    @Test("undo with nothing to undo says so")
    func nothing() {
        #expect(failure("undo")?.message == "nothing to undo: the bits have not changed in this session")
    }

    @Test("log FILE writes what is typed, with its prompt, and what is printed; log off stops")
    func transcript() throws {
        let directory = temporaryFolder("log")
        let file = directory.appendingPathComponent("lesson.txt").path
        let (interpreter, transcript) = makeShell()
        let lines: [InputLine] = [.line("log \(file)"), .line("echo hello"), .line("bogus"), .line("log off"), .line("echo after"), .endOfInput]
        var next = 0
        _ = Runner(interpreter: interpreter).loop(name: "<repl>", stopOnError: false, read: { _ in
            defer { next += 1 }
            return lines[next]
        })
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("gq> echo hello\nhello\n"))
        #expect(text.contains("gq> bogus\n<repl>:3:1: error: unknown command 'bogus'"))
        #expect(text.contains("gq> log off\n"))
        #expect(!text.contains("after"))
        #expect(transcript.out.contains("after"))
    }

    @Test("log to a folder that does not exist names the path and the reason")
    func unwritable() {
        let error = failure("log /nonexistent-folder/lesson.txt")
        #expect(error?.message.hasPrefix("cannot write /nonexistent-folder/lesson.txt: ") == true)
        #expect(error?.location.column == 5)
    }
}

@Suite("show error names the input quantizer when it dominates")
struct ShowErrorNoteTests {
    @Test("with the input at 8 bits on digits, every row inherits its error and the note says so; more input bits silence it")
    func inputNote() throws {
        // Unrefined: the refinement fits the input's range to the model, which quiets this note.
        let out = try run("load task digits\ntrain epochs 4 hidden 12\nset quant refine off\nshow error")
        #expect(out.contains { $0.hasPrefix("note: the input quantizer sets these errors: with a 16-bit input") && $0.contains("'set quant range percentile' clips them") })
        let wide = try run("load task digits\ntrain epochs 4 hidden 12\nset quant refine off\nset bits input=16\nshow error")
        #expect(!wide.contains { $0.hasPrefix("note: the input quantizer") })
    }
}
