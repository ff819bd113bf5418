import FileWriting
import MPIBridge
import Search

/// The ranks of an `mpirun` job as a `BatchPartition`: each generation's evaluations are
/// split by rank and the objective vectors exchanged with MPI_Allgatherv.
/// Calls MPI from the main thread only (MPI_THREAD_FUNNELED).
public struct MPIPartition: BatchPartition {
    public let rank: Int
    public let count: Int

    /// Starts MPI; nil when it cannot start.
    public static func start() -> MPIPartition? {
        guard gq_mpi_init() == 0 else { return nil }
        return MPIPartition(rank: Int(gq_mpi_rank()), count: Int(gq_mpi_size()))
    }

    public func allGather(_ local: [Double]) -> [Double] {
        var counts = [Int32](repeating: 0, count: count)
        gq_mpi_allgather_count(Int32(local.count), &counts)
        var all = [Double](repeating: 0, count: counts.reduce(0) { $0 + Int($1) })
        local.withUnsafeBufferPointer { l in
            all.withUnsafeMutableBufferPointer { a in
                gq_mpi_allgather_doubles(l.baseAddress, Int32(local.count), a.baseAddress, counts)
            }
        }
        return all
    }

    /// Waits until every rank has come here: after a command, so files rank 0 wrote are
    /// there before another rank reads them.
    public func barrier() { gq_mpi_barrier() }

    /// Makes every file write of this process a no-op: ranks other than 0 run the same
    /// script, but the files (models, tables, checkpoints, plots) are rank 0's to write.
    public static func leaveFilesToRankZero() { FileWriting.observer = true }

    /// Ends the whole job with `code`.
    public func abort(_ code: Int32) -> Never {
        gq_mpi_abort(code)
        fatalError("MPI_Abort returned")
    }

    public func finish() { gq_mpi_finalize() }
}
