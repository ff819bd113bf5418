import Export
import Foundation
import Quantization
import Search

/// What `evolve N gens` asks for; nil fields take their defaults.
public struct EvolveRequest: Sendable {
    public var generations: Int
    public var population: Int?
    public var seed: UInt64?
    public var objectives: [SearchObjective]
    public var widths: [Int]
    public var checkpoint: URL?
    /// Start anew even when the workspace's search could be continued.
    public var fresh: Bool
    /// Seed the first population with homogeneous 2..8-bit.
    public var homogeneousStart: Bool
    /// Bounds every front member must meet (`flash 16k`, `latency 40000`).
    public var constraints: [SearchConstraint]
    /// The core latency and RAM are estimated for.
    public var core: TargetCore
    /// What the accuracy objective is measured on; nil: what the workspace's search was
    /// judged on (so a plain 'evolve N gens' continues it), else `defaultJudge`.
    public var judge: JudgingSet.Kind?

    public init(generations: Int, population: Int? = nil, seed: UInt64? = nil,
                objectives: [SearchObjective] = SearchObjective.defaultList, widths: [Int] = QuantizationProblem.defaultWidths,
                checkpoint: URL? = nil, fresh: Bool = false, homogeneousStart: Bool = true,
                constraints: [SearchConstraint] = [], core: TargetCore = EvolveRequest.defaultCore,
                judge: JudgingSet.Kind? = nil) {
        self.generations = generations
        self.population = population
        self.seed = seed
        self.objectives = objectives
        self.widths = widths
        self.checkpoint = checkpoint
        self.fresh = fresh
        self.homogeneousStart = homogeneousStart
        self.constraints = constraints
        self.core = core
        self.judge = judge
    }

    public static let defaultJudge = JudgingSet.Kind.noisy

    /// A Cortex-M4: the DSP path, the usual target of the C export.
    public static let defaultCore = TargetCore.m4

    public static let defaultPopulation = 32
}

/// How `prepareSearch` got a search ready, for the line `evolve` prints before it runs.
public enum SearchStart: Sendable, Equatable {
    /// A new search, its first generation evaluated.
    case started
    /// The workspace's search, given more generations.
    case continued(fromGeneration: Int)
}

extension Workspace {
    /// The search problem over the current configuration: the weights in use, their
    /// ranges and options, and the current bits for the operators outside the genome.
    public func searchProblem(objectives: [SearchObjective], widths: [Int], constraints: [SearchConstraint] = [],
                              core: TargetCore = EvolveRequest.defaultCore, judge: JudgingSet.Kind = EvolveRequest.defaultJudge,
                              judgeSeed: UInt64? = nil) throws -> QuantizationProblem {
        return QuantizationProblem(task: try requireTask().name, inputs: try currentSearchInputs(), judge: try judgingSet(judge, seed: judgeSeed ?? seed),
                                   objectives: objectives, widths: widths, constraints: constraints, core: core)
    }

    /// The weights, ranges, options and fixed widths a search would evaluate with now.
    func currentSearchInputs() throws -> SearchInputs {
        let inputs = try quantizationInputs()
        return SearchInputs(model: inputs.model, calibration: inputs.calibration, options: options, base: bits)
    }

    /// A cost of a configuration outside any search (the current bits, say), on `core`.
    public func cost(_ quantity: SearchObjective, of configuration: BitWidths, core: TargetCore = EvolveRequest.defaultCore) throws -> Double {
        let input = ObjectiveInput(bits: configuration, quantized: try quantizedModel(configuration), core: core,
                                   judge: try evaluator(of: .validation))
        return quantity.value(for: input)
    }

    /// Prepares `evolve`: continues the workspace's search when nothing that defines it
    /// has changed (same weights, ranges, options, objectives, constraints, core when a
    /// cost depends on it, widths, population and seed), else starts a new one and
    /// evaluates its first generation.
    public func prepareSearch(_ request: EvolveRequest) throws -> (QuantizationSearch, SearchStart) {
        // The current search's judging set when the request names none or the same kind, so
        // that a plain 'evolve N gens' continues it (copies drawn with the seed it began with).
        let current = search?.problem.judge
        let judge = request.judge ?? current?.kind ?? EvolveRequest.defaultJudge
        let problem = try searchProblem(objectives: request.objectives, widths: request.widths,
                                        constraints: request.constraints, core: request.core, judge: judge,
                                        judgeSeed: current?.kind == judge ? current?.seed : nil)
        if !request.fresh, let current = search,
           current.problem.fingerprint == problem.fingerprint, current.objectives == problem.objectives,
           current.problem.constraints == problem.constraints, current.problem.deviceCore == problem.deviceCore,
           current.search.space == problem.space,
           request.population.map({ $0 == current.search.options.populationSize }) ?? true,
           request.seed.map({ $0 == current.search.options.seed }) ?? true {
            let from = current.generation
            current.extend(by: request.generations, checkpoint: request.checkpoint)
            return (current, .continued(fromGeneration: from))
        }
        // The reference needs homogeneous 8-bit before the search exists: one evaluation outside its cache.
        let reference = problem.referencePoint(eightBit: problem.evaluate(problem.homogeneous(8)))
        let homogeneousWidths = (2...8).filter { request.widths.contains($0) }
        var searchOptions = NSGA2Options()
        searchOptions.populationSize = request.population ?? EvolveRequest.defaultPopulation
        searchOptions.seed = request.seed ?? seed
        searchOptions.referencePoint = reference
        if request.homogeneousStart { searchOptions.initialGenomes = homogeneousWidths.map(problem.homogeneous) }
        let nsga: NSGA2
        do {
            nsga = try NSGA2(space: problem.space, options: searchOptions, objectiveCount: problem.objectives.count,
                             constraintCount: problem.constraints.count, evaluate: { problem.evaluation($0) })
        } catch {
            throw WorkbenchError.searchSetup(error.description)
        }
        nsga.partition = partition
        let context = SearchContext(task: problem.task, fingerprint: problem.fingerprint, objectives: problem.objectives.map(\.name),
                                    inputBits: bits[.input], fcBits: bits[.fc], targetGeneration: request.generations, reference: reference,
                                    core: problem.deviceCore?.rawValue, judge: problem.judge.contextValue,
                                    constraints: problem.constraints.isEmpty ? nil
                                        : problem.constraints.map { SearchContext.Limit(quantity: $0.quantity.name, bound: $0.bound) })
        let checkpoint = request.checkpoint ?? CheckpointLocation.newRun(task: problem.task, fingerprint: problem.fingerprint,
                                                                         seed: searchOptions.seed, population: searchOptions.populationSize)
        // Generation 0 holds the homogeneous genomes: their values come from the search's cache.
        _ = nsga.initialize(shouldStop: shouldStop)
        let homogeneous = homogeneousWidths.map { bits in
            let genome = problem.homogeneous(bits)
            return HomogeneousPoint(bits: bits, evaluation: nsga.cache.evaluation(of: genome) ?? problem.evaluation(genome))
        }
        let made = QuantizationSearch(search: nsga, context: context, problem: problem, checkpointURL: checkpoint, homogeneous: homogeneous)
        search = made
        return (made, .started)
    }

    /// Reads a checkpoint and makes its search current, after checking it was made with
    /// the weights, ranges and options in use. Runs on with `advance`.
    public func resumeSearch(from url: URL) throws -> QuantizationSearch {
        let saved: NSGA2Checkpoint
        do {
            saved = try NSGA2Checkpoint.load(from: url)
        } catch {
            throw WorkbenchError.searchSetup(error.description)
        }
        let context = try SearchContext(checkpoint: saved, path: url.path)
        var objectives: [SearchObjective] = []
        for name in context.objectives {
            guard let objective = SearchObjective.named(name) else {
                throw WorkbenchError.checkpoint(path: url.path, reason: "minimises '\(name)', which this gq does not know (objectives: \(SearchObjective.catalog.map(\.name).joined(separator: ", ")))")
            }
            objectives.append(objective)
        }
        var constraints: [SearchConstraint] = []
        for limit in context.constraints ?? [] {
            guard let quantity = SearchObjective.named(limit.quantity), let constraint = try? SearchConstraint(quantity, atMost: limit.bound) else {
                throw WorkbenchError.checkpoint(path: url.path, reason: "bounds '\(limit.quantity)' by \(limit.bound), which this gq cannot (bounds: \(SearchObjective.limited.map(\.name).joined(separator: ", ")))")
            }
            constraints.append(constraint)
        }
        guard constraints.count == saved.constraintCount else {
            throw WorkbenchError.checkpoint(path: url.path, reason: "names \(constraints.count) bounds but holds \(saved.constraintCount) constraint values per evaluation")
        }
        var core = EvolveRequest.defaultCore
        if let name = context.core {
            guard let known = TargetCore(rawValue: name) else {
                throw WorkbenchError.checkpoint(path: url.path, reason: "estimated its device costs for core '\(name)', which this gq does not know (cores: \(TargetCore.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            core = known
        }
        let (judge, judgeSeed) = try JudgingSet.parse(context: context.judge, path: url.path)
        // Checked before the copies are drawn, which after a refit cross-fits, for minutes on
        // long series; the problem built below has this fingerprint.
        let floatModel = judge == .validation ? "" : try floatModelDigest()
        let judgeIdentity = JudgingSet.identity(kind: judge, seed: judgeSeed ?? seed, floatModel: floatModel)
        let inputs = try currentSearchInputs()
        guard QuantizationProblem.fingerprint(inputs, judge: judgeIdentity) == context.fingerprint else {
            let older = (1..<JudgingSet.currentVersion).contains { version in
                QuantizationProblem.fingerprint(inputs, judge: JudgingSet.identity(kind: judge, seed: judgeSeed ?? seed, floatModel: floatModel, version: version)) == context.fingerprint
            }
            if older {
                throw WorkbenchError.checkpoint(path: url.path, reason: "was judged on noisy copies as an older gq drew them (at most 4,096 sequences; this gq may give short sequences more copies), so this gq does not resume it: run the search again with the same settings")
            }
            throw WorkbenchError.checkpoint(path: url.path, reason: "was made with another model, calibration or input/fc widths (task \(context.task)); load that model and settings first (a refit model trained with 'train' judges on copies whose noise cross-fitting chose, the same model loaded from a file on copies matched to its held-out loss: resume it the way it was made)")
        }
        let problem = try searchProblem(objectives: objectives, widths: saved.space.allowedValues.first ?? QuantizationProblem.defaultWidths,
                                        constraints: constraints, core: core, judge: judge, judgeSeed: judgeSeed)
        guard saved.space == problem.space else {
            throw WorkbenchError.checkpoint(path: url.path, reason: "searches another genome space (\(saved.space.geneCount) genes) than this model's \(problem.network.genome.count) operators at one range of widths")
        }
        if let stale = staleDeviceCosts(in: saved, problem: problem) {
            throw WorkbenchError.checkpoint(path: url.path, reason: stale)
        }
        let nsga: NSGA2
        do {
            nsga = try NSGA2(resuming: saved, evaluate: { problem.evaluation($0) })
        } catch {
            throw WorkbenchError.checkpoint(path: url.path, reason: error.description)
        }
        nsga.partition = partition
        let homogeneous = (2...8).filter { saved.space.allowedValues.first?.contains($0) ?? false }.map { bits in
            let genome = problem.homogeneous(bits)
            return HomogeneousPoint(bits: bits, evaluation: nsga.cache.evaluation(of: genome) ?? problem.evaluation(genome))
        }
        let made = QuantizationSearch(search: nsga, context: context, problem: problem, checkpointURL: url, homogeneous: homogeneous)
        search = made
        return made
    }
}

extension Workspace {
    /// Why a checkpoint's latency and RAM figures cannot be trusted any more, or nil. They
    /// come from Export's cost model, which may have changed since they were saved: the
    /// oldest evaluation's device costs are measured again (cheap: nothing runs the model)
    /// and must match what the file holds.
    func staleDeviceCosts(in saved: NSGA2Checkpoint, problem: QuantizationProblem) -> String? {
        guard problem.usesCore, let oldest = saved.cache.entries(from: 0).first else { return nil }
        let fresh = problem.evaluation(oldest.genome)
        let device = problem.objectives.indices.filter { problem.objectives[$0].dependsOnCore }
        let bounded = problem.constraints.indices.filter { problem.constraints[$0].quantity.dependsOnCore }
        let same = device.allSatisfy { fresh.objectives[$0] == oldest.objectives[$0] }
            && bounded.allSatisfy { fresh.constraints[$0] == oldest.constraints[$0] }
        return same ? nil
            : "holds latency or RAM figures from another version of the device cost model than this gq's; start the search anew ('evolve N gens fresh' with the same objectives and limits)"
    }
}

/// Where `evolve` saves its population when no checkpoint file is named: one new file
/// per run, so a run never overwrites another's checkpoint.
public enum CheckpointLocation {
    /// `~/.local/state/gq/evolve` (or `$XDG_STATE_HOME/gq/evolve`).
    public static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base: URL
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = URL(fileURLWithPath: state)
        } else {
            base = HomeDirectory.url(environment: environment).appendingPathComponent(".local/state")
        }
        return base.appendingPathComponent("gq/evolve")
    }

    /// `TASK-FINGERPRINT-seedS-popP-YYYYMMDD-HHMMSS.json` in `folder`: what a person needs to
    /// tell runs apart (which model, which search, when), and a file that does not exist yet.
    public static func newRun(task: String, fingerprint: String, seed: UInt64, population: Int, date: Date = Date(),
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let folder = folder(environment: environment)
        let safeTask = String(task.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(40))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stem = "\(safeTask)-\(fingerprint.prefix(8))-seed\(seed)-pop\(population)-\(formatter.string(from: date))"
        var candidate = folder.appendingPathComponent(stem + ".json")
        var count = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = folder.appendingPathComponent("\(stem)-\(count).json")
            count += 1
        }
        return candidate
    }

    /// The checkpoints in `folder`, newest first; files that are not gq search checkpoints are skipped.
    public static func savedRuns(environment: [String: String] = ProcessInfo.processInfo.environment) -> [SavedRun] {
        let folder = folder(environment: environment)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            let url = folder.appendingPathComponent(name)
            return SavedRun(url: url)
        }.sorted { ($0.modified, $0.url.path) > ($1.modified, $1.url.path) }
    }
}

/// A search checkpoint on disk, as `evolve resume` lists it.
public struct SavedRun: Sendable, Equatable {
    public var url: URL
    public var task: String
    /// Fingerprint of the model, ranges and options it searched.
    public var fingerprint: String
    public var generation: Int
    public var targetGeneration: Int
    public var population: Int
    public var seed: UInt64
    /// What it judged on, as its context records it (`JudgingSet.contextValue`).
    public var judge: String?
    public var modified: Date

    /// Whether it stopped before the generations it was asked for.
    public var isUnfinished: Bool { generation < targetGeneration }

    /// Reads `url`; nil when it is not a gq search checkpoint.
    public init?(url: URL) {
        guard let saved = try? NSGA2Checkpoint.load(from: url),
              let context = try? SearchContext(checkpoint: saved, path: url.path) else { return nil }
        self.url = url
        task = context.task
        fingerprint = context.fingerprint
        generation = saved.generation
        targetGeneration = context.targetGeneration
        population = saved.options.populationSize
        seed = saved.options.seed
        judge = context.judge
        modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantPast
    }
}

extension Workspace {
    /// Unfinished runs in the checkpoint folder made with the weights, ranges and options
    /// in use (any objectives), newest first: what `evolve` points to before starting anew.
    public func unfinishedRuns(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [SavedRun] {
        let searchInputs = try currentSearchInputs()
        let floatModel = try floatModelDigest()
        // Each run against its own judging set, named without drawing any copies.
        return CheckpointLocation.savedRuns(environment: environment).filter { run in
            guard run.isUnfinished, let (kind, seed) = try? JudgingSet.parse(context: run.judge, path: run.url.path) else { return false }
            let judge = JudgingSet.identity(kind: kind, seed: seed ?? 0, floatModel: floatModel)
            return run.fingerprint == QuantizationProblem.fingerprint(searchInputs, judge: judge)
        }
    }
}
