import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite("evolve, the front and plots through the gq binary")
struct SearchEndToEndTests {
    @Test("evolve sets hv, hv_homogeneous and front_size; show front, use front and compare work on the result")
    func evolveAndRead() throws {
        let directory = GQProcess.temporaryDirectory()
        let checkpoint = directory.appendingPathComponent("run.json").path
        let script = """
            load task digits
            train
            evolve 3 gens pop 12 seed 1 checkpoint \(checkpoint)
            assert front_size >= 2 and hv > 0 and hv <= 1 and hv_homogeneous > 0
            show front
            use front 1
            eval
            compare
            save front \(directory.path)/front.csv
            save front \(directory.path)/front.json
            echo "hv $hv"
            """
        let result = try GQProcess.run([try GQProcess.write(script, to: "s.gq", in: directory).path], cache: directory)
        #expect(result.status == 0, "stderr: \(result.err)")
        #expect(result.out.contains("size (B)"))
        #expect(result.out.contains("hypervolume  mixed"))
        let csv = try String(contentsOfFile: directory.path + "/front.csv", encoding: .utf8)
        #expect(csv.hasPrefix("position,size,size_ratio,val_accuracy,test_accuracy,r.wx,r.wh,"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("front.json"))) as? [[String: Any]]
        #expect((json?.count ?? 0) == csv.split(separator: "\n").count - 1)
        #expect(FileManager.default.fileExists(atPath: checkpoint))
    }

    @Test("a search resumed from its checkpoint ends where an uninterrupted one does")
    func resumeMatchesUninterrupted() throws {
        let directory = GQProcess.temporaryDirectory()
        let checkpoint = directory.appendingPathComponent("run.json").path
        let first = try GQProcess.run(["-c", "load task digits; train; evolve 2 gens pop 10 seed 3 checkpoint \(checkpoint)"], cache: directory)
        #expect(first.status == 0, "stderr: \(first.err)")
        let resumed = try GQProcess.run(["-c", "load task digits; train; evolve resume \(checkpoint); evolve 2 gens; save front \(directory.path)/a.csv"], cache: directory)
        #expect(resumed.status == 0, "stderr: \(resumed.err)")
        #expect(resumed.out.contains("continuing the search from generation 2 to 4"))
        let straight = try GQProcess.run(["-c", "load task digits; train; evolve 4 gens pop 10 seed 3 checkpoint \(directory.path)/b.json; save front \(directory.path)/b.csv"], cache: directory)
        #expect(straight.status == 0, "stderr: \(straight.err)")
        let a = try String(contentsOfFile: directory.path + "/a.csv", encoding: .utf8)
        let b = try String(contentsOfFile: directory.path + "/b.csv", encoding: .utf8)
        #expect(a == b)
    }

    @Test("resuming a checkpoint made with another model is refused with the reason")
    func resumeOtherModel() throws {
        let directory = GQProcess.temporaryDirectory()
        let checkpoint = directory.appendingPathComponent("run.json").path
        _ = try GQProcess.run(["-c", "load task digits; train; evolve 1 gens pop 8 checkpoint \(checkpoint)"], cache: directory)
        let result = try GQProcess.run(["-c", "load task digits; train hidden 16; evolve resume \(checkpoint)"], cache: directory)
        #expect(result.status == 1)
        #expect(result.err.contains("was made with another model"))
    }

    @Test("plot front draws axes and a legend in ASCII, and writes well-formed SVG")
    func plotFront() throws {
        let directory = GQProcess.temporaryDirectory()
        let svg = directory.appendingPathComponent("front.svg")
        let result = try GQProcess.run(["-c", "load task digits; train; evolve 2 gens pop 8; plot front ascii; plot front to \(svg.path) width 720; plot hv ascii"], cache: directory)
        #expect(result.status == 0, "stderr: \(result.err)")
        #expect(result.out.contains("model size (bytes)"))
        #expect(result.out.contains("homogeneous 2..8-bit"))
        // No braille dots or box drawing: the plots used ASCII only.
        #expect(!result.out.unicodeScalars.contains { (0x2500...0x257F).contains($0.value) || (0x2800...0x28FF).contains($0.value) })
        let parser = XMLParser(data: try Data(contentsOf: svg))
        #expect(parser.parse())
    }

    @Test("show front before any search says to run evolve")
    func noSearch() throws {
        let result = try GQProcess.run(["-c", "show front"])
        #expect(result.status == 1)
        #expect(result.err == "-c:1:1: error: no search yet: run 'evolve N gens' first\n")
    }

    @Test("evolve without 'gens' says what it expects")
    func evolveSyntax() throws {
        let result = try GQProcess.run(["-c", "load task digits; train; evolve 5 generashuns"])
        #expect(result.status == 1)
        #expect(result.err.contains("expected 'gens' after the number, as in 'evolve 5 gens', got 'generashuns'"))
    }

    @Test("compare on a search that did not minimise size says so")
    func compareWithoutSize() throws {
        let result = try GQProcess.run(["-c", "load task digits; train; evolve 1 gens pop 8 objectives error,bitops; compare"])
        #expect(result.status == 0, "stderr: \(result.err)")
        #expect(result.out.contains("this search did not minimise size"))
    }

    @Test("resuming a file that is not a checkpoint names the file and the problem")
    func resumeGarbage() throws {
        let directory = GQProcess.temporaryDirectory()
        let file = try GQProcess.write("{\"hello\": 1}", to: "garbage.json", in: directory)
        let result = try GQProcess.run(["-c", "load task digits; train; evolve resume \(file.path)"], cache: directory)
        #expect(result.status == 1)
        #expect(result.err.contains("-c:1:40: error: '\(file.path)' is not a usable search checkpoint"))
    }
}
