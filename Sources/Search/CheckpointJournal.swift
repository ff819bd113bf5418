import FileWriting
import Foundation

/// Saves a search's checkpoint after every generation at a cost that follows the
/// generation's work, not the run's length.
///
/// The file is JSON lines: the first line is a whole `NSGA2Checkpoint` (the base), each
/// further line a `CheckpointJournal.Line` holding what one or more generations changed:
/// the population, their reports and their new evaluations. A save appends one line
/// (one write, flushed), so its cost is the population's and the new evaluations', not
/// the cache's; when the lines outgrow the base, the whole state is written again
/// atomically as a new base (`FileWriting.replace`), which keeps the work per generation
/// constant on average. A kill during an append leaves a last line without its newline,
/// which loading ignores: at most one generation is lost, as before. A file of one
/// line is a plain checkpoint, so files written before the journal still load.
public final class CheckpointJournal {
    /// What one save appended: enough to turn the previous state into the next.
    struct Line: Codable, Equatable {
        var generation: Int
        var population: [Individual]
        var reports: [GenerationReport]
        var evaluations: [EvaluationCache.Entry]
        var cacheHits: Int
        var referencePoint: [Double]?
        var context: [String: String]
    }

    /// The file written.
    public let url: URL
    /// What the file holds: the generation, cache entries and reports on disk, and the
    /// file's identity and length after the last write, so a file deleted or replaced
    /// between saves gets a whole base instead of a line it cannot be read with.
    private var saved: (generation: Int, evaluations: Int, reports: Int, device: UInt64, inode: UInt64, size: Int64)?
    private var baseBytes = 0
    private var journalBytes = 0

    /// A journal for `url`; the first save writes a whole base.
    public init(url: URL) {
        self.url = url
    }

    /// Saves `checkpoint`: one appended line when it continues what the file holds,
    /// a whole new base otherwise (the first save, after a resume, or when the lines
    /// outgrow the base).
    public func save(_ checkpoint: NSGA2Checkpoint) throws(SearchError) {
        // An MPI rank other than 0 writes no files: encoding the state would only cost time.
        if FileWriting.observer { return }
        // Any failure leaves the file's state unknown: the next save writes a whole base.
        let previous = saved
        saved = nil
        var appendable: Int32?
        if let saved = previous, checkpoint.generation > saved.generation, journalBytes < baseBytes,
           checkpoint.cache.count >= saved.evaluations, checkpoint.history.count >= saved.reports,
           let descriptor = try? FileWriting.openForAppending(url.path, create: false) {
            // Append only to the very file the last save left (not a replaced or grown one).
            if Self.identity({ fstat(descriptor, &$0) }).map({ $0 == (saved.device, saved.inode, saved.size) }) == true {
                appendable = descriptor
            } else {
                close(descriptor)
            }
        }
        if let descriptor = appendable, let saved = previous {
            defer { close(descriptor) }
            let line = Line(generation: checkpoint.generation, population: checkpoint.population,
                            reports: Array(checkpoint.history[saved.reports...]),
                            evaluations: checkpoint.cache.entries(from: saved.evaluations),
                            cacheHits: checkpoint.cache.hits, referencePoint: checkpoint.referencePoint,
                            context: checkpoint.context)
            var data: Data
            do { data = try NSGA2Checkpoint.encoder.encode(line) } catch {
                throw .checkpointUnwritable(path: url.path, reason: "encoding failed: \(error)")
            }
            data.append(UInt8(ascii: "\n"))
            do { try FileWriting.appendWhole(data, to: descriptor, path: url.path) } catch {
                throw .checkpointUnwritable(path: url.path, reason: error.reason)
            }
            if fsync(descriptor) != 0 {
                throw .checkpointUnwritable(path: url.path, reason: FileWriteError.reason(errno: errno))
            }
            journalBytes += data.count
            record(checkpoint, Self.identity { fstat(descriptor, &$0) })
        } else {
            baseBytes = try checkpoint.save(to: url)
            journalBytes = 0
            record(checkpoint, Self.identity { stat(url.path, &$0) })
        }
    }

    /// Notes what the file now holds, for the next save's check.
    private func record(_ checkpoint: NSGA2Checkpoint, _ identity: (UInt64, UInt64, Int64)?) {
        guard let (device, inode, size) = identity else { return }
        saved = (checkpoint.generation, checkpoint.cache.count, checkpoint.history.count, device, inode, size)
    }

    /// The device, inode and length `statting` reports (an `fstat` or a `stat`), or nil when it fails.
    private static func identity(_ statting: (inout stat) -> Int32) -> (UInt64, UInt64, Int64)? {
        var status = stat()
        guard statting(&status) == 0 else { return nil }
        return (UInt64(status.st_dev), UInt64(status.st_ino), Int64(status.st_size))
    }

    /// `base` with every complete line of `lines` applied in order; the bytes after the
    /// last newline (an append cut short by a kill) are ignored.
    static func replay(_ lines: [Data], onto base: NSGA2Checkpoint, path: String) throws(SearchError) -> NSGA2Checkpoint {
        var state = base
        for (index, data) in lines.enumerated() {
            let line: Line
            do { line = try NSGA2Checkpoint.decoder.decode(Line.self, from: data) } catch {
                throw .checkpointMalformed(path: path, reason: "journal line \(index + 2) is damaged (\(NSGA2Checkpoint.describe(error)))")
            }
            guard line.generation > state.generation, line.cacheHits >= state.cache.hits else {
                throw .checkpointMalformed(path: path, reason: "journal line \(index + 2) is for generation \(line.generation), after generation \(state.generation)")
            }
            if let problem = EvaluationCache.problem(with: line.evaluations, objectiveCount: state.objectiveCount,
                                                     constraintCount: state.constraintCount, known: { state.cache.peek($0) != nil }) {
                throw .checkpointMalformed(path: path, reason: "journal line \(index + 2): \(problem)")
            }
            state.generation = line.generation
            state.population = line.population
            state.history += line.reports
            for entry in line.evaluations { state.cache.store(entry.genome, entry.evaluation) }
            state.cache.countHits(line.cacheHits - state.cache.hits)
            state.referencePoint = line.referencePoint
            state.context = line.context
        }
        return state
    }
}
