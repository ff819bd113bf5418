import Foundation
import Search
import Testing

@Suite("The archive front, kept up to date on every evaluation (issue 13)")
struct ArchiveFrontTests {
    @Test("it equals Pareto.front over every evaluation, for two and three objectives with repeats", arguments: [2, 3])
    func equalsFullPass(_ objectives: Int) {
        var generator = SplitMix(seed: UInt64(objectives))
        var cache = EvaluationCache()
        for index in 0..<600 {
            // Coarse values, so equal points and ties are common.
            let point = (0..<objectives).map { _ in Double(generator.next() % 12) }
            cache.store([index], point)
            if index % 50 == 0 || index == 599 {
                let full = Pareto.front(of: cache.entries.map { Individual(genome: $0.genome, objectives: $0.objectives) })
                #expect(cache.nondominated.map(\.genome) == full.map(\.genome))
            }
        }
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Checkpoint journal: a save costs one generation's change, and loads give the same state (issue 13)")
struct CheckpointJournalTests {
    func search() throws -> NSGA2 {
        let problem = DiscreteZDT(kind: .zdt1, genes: 8, levels: 16)
        return try NSGA2(space: problem.space, options: NSGA2Options(populationSize: 12, seed: 4, threads: 1), objectiveCount: 2,
                         evaluate: { problem.objectives($0) })
    }

    func lines(_ url: URL) throws -> [Substring] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test("each generation appends one line; loading after any generation gives exactly that generation's state")
    func appendsAndReplays() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("run.json")
        let journal = CheckpointJournal(url: url)
        let search = try search()
        var states: [NSGA2Checkpoint] = []
        _ = try search.run(generations: 30, shouldStop: { false }) { (_: GenerationReport) throws(SearchError) in
            try journal.save(search.checkpoint)
            states.append(search.checkpoint)
            #expect(try NSGA2Checkpoint.load(from: url) == search.checkpoint)
        }
        #expect(states.count == 31)
        // A new base now and then, so the file holds fewer lines than generations.
        let count = try lines(url).count - 1
        #expect(count >= 2 && count < 31)
    }

    @Test("a line cut short by a kill is ignored: the generation before it loads")
    func cutShort() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("run.json")
        let journal = CheckpointJournal(url: url)
        let search = try search()
        var previous: NSGA2Checkpoint?
        var last: NSGA2Checkpoint?
        _ = try search.run(generations: 6, shouldStop: { false }) { (_: GenerationReport) throws(SearchError) in
            previous = last
            try journal.save(search.checkpoint)
            last = search.checkpoint
        }
        var data = try Data(contentsOf: url)
        let text = try lines(url)
        try #require(text.count >= 3, "the last save appended a line")
        data.removeLast(text[text.count - 2].utf8.count / 2 + 1)
        try data.write(to: url)
        #expect(try NSGA2Checkpoint.load(from: url) == previous)
    }

    @Test("a damaged journal line is named by its line number")
    func damagedLine() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("run.json")
        let journal = CheckpointJournal(url: url)
        let search = try search()
        _ = try search.run(generations: 2, shouldStop: { false }) { (_: GenerationReport) throws(SearchError) in
            try journal.save(search.checkpoint)
        }
        var text = try String(contentsOf: url, encoding: .utf8)
        text += "{\"generation\": 1}\n"
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect { try NSGA2Checkpoint.load(from: url) } throws: { error in
            guard case .checkpointMalformed(_, let reason)? = error as? SearchError else { return false }
            return reason.hasPrefix("journal line 4 is damaged")
        }
    }

    @Test("a version-1 checkpoint (one line, no journal) still loads")
    func versionOne() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("old.json")
        let search = try search()
        search.run(generations: 3)
        var object = try JSONSerialization.jsonObject(with: search.checkpoint.jsonData()) as? [String: Any] ?? [:]
        object["formatVersion"] = 1
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        let loaded = try NSGA2Checkpoint.load(from: url)
        #expect(loaded.generation == 3 && loaded.population == search.population && loaded.cache == search.cache)
    }

    @Test("a version this gq cannot read is named")
    func futureVersion() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("new.json")
        try Data("{\"formatVersion\": 9}\n".utf8).write(to: url)
        #expect { try NSGA2Checkpoint.load(from: url) } throws: { error in
            guard case .checkpointMalformed(_, let reason)? = error as? SearchError else { return false }
            return reason == "format version 9, this gq reads versions 1, 2 and 3"
        }
    }

    @Test("a checkpoint file deleted between saves gets a whole base at the next save, never a lone journal line")
    func deletedBetweenSaves() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("run.json")
        let journal = CheckpointJournal(url: url)
        let search = try search()
        var generation = 0
        _ = try search.run(generations: 4, shouldStop: { false }) { (_: GenerationReport) throws(SearchError) in
            if generation == 2 { unlink(url.path) }
            generation += 1
            try journal.save(search.checkpoint)
        }
        #expect(try NSGA2Checkpoint.load(from: url) == search.checkpoint)
    }

    @Test("cache entries of different lengths or repeated genomes are refused, not stored (they once trapped)")
    func crookedCache() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("run.json")
        let search = try search()
        search.run(generations: 1)
        var object = try JSONSerialization.jsonObject(with: search.checkpoint.jsonData()) as? [String: Any] ?? [:]
        var cache = object["cache"] as? [String: Any] ?? [:]
        var entries = cache["entries"] as? [[String: Any]] ?? []
        try #require(entries.count >= 2)
        entries[1]["objectives"] = [1.0, 2.0, 3.0]
        cache["entries"] = entries
        object["cache"] = cache
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        #expect { try NSGA2Checkpoint.load(from: url) } throws: { error in
            guard case .checkpointMalformed(_, let reason)? = error as? SearchError else { return false }
            return reason.contains("evaluation 1 has 3 objectives, expected 2")
        }
        entries[1] = entries[0]
        cache["entries"] = entries
        object["cache"] = cache
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        #expect { try NSGA2Checkpoint.load(from: url) } throws: { error in
            guard case .checkpointMalformed(_, let reason)? = error as? SearchError else { return false }
            return reason.contains("evaluation 1 repeats a genome")
        }
    }
}
