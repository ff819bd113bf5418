import Foundation

/// Evaluates a batch of genomes on several threads; results land by index, so
/// they are the same whatever the thread count or the finishing order.
enum ParallelEvaluation {
    /// Results per genome; nil for genomes not evaluated because `shouldStop`
    /// turned true. `shouldStop` is polled before each evaluation starts, and
    /// evaluations already running are allowed to finish.
    ///
    /// With a `partition` of more than one process, each evaluates its slice and all
    /// results are exchanged; Ctrl-C is not polled then (mpirun ends every rank at once).
    static func evaluate(
        _ genomes: [Genome],
        threads: Int,
        partition: BatchPartition? = nil,
        evaluate: @escaping @Sendable (Genome) -> [Double],
        shouldStop: @escaping @Sendable () -> Bool
    ) -> [[Double]?] {
        if let partition, partition.count > 1 {
            return partition.share(genomes) { slice in
                Self.evaluate(slice, threads: threads, evaluate: evaluate, shouldStop: { false }).map { $0 ?? [] }
            }
        }
        let workers = max(1, min(threads, genomes.count))
        if workers == 1 {
            var results = [[Double]?](repeating: nil, count: genomes.count)
            for i in genomes.indices {
                if shouldStop() { break }
                results[i] = evaluate(genomes[i])
            }
            return results
        }
        let board = WorkBoard(count: genomes.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = board.take(shouldStop: shouldStop) {
                board.put(i, evaluate(genomes[i]))
            }
        }
        return board.results
    }
}

/// Hands out work indices and collects results under a lock.
private final class WorkBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var stopped = false
    private let count: Int
    private var storage: [[Double]?]

    init(count: Int) {
        self.count = count
        storage = [[Double]?](repeating: nil, count: count)
    }

    func take(shouldStop: () -> Bool) -> Int? {
        // Polled outside the lock: the caller's flag may be slow or take its own lock.
        let stop = shouldStop()
        lock.lock()
        defer { lock.unlock() }
        if stop { stopped = true }
        guard !stopped, nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func put(_ index: Int, _ value: [Double]) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    var results: [[Double]?] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
