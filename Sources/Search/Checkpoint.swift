import FileWriting
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything needed to continue a search: space, options, population, cache,
/// history and generation. The random state is the generation number itself
/// (each generation draws from its own stream of the seed), so nothing else is needed.
public struct NSGA2Checkpoint: Sendable, Codable, Equatable {
    /// Bumped when the file layout changes incompatibly: 2 added the journal lines after
    /// the first (`CheckpointJournal`); a version-1 file is one line and reads the same.
    /// 3 added constraint values, and is written only for a constrained search, so a gq
    /// that knows nothing of constraints refuses such a file instead of resuming it
    /// without them; an unconstrained search still writes version 2.
    public static let currentFormatVersion = 2
    public static let constrainedFormatVersion = 3
    static let readableFormatVersions = [1, 2, 3]

    public var formatVersion: Int
    public var space: GenomeSpace
    public var options: NSGA2Options
    public var objectiveCount: Int
    /// Constraint values per evaluation; 0 (or absent, in files from before constraints) without.
    public var constraintCount: Int
    public var generation: Int
    public var referencePoint: [Double]?
    public var population: [Individual]
    public var cache: EvaluationCache
    public var history: [GenerationReport]
    /// What `history`'s hypervolumes measure: `archiveHypervolume` in files written since the
    /// reports measure the archive front; absent in older files, whose reports measured the
    /// population's first front and are measured again on the archive as they load.
    public var historyHypervolume: String?
    public static let archiveHypervolume = "archive"
    /// The caller's own description of what was searched (opaque to the search), saved
    /// and loaded with the rest so one file holds everything needed to resume.
    public var context: [String: String]

    public init(space: GenomeSpace, options: NSGA2Options, objectiveCount: Int, constraintCount: Int = 0, generation: Int,
                referencePoint: [Double]?, population: [Individual], cache: EvaluationCache,
                history: [GenerationReport], context: [String: String] = [:]) {
        formatVersion = constraintCount > 0 ? Self.constrainedFormatVersion : Self.currentFormatVersion
        self.space = space
        self.options = options
        self.objectiveCount = objectiveCount
        self.constraintCount = constraintCount
        self.generation = generation
        self.referencePoint = referencePoint
        self.population = population
        self.cache = cache
        self.context = context
        self.history = history
        historyHypervolume = Self.archiveHypervolume
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion, space, options, objectiveCount, constraintCount, generation, referencePoint, population, cache, history, historyHypervolume, context
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decode(Int.self, forKey: .formatVersion)
        space = try container.decode(GenomeSpace.self, forKey: .space)
        options = try container.decode(NSGA2Options.self, forKey: .options)
        objectiveCount = try container.decode(Int.self, forKey: .objectiveCount)
        constraintCount = try container.decodeIfPresent(Int.self, forKey: .constraintCount) ?? 0
        generation = try container.decode(Int.self, forKey: .generation)
        referencePoint = try container.decodeIfPresent([Double].self, forKey: .referencePoint)
        population = try container.decode([Individual].self, forKey: .population)
        cache = try container.decode(EvaluationCache.self, forKey: .cache)
        history = try container.decode([GenerationReport].self, forKey: .history)
        historyHypervolume = try container.decodeIfPresent(String.self, forKey: .historyHypervolume)
        context = try container.decode([String: String].self, forKey: .context)
    }

    // Written only for a constrained search, so an unconstrained one's file is as before.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(space, forKey: .space)
        try container.encode(options, forKey: .options)
        try container.encode(objectiveCount, forKey: .objectiveCount)
        if constraintCount != 0 { try container.encode(constraintCount, forKey: .constraintCount) }
        try container.encode(generation, forKey: .generation)
        try container.encodeIfPresent(referencePoint, forKey: .referencePoint)
        try container.encode(population, forKey: .population)
        try container.encode(cache, forKey: .cache)
        try container.encode(history, forKey: .history)
        try container.encodeIfPresent(historyHypervolume, forKey: .historyHypervolume)
        try container.encode(context, forKey: .context)
    }

    /// JSON with sorted keys on one line; infinities (crowding at a front's ends) as strings.
    public func jsonData() throws -> Data {
        try Self.encoder.encode(self)
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Writes the checkpoint as one JSON line to a temporary file beside `url`, then
    /// renames it over `url`, so a reader (or a crash) never sees a half-written file.
    /// Returns the bytes written. `CheckpointJournal` appends its lines after this one.
    @discardableResult
    public func save(to url: URL) throws(SearchError) -> Int {
        var data: Data
        do { data = try jsonData() } catch {
            throw .checkpointUnwritable(path: url.path, reason: "encoding failed: \(error)")
        }
        data.append(UInt8(ascii: "\n"))
        // FileWriting.replace: an exclusive temporary beside the target, renamed over it,
        // removed on any failure, so no empty or partial file stays behind.
        do {
            try FileWriting.replace(url.path, with: data)
        } catch {
            throw .checkpointUnwritable(path: url.path, reason: error.reason)
        }
        return data.count
    }

    /// Reads and checks a checkpoint written by `save`.
    public static func load(from url: URL) throws(SearchError) -> NSGA2Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? error.localizedDescription : "no such file"
            throw .checkpointUnreadable(path: url.path, reason: reason)
        }
        let decoder = Self.decoder
        // JSON lines (CheckpointJournal): a whole checkpoint, then what later generations
        // changed. Bytes after the last newline are an append a kill cut short.
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.count > 1 { lines.removeLast() }
        var base = Data(lines.first ?? Data())
        struct Version: Decodable { var formatVersion: Int }
        // A version-1 file formatted by hand spans many lines and has no journal.
        if (try? decoder.decode(Version.self, from: base)) == nil, (try? decoder.decode(Version.self, from: data)) != nil {
            base = data
            lines = Array(lines.prefix(1))
        }
        guard let version = try? decoder.decode(Version.self, from: base) else {
            throw .checkpointMalformed(path: url.path, reason: "not JSON with a 'formatVersion' field")
        }
        guard readableFormatVersions.contains(version.formatVersion) else {
            throw .checkpointMalformed(path: url.path,
                                       reason: "format version \(version.formatVersion), this gq reads versions \(readableFormatVersions.dropLast().map(String.init).joined(separator: ", ")) and \(readableFormatVersions.last ?? 0)")
        }
        var checkpoint: NSGA2Checkpoint
        do { checkpoint = try decoder.decode(NSGA2Checkpoint.self, from: base) } catch {
            throw .checkpointMalformed(path: url.path, reason: describe(error))
        }
        checkpoint = try CheckpointJournal.replay(lines.dropFirst().filter { !$0.isEmpty }.map { Data($0) }, onto: checkpoint, path: url.path)
        if let problem = checkpoint.inconsistency() {
            throw .checkpointMalformed(path: url.path, reason: problem)
        }
        if checkpoint.historyHypervolume != archiveHypervolume { checkpoint.measureHistoryOnArchive() }
        return checkpoint
    }

    /// Sets every report's hypervolume to the archive front's after its generation: that of
    /// the first `totalEvaluations` evaluations of the cache, which keeps them in the order
    /// they were made. For files whose reports measured the population's first front.
    mutating func measureHistoryOnArchive() {
        let entries = cache.entries
        var archive = EvaluationCache()
        var stored = 0
        for index in history.indices {
            let end = min(max(history[index].totalEvaluations, stored), entries.count)
            for entry in entries[stored..<end] { archive.store(entry.genome, entry.evaluation) }
            stored = end
            history[index].hypervolume = referencePoint.map { archive.hypervolume(reference: $0) } ?? 0
        }
        historyHypervolume = Self.archiveHypervolume
    }

    /// Nil when the parts agree with each other, otherwise the first disagreement.
    func inconsistency() -> String? {
        do { try space.validate() } catch { return error.description }
        guard (1...64).contains(objectiveCount) else { return "the objective count is \(objectiveCount); expected 1 to 64" }
        guard (0...64).contains(constraintCount) else { return "the constraint count is \(constraintCount); expected 0 to 64" }
        if constraintCount > 0, formatVersion < Self.constrainedFormatVersion {
            return "it has \(constraintCount) constraints but format version \(formatVersion), which has none"
        }
        do { try options.validate(for: space, objectiveCount: objectiveCount) } catch { return error.description }
        // A checkpoint is written after each finished generation, so it always holds a
        // population and one report per generation, 0 included.
        if population.isEmpty { return "the population is empty" }
        if population.count > options.populationSize {
            return "the population holds \(population.count) individuals, more than its size \(options.populationSize)"
        }
        guard generation >= 0, history.count == generation + 1,
              history.enumerated().allSatisfy({ $0.offset == $0.element.generation })
        else {
            return "generation \(generation) does not match the \(history.count) generation reports (one per generation from 0)"
        }
        for individual in population {
            if let why = space.problem(with: individual.genome) { return "a population genome is outside the space: \(why)" }
            if individual.objectives.count != objectiveCount {
                return "an individual has \(individual.objectives.count) objectives, expected \(objectiveCount)"
            }
            if individual.constraints.count != constraintCount {
                return "an individual has \(individual.constraints.count) constraint values, expected \(constraintCount)"
            }
        }
        if Set(population.map(\.genome)).count != population.count { return "the population holds a genome twice" }
        for individual in population where individual.objectives.contains(where: \.isNaN) {
            return "an individual's objectives hold NaN"
        }
        for individual in population where individual.constraints.contains(where: \.isNaN) {
            return "an individual's constraint values hold NaN"
        }
        for individual in population where cache.peek(individual.genome) != individual.objectives {
            return "an individual's objectives differ from the evaluation cache's for its genome"
        }
        for individual in population where cache.evaluation(of: individual.genome)?.constraints != individual.constraints {
            return "an individual's constraint values differ from the evaluation cache's for its genome"
        }
        if let reference = referencePoint, reference.count != objectiveCount {
            return "the reference point has \(reference.count) values, expected \(objectiveCount)"
        }
        for entry in cache.entries where entry.objectives.count != objectiveCount || entry.genome.count != space.geneCount {
            return "a cache entry does not match the space or the objective count"
        }
        for entry in cache.entries where entry.constraints.count != constraintCount {
            return "a cache entry has \(entry.constraints.count) constraint values, expected \(constraintCount)"
        }
        return nil
    }

    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch decoding {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at '\(path(context))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at '\(path(context))'"
        @unknown default: return "\(error)"
        }
    }
}
