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

@Suite("Checkpoint writes that cannot be hijacked or left half-done (issue 12)")
struct CheckpointWriteSafetyTests {
    func checkpoint() throws -> NSGA2Checkpoint {
        let problem = DiscreteZDT(kind: .zdt1, genes: 6, levels: 8)
        let search = try NSGA2(space: problem.space, options: NSGA2Options(populationSize: 8, seed: 1), objectiveCount: 2,
                               evaluate: { problem.objectives($0) })
        _ = search.run(generations: 1, shouldStop: { false }) { _ in }
        return search.checkpoint
    }

    @Test("a symlink planted where the old temporary file went is never written through")
    func plantedLink() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-ck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let victim = folder.appendingPathComponent("victim.txt")
        try Data("precious".utf8).write(to: victim)
        let target = folder.appendingPathComponent("ck.json")
        for pid in [ProcessInfo.processInfo.processIdentifier] {
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(".ck.json.\(pid).tmp").path, withDestinationPath: victim.path)
        }
        try checkpoint().save(to: target)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
        #expect((try? NSGA2Checkpoint.load(from: target)) != nil)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(Set(names) == ["victim.txt", "ck.json", ".ck.json.\(ProcessInfo.processInfo.processIdentifier).tmp"])  // nothing left behind
    }

    @Test("a folder that cannot be written leaves no temporary file and names the reason")
    func unwritable() throws {
        let target = URL(fileURLWithPath: "/nonexistent-gq-folder/ck.json")
        #expect(throws: SearchError.self) { try checkpoint().save(to: target) }
    }
}

@Suite("Checkpoints whose parts disagree are refused on load, naming the disagreement (issue 12)")
struct CheckpointValidationTests {
    func loadError(_ change: (inout NSGA2Checkpoint) -> Void) throws -> String? {
        let problem = DiscreteZDT(kind: .zdt1, genes: 6, levels: 8)
        let search = try NSGA2(space: problem.space, options: NSGA2Options(populationSize: 8, seed: 1), objectiveCount: 2,
                               evaluate: { problem.objectives($0) })
        _ = search.run(generations: 2, shouldStop: { false }) { _ in }
        var checkpoint = search.checkpoint
        change(&checkpoint)
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("ck.json")
        try checkpoint.save(to: file)
        do {
            _ = try NSGA2Checkpoint.load(from: file)
            return nil
        } catch {
            guard case .checkpointMalformed(let path, let reason) = error, path == file.path else { return "wrong error \(error)" }
            return reason
        }
    }

    @Test("an untouched checkpoint loads")
    func untouched() throws {
        #expect(try loadError { _ in } == nil)
    }

    @Test("an empty population is refused")
    func emptyPopulation() throws {
        #expect(try loadError { $0.population = [] } == "the population is empty")
    }

    @Test("a negative or absurd generation is refused")
    func absurdGeneration() throws {
        #expect(try loadError { $0.generation = -3 } == "generation -3 does not match the 3 generation reports (one per generation from 0)")
        #expect(try loadError { $0.generation = Int.max } == "generation \(Int.max) does not match the 3 generation reports (one per generation from 0)")
    }

    @Test("objectives that differ from the cache's for the same genome are refused")
    func mismatchedObjectives() throws {
        #expect(try loadError { $0.population[0].objectives[0] += 0.25 } == "an individual's objectives differ from the evaluation cache's for its genome")
        #expect(try loadError { $0.population[1].objectives = [.nan, 1] } == "an individual's objectives hold NaN")
    }

    @Test("a population larger than its size, or an objective count of 0, is refused")
    func sizes() throws {
        #expect(try loadError { $0.options.populationSize = 3 } == "the population holds 8 individuals, more than its size 3")
        #expect(try loadError { $0.objectiveCount = 0 } == "the objective count is 0; expected 1 to 64")
    }
}
