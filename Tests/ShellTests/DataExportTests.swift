import Foundation
import Shell
import Testing

@Suite("Data out of gq: save split and save predictions")
struct DataExportTests {
    func folder() -> String { temporaryFolder("export").path }

    @Test("a saved split loads back as a task with the same sequences and labels")
    func splitRoundTrip() throws {
        let dir = folder()
        // digits is embedded, so this runs before any data is fetched.
        let out = try run("load task digits\nsave split test \(dir)/test.npz\nload task \(dir)/test.npz\nshow task")
        #expect(out.contains("wrote the test split (359 sequences) to \(dir)/test.npz"))
        #expect(out.contains { $0.hasPrefix("loaded test: ") && $0.contains("8 steps × 8 features; 10 classes") })
    }

    @Test("save split names the split it does not know, before anything runs")
    func unknownSplit() {
        let error = failure("echo never\nsave split tset x.npz")
        #expect(error?.formatted == "test.gq:2:12: error: expected a split, one of train, validation, test, got 'tset'")
    }

    @Test("saved predictions have one row per sequence, the integer logits and their argmax")
    func predictions() throws {
        let dir = folder()
        _ = try run("load task digits\ntrain epochs 2 hidden 8\nset bits all=6\nsave predictions \(dir)/p.csv split validation\neval\necho $accuracy")
        let lines = try String(contentsOfFile: "\(dir)/p.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "index,label,predicted,logit0,logit1,logit2,logit3,logit4,logit5,logit6,logit7,logit8,logit9")
        #expect(lines.count == 361)
        var right = 0
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",").compactMap { Int($0) }
            let logits = Array(fields[3...])
            #expect(fields[2] == logits.firstIndex(of: logits.max()!))
            if fields[1] == fields[2] { right += 1 }
        }
        let accuracy = try run("load task digits\ntrain epochs 2 hidden 8\nset bits all=6\neval\necho $accuracy").last.flatMap(Double.init)
        #expect(abs(Double(right) / 360 - (accuracy ?? -1)) < 1e-5)  // echo prints 6 digits
    }
}

@Suite("compare reports the test side and confirms its pick without test")
struct CompareTests {
    @Test("compare prints the pick's difference from 8-bit with its interval, says when the data cannot resolve the tolerance, and sets both")
    func evidence() throws {
        let out = try run("""
            load task digits
            train epochs 6 hidden 16
            set quant refine off
            evolve 4 gens pop 16 seed 1 judge validation
            compare rule validation tolerance 2
            echo values $best_difference $best_difference_low $best_difference_high $resolved
            compare rule validation tolerance 0.1
            echo $resolved
            """)
        let line = try #require(out.first { $0.hasPrefix("evidence     pick minus 8-bit on validation ") })
        #expect(line.contains("95 % interval") && line.contains("over 360 sequences (one is 0.28 points)"))
        let values = try #require(out.first { $0.hasPrefix("values ") }).split(separator: " ").compactMap { Double($0) }
        try #require(values.count == 4)
        #expect(values[1] <= values[0] && values[0] <= values[2])
        #expect(out.last == "0", "360 sequences cannot resolve a tenth of a point")
        #expect(out.contains { $0.contains("360 validation sequences cannot resolve 0.1 points") })
    }

    @Test("by default the search judges on validation plus noisy training copies, and compare confirms on a fresh draw of them")
    func judgedOnNoisyCopies() throws {
        let out = try run("""
            load task digits
            train epochs 6 hidden 16
            evolve 4 gens pop 16 seed 1
            compare tolerance 3
            echo $best_size $best_judged_accuracy $best_accuracy $judged_accuracy_8bit $accuracy_8bit $best_noisy_error
            """)
        let judged = try #require(out.first { $0.hasPrefix("judged on    ") })
        #expect(judged.contains("360 validation and 1078 × ") && judged.contains("noisy training sequences"))
        #expect(out.contains { $0.hasPrefix("homogeneous 8-bit: ") && $0.contains(", judged ") && $0.contains(", validation ") })
        let values = (out.last ?? "").split(separator: " ").compactMap { Double($0) }
        try #require(values.count == 6)
        if values[0] > 0 {  // a pick, mixed or homogeneous
            #expect(out.contains { $0.hasPrefix("smallest mixed within 3 points, confirmed by rule noisy: ") || $0.hasPrefix("smallest configuration within 3 points, confirmed by rule noisy: ") })
            #expect(out.contains { $0.hasPrefix("fresh noise  pick minus 8-bit ") && $0.contains("360 validation and 1078 × ") })
            #expect(values[5] >= 0)
        }
    }

    @Test("compare sets the pick's and 8-bit's validation and test accuracy, and the test gap")
    func variables() throws {
        let dir = temporaryFolder("compare").path
        let out = try run("""
            load task digits
            train epochs 6 hidden 16
            evolve 4 gens pop 16 seed 1 checkpoint \(dir)/c.json
            compare rule validation tolerance 2
            echo $best_index $best_size $size_reduction $best_accuracy $best_test_accuracy $accuracy_8bit $test_accuracy_8bit $test_gap $best_judged_accuracy $judged_accuracy_8bit
            """)
        #expect(out.contains { $0.hasPrefix("homogeneous 8-bit: ") && $0.contains("validation") && $0.contains("test") })
        let values = (out.last ?? "").split(separator: " ").compactMap { Double($0) }
        try #require(values.count == 10)
        if values[1] > 0 {  // a pick, mixed or homogeneous (best_index is 0 for a homogeneous one)
            #expect(out.contains { $0.hasPrefix("test gap     ") })
            #expect(abs(values[7] - (values[6] - values[4])) < 1e-5)  // echo prints 6 digits
            // The rule holds the pick within the tolerance on what the search judged;
            // validation alone may read lower ('evidence' says by how much).
            #expect(values[8] >= values[9] - 0.02)
        }
    }

    @Test("a homogeneous pick is named by its width and sets best_bits (best_index 0); the pick is never larger than the smallest homogeneous width within the tolerance")
    func homogeneousPick() throws {
        let dir = temporaryFolder("compare-h").path
        let out = try run("""
            load task digits
            train epochs 6 hidden 16
            set bits cell=2
            eval
            let two = size
            evolve 2 gens pop 8 seed 1 checkpoint \(dir)/h.json
            compare rule validation tolerance 100
            assert best_size > 0 and best_size <= two
            assert (best_bits > 0) == (best_index == 0)
            echo $best_bits
            """)
        // Nothing is smaller than 2 bits everywhere, and no mixed configuration of this front is as small.
        #expect(out.last == "2")
        #expect(out.contains { $0.hasPrefix("smallest configuration within 100 points: homogeneous 2-bit, ") })
        #expect(out.contains("the pick is homogeneous: every cell operator at 2 bits (input and fc as set); no mixed configuration smaller than it passed"))
        #expect(out.contains { $0.hasPrefix("smallest homogeneous within 100 points: 2-bit, ") && !$0.contains("turned down") })
    }

    @Test("a rule that is not offered names the ones that are")
    func unknownRule() {
        #expect(failure("compare rule best")?.message == "option 'rule' expects one of validation, train, fidelity, margin, noisy, got 'best'")
    }

    @Test("load task tuning replaces the test split by a carve of training and says so")
    func tuningSplit() throws {
        let out = try run("load task digits tuning\nshow task")
        #expect(out.first == "loaded digits: 809 train, 360 validation, 269 test sequences; 8 steps × 8 features; 10 classes")
        #expect(out.contains { $0.contains("tuning: test is 25 % of train (stratified), the real test split is not loaded") })
    }
}

@Suite("export c in the shell")
struct ExportCCommandTests {
    @Test("export c writes NAME.h and NAME.c into a new folder and says how much constant data they hold")
    func writes() throws {
        let directory = temporaryFolder("export-c").appendingPathComponent("firmware")
        let out = try run("load task digits\ntrain epochs 2 hidden 8\nset bits cell=4\nexport c \(directory.path) name kws\neval")
        let header = try String(contentsOfFile: directory.path + "/kws.h", encoding: .utf8)
        let source = try String(contentsOfFile: directory.path + "/kws.c", encoding: .utf8)
        #expect(header.contains("#define KWS_FEATURES 8") && header.contains("#define KWS_HIDDEN 8") && header.contains("#define KWS_CLASSES 10"))
        #expect(header.contains("void kws_step(kws_state *state, const float *x);"))
        #expect(source.contains(" * configuration: all=4 input=8 fc=8") && source.contains(" * task: digits"))
        let size = out.last { $0.hasPrefix("size ") }?.split(separator: " ").dropFirst().first { !$0.isEmpty }
        #expect(out.contains("wrote \(directory.path)/kws.h and \(directory.path)/kws.c (\(size ?? "?") bytes of constant data)"))
    }

    @Test("a name that is not a C identifier is refused at the name by the check, before anything runs")
    func badName() {
        let error = failure("load task digits\ntrain epochs 1 hidden 8\nexport c /tmp/gq-never name 9lives")
        #expect(error?.message == "'9lives' is not a C identifier: use letters, digits and '_', not starting with a digit")
        #expect(error?.location.line == 3 && error?.location.column == 29)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/gq-never/9lives.h"))
    }
}
