import Foundation
import Quantization
import Search

/// One point of the front and how many configurations of the search reach it.
public struct FrontPoint: Sendable, Equatable {
    public var representative: Individual
    public var configurations: Int
}

/// A homogeneous configuration's objective values: the baseline every mixed front is compared with.
public struct HomogeneousPoint: Sendable, Equatable {
    public var bits: Int
    public var objectives: [Double]
    /// Its constraint values; empty for an unconstrained search.
    public var constraints: [Double]

    public init(bits: Int, evaluation: Evaluation) {
        self.bits = bits
        objectives = evaluation.objectives
        constraints = evaluation.constraints
    }

    /// Meets every constraint of the search (always, without constraints).
    public var isFeasible: Bool { Evaluation(objectives: objectives, constraints: constraints).isFeasible }
}

/// Why a constrained search has no front yet: nothing it evaluated meets every bound.
public struct Infeasibility: Sendable, Equatable {
    /// The search's bounds, as `evolve` was given them.
    public var constraints: [SearchConstraint]
    /// Configurations evaluated so far, none of them feasible.
    public var evaluated: Int
    /// The nearest to feasible (the smallest total violation): each bound it exceeds and
    /// by what fraction of the bound.
    public var nearest: [SearchConstraint.Excess]

    /// "no configuration meets flash ≤ 2048 bytes and latency ≤ 900 instructions: none of the
    /// 96 evaluated does (the nearest exceeds flash by 31.2 %) …", for any report of the front.
    public var message: String {
        let bounds = SearchConstraint.list(constraints)
        let misses = nearest.map { String(format: "%@ by %.1f %%", $0.constraint.keyword, $0.fraction * 100) }.joined(separator: " and ")
        let closest = misses.isEmpty ? "" : " (the nearest exceeds \(misses))"
        return "no configuration meets \(bounds): none of the \(evaluated) evaluated does\(closest), so there is no front; loosen a bound or run more generations"
    }
}

/// The workspace's search: the NSGA-II run `evolve` continues, the problem it solves,
/// where it is saved, and the homogeneous baseline.
public final class QuantizationSearch {
    public let search: NSGA2
    public private(set) var context: SearchContext
    public let problem: QuantizationProblem
    public private(set) var checkpointURL: URL {
        didSet { if checkpointURL != oldValue { journal = CheckpointJournal(url: checkpointURL) } }
    }
    /// Writes `checkpointURL`; a new file starts with a whole base.
    private var journal: CheckpointJournal
    /// Homogeneous 2…8-bit (those inside the search's widths), for plots and `compare`.
    public let homogeneous: [HomogeneousPoint]
    /// Test accuracy of genomes reported so far: measured for reporting, never optimised.
    var testAccuracy: [Genome: Double] = [:]

    init(search: NSGA2, context: SearchContext, problem: QuantizationProblem, checkpointURL: URL, homogeneous: [HomogeneousPoint]) {
        self.search = search
        self.context = context
        self.problem = problem
        self.checkpointURL = checkpointURL
        journal = CheckpointJournal(url: checkpointURL)
        self.homogeneous = homogeneous
    }

    public var objectives: [SearchObjective] { problem.objectives }
    public var constraints: [SearchConstraint] { problem.constraints }

    /// Why there is no front, when the search is constrained and nothing it evaluated is
    /// feasible; nil when there is a front (or nothing evaluated yet).
    public var infeasibility: Infeasibility? {
        guard !constraints.isEmpty, let nearest = search.cache.nearestInfeasible else { return nil }
        return Infeasibility(constraints: constraints, evaluated: search.cache.count, nearest: problem.exceeded(nearest.constraints))
    }
    public var generation: Int { search.generation }
    public var targetGeneration: Int { context.targetGeneration }

    /// Runs `generations` more after this call, saving to `checkpoint` from now on when given.
    func extend(by generations: Int, checkpoint: URL?) {
        context.targetGeneration = search.generation + generations
        if let checkpoint { checkpointURL = checkpoint }
    }

    /// The non-dominated points over every evaluation, one configuration each: cheapest
    /// first (by the first cost objective), ties by error. See `frontPoints`.
    public var front: [Individual] { frontPoints.map(\.representative) }

    /// Bit operations per time step of a genome's configuration: what picks a point's representative.
    public func bitOperations(_ genome: Genome) -> Int {
        let model = problem.inputs.model
        return BitOperations.perStep(problem.inputs.bits(genome), features: model.inputSize, hidden: model.hiddenSize)
    }

    /// The front as distinct points. Configurations that differ only in widths no
    /// objective sees (an operator without constants changes neither size nor, often,
    /// accuracy) share a point; the one that stands for it has the fewest bit operations
    /// per step, then the smallest widths in genome order, so the choice is stated and
    /// repeatable. Under constraints every point meets them all; empty while none does
    /// (`infeasibility` says how near the search came).
    public var frontPoints: [FrontPoint] {
        let error = problem.errorIndex
        let cost = problem.objectives.indices.first { $0 != error }
        let groups = Dictionary(grouping: search.archiveFront, by: \.objectives)
        let points = groups.values.compactMap { members -> FrontPoint? in
            let ranked = members.map { ($0, bitOperations($0.genome)) }.min { a, b in
                a.1 != b.1 ? a.1 < b.1 : a.0.genome.lexicographicallyPrecedes(b.0.genome)
            }
            return ranked.map { FrontPoint(representative: $0.0, configurations: members.count) }
        }
        return points.sorted { a, b in
            let x = a.representative.objectives, y = b.representative.objectives
            if let cost, x[cost] != y[cost] { return x[cost] < y[cost] }
            return x[error] < y[error]
        }
    }

    /// Hypervolume as a fraction of the reference box (0…1), so runs on different tasks compare.
    public func normalizedHypervolume(_ points: [[Double]]) -> Double {
        normalized(Hypervolume.compute(points, reference: context.reference))
    }

    /// A hypervolume (a generation report's, say) as a fraction of the reference box.
    public func normalized(_ hypervolume: Double) -> Double {
        let box = context.reference.reduce(1, *)
        return box > 0 ? hypervolume / box : 0
    }

    /// The archive front's hypervolume (`NSGA2.hypervolume`), as a fraction of the box:
    /// what `evolve` reports and `$hv` holds, and the last point of `hypervolumeHistory`.
    public var hypervolume: Double { normalized(search.hypervolume) }
    /// Of the homogeneous configurations that meet the constraints, as the front holds only those.
    public var homogeneousHypervolume: Double { normalizedHypervolume(homogeneous.filter(\.isFeasible).map(\.objectives)) }

    /// The archive front's hypervolume after each generation, as a fraction of the reference
    /// box (what `plot hv` draws; it never falls).
    public var hypervolumeHistory: [(generation: Int, hypervolume: Double)] {
        search.history.map { ($0.generation, normalized($0.hypervolume)) }
    }

    /// Writes the population, cache and context to the checkpoint file: one journal line
    /// per generation, the whole state now and then (`CheckpointJournal`).
    func save() throws {
        try FileManager.default.createDirectory(at: checkpointURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try journal.save(context.checkpoint(of: search))
    }

    /// Runs generations up to the target, saving after each and reporting it.
    /// Returns false when `shouldStop` ended it early; the population stays consistent.
    public func advance(shouldStop: @escaping @Sendable () -> Bool, onGeneration: (GenerationReport) -> Void) throws -> Bool {
        let remaining = max(0, context.targetGeneration - search.generation)
        do {
            return try search.run(generations: remaining, shouldStop: shouldStop) { report in
                try save()
                onGeneration(report)
            }
        } catch let error as SearchError {
            throw WorkbenchError.searchSetup(error.description)  // names the checkpoint file and the reason
        } catch {
            throw WorkbenchError.cannotWrite(path: checkpointURL.path, reason: error.localizedDescription)
        }
    }
}
