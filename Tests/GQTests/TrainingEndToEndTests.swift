import Foundation
import Testing

@Suite("Training, evaluation and model files through the gq binary")
struct TrainingEndToEndTests {
    @Test("load, train, eval and assert is a working check, and a second train comes from the cache")
    func trainEvalAssert() throws {
        let cache = GQProcess.temporaryDirectory()
        let first = try GQProcess.run(["-c", "load task digits; train; eval; assert accuracy >= 0.95; echo $accuracy"], cache: cache)
        #expect(first.status == 0, "stderr: \(first.err)")
        #expect(first.out.contains("float     validation"))
        let second = try GQProcess.run(["-c", "load task digits; train; eval; echo $accuracy"], cache: cache)
        #expect(second.status == 0)
        #expect(second.out.contains("using the cached model"))
        // The cached model is the trained one: the same accuracy, to the last digit.
        #expect(first.out.split(separator: "\n").last == second.out.split(separator: "\n").last)
    }

    @Test("a saved model loads back and gives the same accuracy")
    func saveAndLoad() throws {
        let directory = GQProcess.temporaryDirectory()
        let file = directory.appendingPathComponent("m.safetensors").path
        let script = "load task digits\ntrain epochs 3 hidden 16\neval\nlet before = accuracy\nsave model \(file)\nload model \(file)\neval\nassert accuracy == before\n"
        let result = try GQProcess.run([try GQProcess.write(script, to: "s.gq", in: directory).path], cache: directory)
        #expect(result.status == 0, "stderr: \(result.err)")
        #expect(FileManager.default.fileExists(atPath: file))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("the demo script runs")
    func demo() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try GQProcess.run([root.appendingPathComponent("examples/demo.gq").path])
        #expect(result.status == 0, "stderr: \(result.err)")
        #expect(result.out.contains("digits: validation"))
    }
}
