import Testing
import Search

/// NSGA-II against problems whose true front is known.
@Suite("NSGA-II on textbook problems")
struct TextbookProblemTests {
    /// Budget: population 100, generation 0 + 60 generations, i.e. at most
    /// 6 100 evaluations (of a space of 16^17 ≈ 3·10^20 genomes).
    /// Target: the population's front reaches ≥ 99 % of the true front's
    /// hypervolume (reference (1.1, 1.1)). Measured with seeds 1, 7, 99: 99 %
    /// is reached by generation 32–38 (uniform mutation: 32–63), and the whole
    /// true front (100 %) by generation 150.
    @Test("discretised ZDT1 and ZDT2 (17 genes × 16 levels): ≥ 99 % of the true hypervolume in 60 generations",
          arguments: [DiscreteZDT.Kind.zdt1, .zdt2])
    func zdt(kind: DiscreteZDT.Kind) throws {
        let problem = DiscreteZDT(kind: kind, genes: 17, levels: 16)
        let search = try NSGA2(space: problem.space, options: NSGA2Options(populationSize: 100, seed: 7, threads: 2),
                               objectiveCount: 2) { problem.objectives($0) }
        search.run(generations: 60)
        let reference: [Double] = [1.1, 1.1]
        let trueVolume = Hypervolume.compute(problem.trueFront, reference: reference)
        let found = Hypervolume.compute(search.front.map(\.objectives), reference: reference)
        let fraction = found / trueVolume
        print("\(kind): hypervolume \(found) of \(trueVolume) = \(fraction * 100) %, front \(search.front.count), evaluations \(search.cache.count)")
        #expect(fraction >= 0.99)
        #expect(search.cache.count <= 6_100)
    }

    /// A DTLZ1-like linear 3-objective problem small enough to enumerate:
    /// genes a, b ∈ 0…3 place a point on the plane f1 + f2 + f3 = 2, genes
    /// c, d, e ∈ 0…7 push it away by a factor 1 + (c + d + e)/21. 4·4·8³ = 8192
    /// genomes; the true front is the 16 genomes with c = d = e = 0.
    /// Budget: population 30, 40 generations (≤ 1 230 evaluations).
    @Test("a small 3-objective problem, enumerated: the population's front is the whole true front")
    func enumerable() throws {
        let space = GenomeSpace(geneNames: ["a", "b", "c", "d", "e"],
                                allowedValues: [Array(0 ... 3), Array(0 ... 3), Array(0 ... 7), Array(0 ... 7), Array(0 ... 7)])
        let objectives: @Sendable (Genome) -> [Double] = { g in
            let scale = 1 + Double(g[2] + g[3] + g[4]) / 21
            let (a, b) = (Double(g[0]) / 3, Double(g[1]) / 3)
            return [a * scale, b * scale, (2 - a - b) * scale]
        }
        var all: [Genome] = []
        for a in 0 ... 3 { for b in 0 ... 3 { for c in 0 ... 7 { for d in 0 ... 7 { for e in 0 ... 7 {
            all.append([a, b, c, d, e])
        } } } } }
        let points = all.map(objectives)
        let truth = Pareto.nondominated(points).map { points[$0] }
        #expect(truth.count == 16)
        let search = try NSGA2(space: space, options: NSGA2Options(populationSize: 30, seed: 3, threads: 2),
                               objectiveCount: 3, evaluate: objectives)
        search.run(generations: 40)
        let reference: [Double] = [3, 3, 5]
        let fraction = Hypervolume.compute(search.front.map(\.objectives), reference: reference)
            / Hypervolume.compute(truth, reference: reference)
        print("enumerable: front \(search.front.count) of \(truth.count), hypervolume fraction \(fraction), evaluations \(search.cache.count)")
        #expect(Set(search.front.map(\.objectives)) == Set(truth))
        #expect(abs(fraction - 1) < 1e-12)
    }
}
