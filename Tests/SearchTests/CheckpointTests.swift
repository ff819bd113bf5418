import Foundation
import Testing
import Search

@Suite("Checkpoint files")
struct CheckpointTests {
    @Test("a missing file is reported with its path")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/gq/front.json")
        do {
            _ = try NSGA2Checkpoint.load(from: url)
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error == .checkpointUnreadable(path: url.path, reason: "no such file"))
            #expect(error.description.contains("/nonexistent/gq/front.json"))
        }
    }

    @Test("a file that is not a checkpoint is reported as malformed, naming the problem")
    func malformed() throws {
        let folder = try TemporaryFolder()
        let garbage = folder.url.appendingPathComponent("garbage.json")
        try Data("{\"hello\": 1}".utf8).write(to: garbage)
        #expect { try NSGA2Checkpoint.load(from: garbage) } throws: { error in
            guard case .checkpointMalformed(let path, let reason)? = error as? SearchError else { return false }
            return path == garbage.path && reason.contains("formatVersion")
        }
        let truncated = folder.url.appendingPathComponent("truncated.json")
        try Data("{\"formatVersion\": 1, \"generation\": 3}".utf8).write(to: truncated)
        #expect { try NSGA2Checkpoint.load(from: truncated) } throws: { error in
            guard case .checkpointMalformed(_, let reason)? = error as? SearchError else { return false }
            return reason.contains("missing")
        }
    }

    @Test("saving into a missing folder fails with the path; saving replaces the old file whole")
    func saving() throws {
        let space = GenomeSpace(geneNames: ["a"], values: [1, 2, 3])
        let search = try NSGA2(space: space, options: NSGA2Options(populationSize: 4, threads: 1), objectiveCount: 1) {
            [Double($0[0])]
        }
        search.run(generations: 1)
        let nowhere = URL(fileURLWithPath: "/nonexistent/gq/front.json")
        #expect(throws: SearchError.self) { try search.save(to: nowhere) }

        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("front.json")
        try search.save(to: file)
        try search.save(to: file)
        let loaded = try NSGA2Checkpoint.load(from: file)
        #expect(loaded == search.checkpoint)
        // Only the checkpoint is left: the temporary file was renamed, not copied.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["front.json"])
    }
}
