import Foundation
import Shell
import Testing

@Suite("Files and bits say what happened in plain words")
struct FileAndBitsMessageTests {
    let setup = "load task digits\ntrain epochs 2 hidden 8\n"

    @Test("a file written into a folder that does not exist names the path and the reason, not Foundation's error")
    func noSuchFolder() throws {
        let error = failure(setup + "save split test /nonexistent-gq-folder/x.npz")
        #expect(error?.message == "cannot write /nonexistent-gq-folder/x.npz: no such file or folder")
        let model = failure(setup + "save model /nonexistent-gq-folder/m.safetensors")
        #expect(model?.message == "/nonexistent-gq-folder/m.safetensors: cannot write the model (no such file or folder); nothing was changed")
        #expect(model?.message.contains("NSCocoaErrorDomain") == false)
    }

    @Test("plot to a file kind gq does not write is refused before anything runs, naming the kinds it writes")
    func plotFileKind() {
        let error = failure("echo never\nplot front to f.png")
        #expect(error?.formatted == "test.gq:2:15: error: gq writes plots as .svg or .txt (the terminal drawing), not '.png': name the file FILE.svg or FILE.txt")
    }

    @Test("plot to FILE.txt writes the terminal drawing without colour")
    func plotText() throws {
        let folder = temporaryFolder("plot")
        let file = folder.appendingPathComponent("front.txt")
        let checkpoint = folder.appendingPathComponent("run.json")
        let out = try run(setup + "evolve 1 gens pop 8 checkpoint \(checkpoint.path)\nplot front to \(file.path) ascii")
        #expect(out.last == "wrote \(file.path)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("model size (bytes)"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test("set bits and reset bits print what changed")
    func bitChanges() throws {
        let out = try run("set bits gate.z=4 h.add=6\nset bits gate.z=4\nset bits all=3\nreset bits")
        #expect(out == ["h.add 8 → 6, gate.z 8 → 4", "bits unchanged: all=8 h.add=6 gate.z=4", "bits all=8 h.add=6 gate.z=4 → all=3", "bits all=3 → all=8"])
    }

    @Test("show bits lists every operator's width")
    func showBits() throws {
        let out = try run("set bits gate.z=4\nshow bits")
        #expect(out[1] == "bits all=8 gate.z=4")
        #expect(out.count == 2 + 19)
        #expect(out.contains { $0.hasPrefix("gate.z") && $0.hasSuffix("4") })
    }
}
