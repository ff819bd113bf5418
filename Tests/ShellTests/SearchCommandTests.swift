import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Shell
import Testing

/// A small digits model and a fresh folder for checkpoints and files.
private func setup() -> (text: String, directory: URL) {
    ("load task digits\ntrain epochs 4 hidden 12\n", temporaryFolder("shell-search"))
}

@Suite("evolve, the front and plots in the shell")
struct SearchCommandTests {
    @Test("evolve sets hv, hv_homogeneous and front_size; show front, use front, compare and save front work on the result")
    func evolveAndRead() throws {
        let (text, directory) = setup()
        let out = try run(text + """
            evolve 3 gens pop 12 seed 1 checkpoint \(directory.path)/run.json
            assert front_size >= 2 and hv > 0 and hv <= 1 and hv_homogeneous > 0
            show front
            use front 1
            eval
            compare
            save front \(directory.path)/front.csv
            save front \(directory.path)/front.json
            """)
        #expect(out.contains { $0.hasPrefix("  #   size (B)  of 8-bit   judged  val acc  test acc  rx  rh  zx") })
        #expect(out.contains { $0.hasPrefix("columns: rx=r.wx rh=r.wh") })
        #expect(out.contains { $0.hasPrefix("hypervolume  mixed") })
        let csv = try String(contentsOfFile: directory.path + "/front.csv", encoding: .utf8)
        #expect(csv.hasPrefix("position,size,size_ratio,val_accuracy,judged_accuracy,test_accuracy,configurations,r.wx,r.wh,"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("front.json"))) as? [[String: Any]]
        #expect((json?.count ?? 0) == csv.split(separator: "\n").count - 1)
        #expect((json?.first?["bits"] as? [String: Int])?.count == 17)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/run.json"))
    }

    @Test("evolve again continues the search and says from where")
    func continues() throws {
        let (text, directory) = setup()
        let out = try run(text + "evolve 1 gens pop 8 checkpoint \(directory.path)/c.json\nevolve 2 gens")
        #expect(out.contains("continuing the search from generation 1 to 3"))
        #expect(out.contains { $0.hasPrefix("generation 3: front of") })
    }

    @Test("plot front draws axes and a legend in ASCII, and writes well-formed SVG")
    func plotFront() throws {
        let (text, directory) = setup()
        let svg = directory.appendingPathComponent("front.svg")
        let out = try run(text + "evolve 2 gens pop 8 checkpoint \(directory.path)/p.json\nplot front ascii\nplot front to \(svg.path) width 720\nplot hv ascii")
        #expect(out.contains { $0.contains("model size (bytes)") })
        #expect(out.contains { $0.contains("homogeneous 2..8-bit") })
        #expect(!out.joined().unicodeScalars.contains { (0x2500...0x257F).contains($0.value) || (0x2800...0x28FF).contains($0.value) })
        #expect(XMLParser(data: try Data(contentsOf: svg)).parse())
    }

    @Test("show front before any search says to run evolve")
    func noSearch() {
        let error = failure("show front")
        #expect(error?.formatted == "test.gq:1:1: error: no search yet: run 'evolve N gens' first")
    }

    @Test("evolve without 'gens' says what it expects, before anything runs")
    func evolveSyntax() {
        let error = failure("load task digits\ntrain\nevolve 5 generashuns")
        #expect(error?.formatted == "test.gq:3:10: error: expected 'gens' after the number, as in 'evolve 5 gens', got 'generashuns'")
    }

    @Test("a negative generation count is named as such")
    func negativeGenerations() {
        #expect(failure("evolve -3 gens")?.message == "the number of generations must be 0 or more, got -3")
    }

    @Test("an objective list that is not offered names the ones that are, before anything runs")
    func unknownObjectives() {
        let message = failure("evolve 2 gens objectives error,latncy")?.message
        #expect(message == "option 'objectives' expects a comma-separated list of error, size, bitops, latency, ram, each once, got 'error,latncy' (did you mean 'latency'?)")
    }

    @Test("compare on a search that did not minimise size says so")
    func compareWithoutSize() throws {
        let (text, directory) = setup()
        let out = try run(text + "evolve 1 gens pop 8 objectives error,bitops checkpoint \(directory.path)/b.json\ncompare")
        #expect(out.contains("this search did not minimise size ('evolve ... objectives error,size'): no size comparison"))
    }

    @Test("resuming a file that is not a checkpoint names the file and the problem, at the file")
    func resumeGarbage() throws {
        let (text, directory) = setup()
        let file = directory.appendingPathComponent("garbage.json")
        try Data("{\"hello\": 1}".utf8).write(to: file)
        let error = failure(text + "evolve resume \(file.path)")
        #expect(error?.location.line == 3 && error?.location.column == 15)
        #expect(error?.message.contains("'\(file.path)' is not a usable search checkpoint") == true)
    }

    @Test("resuming a checkpoint made with another model is refused with the reason")
    func resumeOtherModel() throws {
        let (text, directory) = setup()
        _ = try run(text + "evolve 1 gens pop 8 checkpoint \(directory.path)/o.json")
        let error = failure("load task digits\ntrain epochs 4 hidden 10\nevolve resume \(directory.path)/o.json")
        #expect(error?.message.contains("was made with another model") == true)
    }
}

@Suite("use front reads its position before anything runs")
struct UseFrontTests {
    @Test("a position that is not a whole number from 1 is caught by the check")
    func notAPosition() {
        let error = failure("echo never\nuse front 0")
        #expect(error?.formatted == "test.gq:2:11: error: expected a front position, a whole number from 1, got '0'")
    }

    @Test("a position past the front's end names the front's size, at the position")
    func pastTheEnd() throws {
        let directory = temporaryFolder("use-front")
        let error = failure("load task digits\ntrain epochs 2 hidden 8\nevolve 1 gens pop 8 checkpoint \(directory.path)/u.json\nuse front 999")
        #expect(error?.location.line == 4 && error?.location.column == 11)
        #expect(error?.message.hasPrefix("expected a front position from 1 to ") == true)
        #expect(error?.message.hasSuffix(", got '999'") == true)
    }
}

@Suite("compare finetune in the shell")
struct CompareFineTuneCommandTests {
    @Test("compare finetune prints each candidate it fine-tuned and sets the pick's variables")
    func prints() throws {
        let (text, directory) = setup()
        let out = try run(text + """
            evolve 3 gens pop 12 seed 1 checkpoint \(directory.path)/f.json
            compare finetune epochs 1 rule validation tolerance 20
            assert best_index >= 1 and best_size > 0 and size_reduction > 0
            assert test_gap == test_accuracy_8bit - best_test_accuracy
            """)
        #expect(out.contains { $0.hasPrefix("  front ") && $0.contains("after fine-tuning: ") })
        #expect(out.contains { $0.hasPrefix("fine-tuned ") && $0.contains("mixed configurations smaller than 8-bit, bisected by size") })
        #expect(out.contains { $0.hasPrefix("smallest mixed within 20 points after fine-tuning: front ") })
    }

    @Test("epochs without finetune is refused before anything runs, naming finetune")
    func epochsAlone() {
        let error = failure("echo first\ncompare epochs 3")
        #expect(error?.location.line == 2)
        #expect(error?.message == "'epochs' goes with 'finetune': add 'finetune' or drop 'epochs'")
    }
}

@Suite("show front filters")
struct ShowFrontFilterTests {
    @Test("show front above A keeps the points at or above A; positions stay the front's")
    func above() throws {
        let (text, directory) = setup()
        let all = try run(text + "evolve 3 gens pop 12 seed 1 checkpoint \(directory.path)/a.json\nshow front")
        let some = try run(text + "evolve 3 gens pop 12 seed 1 checkpoint \(directory.path)/b.json\nshow front above 0.5")
        func rows(_ lines: [String]) -> [[Substring]] {
            lines.drop { !$0.hasPrefix("  #   size (B)") }.dropFirst().prefix { $0.first == " " && $0.contains("%") }.map { $0.split(separator: " ") }
        }
        let kept = rows(some)
        #expect(kept.allSatisfy { (Double($0[4]) ?? 0) >= 50 })  // the validation column
        let expected = rows(all).filter { (Double($0[4]) ?? 0) >= 50 }
        #expect(kept.map { $0[0] } == expected.map { $0[0] })
        if kept.count < rows(all).count {
            #expect(some.contains("\(kept.count) of \(rows(all).count) points shown"))
        }
    }

    @Test("show front within P of 8-bit on a search without 8-bit says why")
    func withinWithoutEight() {
        let (text, directory) = setup()
        let error = failure(text + "evolve 1 gens pop 8 bits 2..6 checkpoint \(directory.path)/w.json\nshow front within 1")
        #expect(error?.message == "'within' measures from homogeneous 8-bit, which is outside this search's widths")
    }
}

@Suite("plot options")
struct PlotOptionTests {
    @Test("plot front y A..B is read before anything runs; a reversed span is named")
    func ySpan() {
        let error = failure("echo first\nplot front y 100..90")
        #expect(error?.location.line == 2)
        #expect(error?.message.contains("two numbers A..B with A < B") == true)
    }

    @Test("plot front y 90..100 draws, and the SVG labels the homogeneous points by width")
    func yAndLabels() throws {
        let (text, directory) = setup()
        let out = try run(text + "evolve 2 gens pop 8 seed 1 checkpoint \(directory.path)/p.json\nplot front y 0..100 ascii\nplot front to \(directory.path)/f.svg")
        #expect(out.contains { $0.contains("100") })
        let svg = try String(contentsOfFile: directory.path + "/f.svg", encoding: .utf8)
        #expect((2...8).allSatisfy { svg.contains(">\($0)-bit</text>") })
    }
}

@Suite("plot y spans for accuracy")
struct PlotFractionSpanTests {
    @Test("plot front y 0.9..1 reads accuracy as fractions, the same axis as y 90..100")
    func fractions() throws {
        let (text, directory) = setup()
        let script = text + "evolve 2 gens pop 8 seed 1 checkpoint \(directory.path)/y.json\n"
        let fraction = try run(script + "plot front y 0.9..1 ascii")
        let percent = try run(script + "plot front y 90..100 ascii")
        // The plots only: the lines before them report times, which differ run to run.
        func plot(_ lines: [String]) -> [String] { Array(lines.drop { !$0.contains("size against judged accuracy") }) }
        #expect(!plot(fraction).isEmpty)
        #expect(plot(fraction) == plot(percent))
    }
}
