/// Processes that share each batch of evaluations, as MPI ranks do: each evaluates one
/// contiguous slice and every process receives all results in order, so every process
/// advances the same search. Implemented by the executable's MPI build; nil elsewhere.
public protocol BatchPartition: Sendable {
    /// This process's index, 0 ..< count.
    var rank: Int { get }
    /// How many processes share the work.
    var count: Int { get }
    /// Every process's `local` values concatenated in rank order (MPI_Allgatherv); the
    /// lengths may differ between processes.
    func allGather(_ local: [Double]) -> [Double]
}

extension BatchPartition {
    /// The items of a batch of `n` this process takes: contiguous, sizes differing by at most one.
    public func slice(of n: Int) -> Range<Int> { (n * rank / count) ..< (n * (rank + 1) / count) }

    /// `evaluate` over `items`, each process taking its slice, every process returning all
    /// results in order. Each result travels as its length and its values.
    /// A rank whose `evaluate` throws leaves the others waiting in the exchange; under
    /// mpirun its failure ends the job (the executable calls MPI_Abort on any error).
    public func share<Item>(_ items: [Item], evaluate: ([Item]) throws -> [[Double]]) rethrows -> [[Double]] {
        let mine = slice(of: items.count)
        var flat: [Double] = []
        for values in try evaluate(Array(items[mine])) {
            flat.append(Double(values.count))
            flat.append(contentsOf: values)
        }
        let all = allGather(flat)
        var results: [[Double]] = []
        results.reserveCapacity(items.count)
        var at = 0
        while at < all.count {
            let length = Int(all[at])
            results.append(Array(all[(at + 1) ..< (at + 1 + length)]))
            at += 1 + length
        }
        precondition(results.count == items.count, "BatchPartition: \(results.count) results gathered for \(items.count) items")
        return results
    }
}
