import Foundation
import Search
import Testing

/// `count` threads standing in for MPI ranks: `allGather` waits until every rank has
/// contributed, then hands each the concatenation in rank order, as MPI_Allgatherv does.
private final class SimulatedRanks: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    let count: Int
    private let condition = NSCondition()
    private var round = 0, arrived = 0
    private var contributions: [[Double]]
    private var finished: [Double] = []
    /// How many values each round gathered, for the exchange's size.
    private(set) var gathered: [Int] = []

    init(count: Int) {
        self.count = count
        contributions = Array(repeating: [], count: count)
    }

    func gather(rank: Int, _ local: [Double]) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let myRound = round
        contributions[rank] = local
        arrived += 1
        if arrived == count {
            finished = contributions.flatMap { $0 }
            gathered.append(finished.count)
            arrived = 0
            round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        return finished
    }

    struct Rank: BatchPartition {
        let ranks: SimulatedRanks
        let rank: Int
        var count: Int { ranks.count }
        func allGather(_ local: [Double]) -> [Double] { ranks.gather(rank: rank, local) }
    }

    /// Runs `body` once per rank, each on its own thread, and returns the results by rank.
    func run<T: Sendable>(_ body: @escaping @Sendable (Rank) -> T) -> [T] {
        let results = Results<T>(count: count)
        let group = DispatchGroup()
        for rank in 0..<count {
            let thread = Thread { results.set(rank, body(Rank(ranks: self, rank: rank))); group.leave() }
            group.enter()
            thread.start()
        }
        group.wait()
        return results.values
    }
}

private final class Results<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [T?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); storage[i] = value; lock.unlock() }
    /// Every rank's value; run() waits for all of them, so none is missing.
    var values: [T] { lock.lock(); defer { lock.unlock() }; return storage.compactMap { $0 } }
}

@Suite("Sharing evaluations between processes (MPI ranks), simulated by threads")
struct BatchPartitionTests {
    @Test("slices are contiguous, cover the batch once and differ in size by at most one", arguments: [1, 2, 3, 7])
    func slices(count: Int) {
        let ranks = SimulatedRanks(count: count)
        for n in [0, 1, 5, 48, 49] {
            let slices = (0..<count).map { SimulatedRanks.Rank(ranks: ranks, rank: $0).slice(of: n) }
            #expect(slices.flatMap { Array($0) } == Array(0..<n))
            let sizes = slices.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        }
    }

    @Test("each rank evaluates only its slice, and every rank receives every result in order")
    func share() {
        let ranks = SimulatedRanks(count: 3)
        let items = Array(0..<10)
        let outcome = ranks.run { rank in
            var evaluated: [Int] = []
            let results = rank.share(items) { slice in
                evaluated = slice
                // Results of different lengths, to check they are framed.
                return slice.map { Array(repeating: Double($0), count: $0 % 3 + 1) }
            }
            return (evaluated, results)
        }
        let expected = items.map { Array(repeating: Double($0), count: $0 % 3 + 1) }
        #expect(outcome.map(\.0) == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]])
        for (_, results) in outcome { #expect(results == expected) }
    }

    @Test("a search over 1, 2 or 3 simulated ranks gives every rank the front, hypervolume and cache of one process",
          arguments: [1, 2, 3])
    func searchMatchesOneProcess(count: Int) throws {
        let problem = DiscreteZDT(kind: .zdt1, genes: 8, levels: 16)
        @Sendable func search(_ partition: BatchPartition?) throws -> NSGA2 {
            let nsga = try NSGA2(space: problem.space, options: NSGA2Options(populationSize: 12, seed: 9, threads: 2), objectiveCount: 2,
                                 evaluate: { problem.objectives($0) })
            nsga.partition = partition
            return nsga
        }
        let alone = try search(nil)
        _ = alone.run(generations: 8)
        let ranks = SimulatedRanks(count: count)
        let outcomes = ranks.run { rank -> (front: [[Double]], hypervolume: Double, evaluations: Int)? in
            // Every rank makes its search the same way, so none fails alone and leaves the others waiting.
            guard let nsga = try? search(rank) else { return nil }
            _ = nsga.run(generations: 8)
            return (nsga.population.filter { $0.rank == 0 }.map(\.objectives), nsga.hypervolume, nsga.cache.count)
        }
        #expect(outcomes.count == count && outcomes.allSatisfy { $0 != nil })
        let front = alone.population.filter { $0.rank == 0 }.map(\.objectives)
        for outcome in outcomes.compactMap({ $0 }) {
            #expect(outcome.front == front)
            #expect(outcome.hypervolume == alone.hypervolume)
            #expect(outcome.evaluations == alone.cache.count)
        }
        // Each generation's new evaluations crossed the exchange once, as (length, values).
        #expect(ranks.gathered.reduce(0, +) == (count > 1 ? alone.cache.count * 3 : 0))
    }
}
