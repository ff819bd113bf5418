import Foundation
import Testing
import Search

@Suite("NSGA-II behaviour: determinism, resumption, cache, duplicates")
struct NSGA2BehaviourTests {
    let problem = DiscreteZDT(kind: .zdt1, genes: 10, levels: 8)

    func makeSearch(threads: Int, seed: UInt64 = 11, population: Int = 40, log: EvaluationLog? = nil) throws -> NSGA2 {
        let problem = self.problem
        return try NSGA2(space: problem.space, options: NSGA2Options(populationSize: population, seed: seed, threads: threads),
                         objectiveCount: 2) { genome in
            log?.record(genome)
            return problem.objectives(genome)
        }
    }

    @Test("the same seed gives the same populations and front at 1 and 2 threads")
    func threadCountDoesNotMatter() throws {
        let one = try makeSearch(threads: 1)
        let two = try makeSearch(threads: 2)
        one.run(generations: 20)
        two.run(generations: 20)
        #expect(one.population == two.population)
        #expect(one.front == two.front)
        #expect(one.history == two.history)
        let other = try makeSearch(threads: 2, seed: 12)
        other.run(generations: 20)
        #expect(other.population != one.population)   // the seed does matter
    }

    @Test("each generation reports the archive front's hypervolume (every evaluation so far), which never falls")
    func hypervolumeOfTheArchive() throws {
        let search = try makeSearch(threads: 1, population: 8)
        search.run(generations: 30)
        let reference = try #require(search.referencePoint)
        let volumes = search.history.map(\.hypervolume)
        #expect(zip(volumes, volumes.dropFirst()).allSatisfy { $0 <= $1 }, "\(volumes)")
        #expect(volumes.last == Hypervolume.compute(search.archiveFront.map(\.objectives), reference: reference))
        #expect(search.hypervolume == volumes.last)
        #expect(search.hypervolume >= Hypervolume.compute(search.front.map(\.objectives), reference: reference))
    }

    @Test("a checkpoint from before the reports measured the archive loads with the archive's hypervolume for every generation")
    func olderHistoryMeasuredAgain() throws {
        let search = try makeSearch(threads: 1, population: 8)
        search.run(generations: 10)
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("older.json")
        // An older file: no "historyHypervolume", and reports holding other hypervolumes.
        let text = String(decoding: try search.checkpoint.jsonData(), as: UTF8.self)
        #expect(text.contains(#""historyHypervolume":"archive","#))
        let older = text.replacingOccurrences(of: #""historyHypervolume":"archive","#, with: "")
            .replacingOccurrences(of: #""hypervolume":[-0-9.e]+"#, with: #""hypervolume":0.125"#, options: .regularExpression)
        #expect(older.contains(#""hypervolume":0.125"#) && !older.contains("historyHypervolume"))
        try Data(older.utf8).write(to: file)
        let loaded = try NSGA2Checkpoint.load(from: file)
        #expect(loaded.history == search.history)
        #expect(loaded.historyHypervolume == "archive")
    }

    @Test("resuming from a checkpoint file repeats the uninterrupted run exactly")
    func resume() throws {
        let straight = try makeSearch(threads: 2)
        straight.run(generations: 12)

        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("search.json")
        let first = try makeSearch(threads: 1)
        first.run(generations: 5)
        try first.save(to: file)
        let problem = self.problem
        let resumed = try NSGA2(resuming: try NSGA2Checkpoint.load(from: file), threads: 2) { problem.objectives($0) }
        #expect(resumed.population == first.population)
        resumed.run(generations: 7)
        #expect(resumed.generation == 12)
        #expect(resumed.population == straight.population)
        #expect(resumed.history == straight.history)
        #expect(resumed.cache == straight.cache)
    }

    @Test("a step stopped during evaluation leaves the search unchanged and loses no evaluation")
    func stopInsideGeneration() throws {
        let straight = try makeSearch(threads: 2)
        straight.run(generations: 6)

        let log = EvaluationLog()
        let search = try makeSearch(threads: 2, log: log)
        search.run(generations: 3)
        let before = search.population
        let evaluatedBefore = log.count
        // Stop once 10 offspring have been evaluated.
        let stopped = search.step(shouldStop: { log.count >= evaluatedBefore + 10 })
        #expect(stopped == nil)
        #expect(search.population == before)
        #expect(search.generation == 3)
        #expect(search.history.count == 4)
        #expect(log.count >= evaluatedBefore + 10)
        #expect(search.run(generations: 3))
        #expect(search.population == straight.population)
        #expect(search.cache.count == straight.cache.count)
        #expect(log.count == log.distinctCount)   // nothing evaluated twice
        // run also stops between generations
        let stopAll = search.run(generations: 5, shouldStop: { true })
        #expect(!stopAll && search.generation == 6)
    }

    @Test("every genome is evaluated once; repeats are counted as cache hits")
    func cacheHits() throws {
        // 4 genes × 3 values = 81 genomes: offspring soon repeat earlier genomes.
        let log = EvaluationLog()
        let space = GenomeSpace(geneNames: ["a", "b", "c", "d"], values: [2, 4, 8])
        let search = try NSGA2(space: space, options: NSGA2Options(populationSize: 20, seed: 5, threads: 2),
                               objectiveCount: 2) { g in
            log.record(g)
            return [Double(g.reduce(0, +)), Double(g.map { 8 / $0 }.reduce(0, +) + g[0] % 3)]
        }
        search.run(generations: 30)
        let last = try #require(search.history.last)
        #expect(log.count == log.distinctCount)
        #expect(log.count == search.cache.count)
        #expect(last.totalEvaluations == log.count)
        #expect(last.totalCacheHits > 0)
        #expect(last.totalCacheHits == search.history.map(\.cacheHits).reduce(0, +))
        #expect(last.totalEvaluations == search.history.map(\.evaluations).reduce(0, +))
    }

    @Test("the population never holds the same genome twice")
    func noDuplicates() throws {
        let space = GenomeSpace(geneNames: ["a", "b", "c"], values: [0, 1, 2, 3])
        let search = try NSGA2(space: space, options: NSGA2Options(populationSize: 24, seed: 9, threads: 1),
                               objectiveCount: 2) { g in [Double(g[0] + g[1]), Double(3 - g[0] + g[2])] }
        var checked = 0
        search.run(generations: 25, report: { _ in
            #expect(Set(search.population.map(\.genome)).count == search.population.count)
            #expect(search.population.count == 24)
            checked += 1
        })
        #expect(checked == 26)
    }

    @Test("initial genomes (e.g. the homogeneous ones) are in generation 0, repeats dropped")
    func initialGenomes() throws {
        let space = GenomeSpace(geneNames: (1 ... 17).map { "op\($0)" }, values: Array(2 ... 8))
        let homogeneous = (2 ... 8).map { [Int](repeating: $0, count: 17) }
        let options = NSGA2Options(populationSize: 30, seed: 1, initialGenomes: homogeneous + [homogeneous[0]], threads: 1)
        let search = try NSGA2(space: space, options: options, objectiveCount: 2) { g in
            [Double(g.reduce(0, +)), g.map { exp2(-Double($0)) }.reduce(0, +)]
        }
        let report = try #require(search.initialize())
        #expect(report.generation == 0 && report.evaluations == 30)
        let genomes = Set(search.population.map(\.genome))
        #expect(search.population.count == 30)
        for genome in homogeneous { #expect(genomes.contains(genome)) }
        // The homogeneous genomes trade size for error, so all seven are on the first front.
        #expect(search.front.count >= 7)
        #expect(search.front == search.front.sorted { $0.objectives[0] < $1.objectives[0] })
    }

    @Test("a space smaller than the population is used whole; steps then add nothing")
    func tinySpace() throws {
        let space = GenomeSpace(geneNames: ["a", "b"], values: [1, 2, 3])
        let search = try NSGA2(space: space, options: NSGA2Options(populationSize: 20, seed: 2, threads: 2),
                               objectiveCount: 2) { g in [Double(g[0]), Double(-g[1])] }
        search.run(generations: 3)
        #expect(search.population.count == 9)
        #expect(search.front.map(\.genome) == [[1, 3]])
        #expect(search.history.map(\.evaluations) == [9, 0, 0, 0])
    }

    @Test("bad spaces, options and initial genomes are refused with a reason")
    func validation() {
        let space = GenomeSpace(geneNames: ["a", "b"], values: [1, 2])
        let f: @Sendable (Genome) -> [Double] = { _ in [0] }
        #expect(throws: SearchError.self) {
            _ = try NSGA2(space: GenomeSpace(geneNames: ["a"], allowedValues: [[]]), objectiveCount: 1, evaluate: f)
        }
        #expect(throws: SearchError.self) {
            _ = try NSGA2(space: GenomeSpace(geneNames: ["a"], allowedValues: [[1, 1]]), objectiveCount: 1, evaluate: f)
        }
        #expect(throws: SearchError.self) {
            _ = try NSGA2(space: space, options: NSGA2Options(populationSize: 1), objectiveCount: 1, evaluate: f)
        }
        do {
            _ = try NSGA2(space: space, options: NSGA2Options(initialGenomes: [[1, 2], [1, 5]]), objectiveCount: 1, evaluate: f)
            Issue.record("an initial genome outside the space was accepted")
        } catch {
            #expect(error == .invalidInitialGenome(index: 1, reason: "gene 'b' is 5, allowed are [1, 2]"))
            #expect(error.description.contains("#2"))
        }
    }

    @Test("NaN objectives count as the worst value instead of breaking the sort")
    func nanObjectives() throws {
        let space = GenomeSpace(geneNames: ["a", "b"], values: Array(0 ..< 6))
        let search = try NSGA2(space: space, options: NSGA2Options(populationSize: 10, seed: 4, threads: 1),
                               objectiveCount: 2) { g in g[0] == 0 ? [.nan, 0] : [Double(g[0]), Double(g[1])] }
        search.run(generations: 5)
        #expect(search.population.allSatisfy { !$0.objectives.contains(where: \.isNaN) })
    }
}
