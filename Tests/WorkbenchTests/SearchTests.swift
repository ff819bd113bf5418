import Foundation
import Testing
import Workbench

@Suite("evolve's search in the workspace: front, continuation, checkpoints")
struct WorkbenchSearchTests {
    func run(_ workspace: Workspace, _ request: EvolveRequest) throws -> QuantizationSearch {
        let (search, _) = try workspace.prepareSearch(request)
        _ = try search.advance(shouldStop: { false }, onGeneration: { _ in })
        return search
    }

    @Test("the front is non-dominated and cheapest first, with homogeneous 2..8-bit beside it")
    func front() throws {
        let workspace = try trainedWorkspace()
        let directory = temporaryDirectory()
        let search = try run(workspace, EvolveRequest(generations: 2, population: 10, seed: 1, checkpoint: directory.appendingPathComponent("a.json")))
        let front = search.front
        #expect(front.count >= 2)
        for (a, b) in zip(front, front.dropFirst()) {
            #expect(a.objectives[1] <= b.objectives[1])
            #expect(a.objectives[0] > b.objectives[0])  // bigger only when more accurate
        }
        #expect(search.homogeneous.map(\.bits) == Array(2...8))
        #expect(search.hypervolume > 0 && search.hypervolume <= 1)
        #expect(search.hypervolume >= search.homogeneousHypervolume - 1e-12)  // the homogeneous genomes are in the search
        let rows = try workspace.frontRows()
        #expect(rows.map(\.position) == Array(1...front.count))
        let first = try workspace.evaluate(rows[0].bits)
        #expect(rows[0].testAccuracy == first.accuracy.test)
        #expect(abs(rows[0].validationAccuracy - first.accuracy.validation) < 1e-12)
    }

    @Test("plot hv's history ends at the hypervolume evolve reports ($hv), and never falls")
    func oneHypervolume() throws {
        let workspace = try trainedWorkspace()
        let search = try run(workspace, EvolveRequest(generations: 4, population: 8, seed: 2, checkpoint: temporaryDirectory().appendingPathComponent("hv.json")))
        let history = search.hypervolumeHistory.map(\.hypervolume)
        #expect(history.count == 5)
        #expect(history.last == search.hypervolume)
        #expect(zip(history, history.dropFirst()).allSatisfy { $0 <= $1 }, "\(history)")
    }

    @Test("evolve again continues the same search unless something that defines it changed")
    func continuation() throws {
        let workspace = try trainedWorkspace()
        let file = temporaryDirectory().appendingPathComponent("c.json")
        let first = try run(workspace, EvolveRequest(generations: 1, population: 8, seed: 2, checkpoint: file))
        let (again, start) = try workspace.prepareSearch(EvolveRequest(generations: 2, checkpoint: file))
        #expect(again === first)
        #expect(start == .continued(fromGeneration: 1))
        #expect(again.targetGeneration == 3)
        let (fresh, freshStart) = try workspace.prepareSearch(EvolveRequest(generations: 1, population: 8, seed: 2, checkpoint: file, fresh: true))
        #expect(fresh !== first && freshStart == .started)
        let (other, otherStart) = try workspace.prepareSearch(EvolveRequest(generations: 1, population: 12, checkpoint: file))
        #expect(other !== fresh && otherStart == .started)
    }

    @Test("a plain evolve continues a search judged on validation, or on copies drawn with another session seed; naming another judge starts anew")
    func continuationKeepsTheJudge() throws {
        let workspace = try trainedWorkspace()
        let file = temporaryDirectory().appendingPathComponent("j.json")
        let onValidation = try run(workspace, EvolveRequest(generations: 1, population: 8, seed: 2, checkpoint: file, judge: .validation))
        let (again, start) = try workspace.prepareSearch(EvolveRequest(generations: 1, checkpoint: file))
        #expect(again === onValidation && start == .continued(fromGeneration: 1))
        let (noisy, noisyStart) = try workspace.prepareSearch(EvolveRequest(generations: 1, population: 8, seed: 2, checkpoint: file, judge: .noisy))
        #expect(noisy !== onValidation && noisyStart == .started && noisy.problem.judge.kind == .noisy)
        workspace.seed = 77
        let (later, laterStart) = try workspace.prepareSearch(EvolveRequest(generations: 1, checkpoint: file))
        #expect(later === noisy && laterStart == .continued(fromGeneration: 0))
    }

    @Test("a search resumed from its checkpoint ends where an uninterrupted one does")
    func resumeMatches() throws {
        let directory = temporaryDirectory()
        let file = directory.appendingPathComponent("r.json")
        _ = try run(try trainedWorkspace(), EvolveRequest(generations: 2, population: 10, seed: 3, checkpoint: file))
        let resuming = try trainedWorkspace()
        let resumed = try resuming.resumeSearch(from: file)
        #expect(resumed.generation == 2)
        let (continued, _) = try resuming.prepareSearch(EvolveRequest(generations: 2))
        _ = try continued.advance(shouldStop: { false }, onGeneration: { _ in })
        let straight = try run(try trainedWorkspace(), EvolveRequest(generations: 4, population: 10, seed: 3, checkpoint: directory.appendingPathComponent("s.json")))
        #expect(continued.front.map(\.genome) == straight.front.map(\.genome))
        #expect(continued.front.map(\.objectives) == straight.front.map(\.objectives))
    }

    @Test("a checkpoint made with another model is refused with the reason")
    func resumeOtherModel() throws {
        let file = temporaryDirectory().appendingPathComponent("o.json")
        _ = try run(try trainedWorkspace(), EvolveRequest(generations: 1, population: 8, checkpoint: file))
        let other = try trainedWorkspace(seed: 9)
        let text = message { _ = try other.resumeSearch(from: file) }
        #expect(text?.hasPrefix("\(file.path) was made with another model, calibration or input/fc widths (task digits)") == true)
        #expect(other.search == nil)
    }

    @Test("a file that is not a checkpoint names the file and the problem")
    func resumeNotACheckpoint() throws {
        let file = temporaryDirectory().appendingPathComponent("x.json")
        try Data("{\"hello\": 1}".utf8).write(to: file)
        let text = message { _ = try trainedWorkspace().resumeSearch(from: file) }
        #expect(text?.contains(file.path) == true)
    }

    @Test("compare picks the smallest configuration within half a point of 8-bit, mixed or homogeneous")
    func comparison() throws {
        let workspace = try trainedWorkspace()
        let search = try run(workspace, EvolveRequest(generations: 3, population: 12, seed: 1, checkpoint: temporaryDirectory().appendingPathComponent("k.json")))
        let comparison = search.comparison()
        #expect(comparison.limitation == nil)
        let eight = try #require(comparison.eightBit)
        if let best = comparison.best {
            #expect(best.pick.accuracy >= eight.accuracy - 0.005)
            if let width = comparison.pickedWidth {
                #expect(best.position == 0 && best.pick.genome == search.problem.homogeneous(width))
            } else {
                #expect(Set(search.front[best.position - 1].genome).count > 1)
            }
            #expect(comparison.sizeReduction == 1 - best.pick.size / eight.size)
            let smaller = search.front.filter { $0.objectives[1] < best.pick.size && Set($0.genome).count > 1 }
            #expect(smaller.allSatisfy { 1 - $0.objectives[0] < eight.accuracy - 0.005 })
            #expect(search.homogeneous.filter { $0.bits < 8 && $0.objectives[1] < best.pick.size }
                .allSatisfy { 1 - $0.objectives[0] < eight.accuracy - 0.005 })
        }
    }

    @Test("when the rule turns down every cheaper mixed configuration, compare answers with a homogeneous width it accepts")
    func homogeneousPick() throws {
        let workspace = try trainedWorkspace()
        let search = try run(workspace, EvolveRequest(generations: 3, population: 12, seed: 1, checkpoint: temporaryDirectory().appendingPathComponent("h.json")))
        // A tolerance of the whole scale puts every configuration within it; the rule accepts 4-bit alone.
        var asked: [Genome] = []
        let comparison = search.comparison(tolerance: 1) { candidate in
            asked.append(candidate.genome)
            return candidate.genome == search.problem.homogeneous(4)
        }
        let best = try #require(comparison.best)
        #expect(comparison.pickedWidth == 4)
        #expect(best.position == 0)
        let four = try #require(search.homogeneous.first { $0.bits == 4 })
        #expect(best.pick.size == four.objectives[1])
        // Cheapest first, mixed and homogeneous together, and everything asked before the pick was turned down.
        #expect(asked.last == search.problem.homogeneous(4))
        #expect(comparison.rejected == asked.count - 1)
        let sizes = asked.map { genome in
            search.front.first { $0.genome == genome }?.objectives[1] ?? search.homogeneous.first { search.problem.homogeneous($0.bits) == genome }?.objectives[1] ?? .nan
        }
        #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(asked.contains(search.problem.homogeneous(2)) && asked.contains(search.problem.homogeneous(3)))
        #expect(!asked.contains(search.problem.homogeneous(8)))
    }

    @Test("compare says why when a search did not minimise size or had no 8-bit")
    func comparisonLimits() throws {
        let workspace = try trainedWorkspace()
        let directory = temporaryDirectory()
        let bitops = try run(workspace, EvolveRequest(generations: 1, population: 8, objectives: try SearchObjective.parseList("error,bitops"),
                                                      checkpoint: directory.appendingPathComponent("b.json")))
        #expect(bitops.comparison().limitation == .sizeNotMinimised)
        let narrow = try run(workspace, EvolveRequest(generations: 1, population: 8, widths: [2, 3, 4, 5, 6],
                                                      checkpoint: directory.appendingPathComponent("n.json"), fresh: true))
        #expect(narrow.comparison().limitation == .noEightBit)
    }
}

@Suite("compare finetune: candidates fine-tuned before the rule judges them")
struct FineTunedComparisonTests {
    func searched() throws -> (Workspace, QuantizationSearch) {
        let workspace = try trainedWorkspace()
        let (search, _) = try workspace.prepareSearch(EvolveRequest(generations: 3, population: 12, seed: 1,
                                                                    checkpoint: temporaryDirectory().appendingPathComponent("f.json")))
        _ = try search.advance(shouldStop: { false }, onGeneration: { _ in })
        return (workspace, search)
    }

    @Test("the pick is the smallest candidate tried that the rule accepted, and bisection tries about log2 of the candidates")
    func bisection() throws {
        let (workspace, _) = try searched()
        let comparison = try workspace.compareFineTuned(rule: .validation, settings: FineTuningOptions(epochs: 2))
        let trail = try #require(comparison.fineTuning)
        #expect(trail.candidateCount > 0)
        let bound = Int(Foundation.log2(Double(trail.candidateCount)).rounded(.down)) + 1
        #expect(trail.candidates.count <= bound)
        #expect(Set(trail.candidates.map(\.position)).count == trail.candidates.count)  // none fine-tuned twice
        for candidate in trail.candidates { #expect(candidate.accuracy >= candidate.searchedAccuracy) }
        if let best = comparison.best {
            let accepted = trail.candidates.filter(\.accepted)
            #expect(best.position == accepted.min { $0.size < $1.size }?.position)
            #expect(trail.candidates.filter { $0.size < best.pick.size }.allSatisfy { !$0.accepted })
            #expect(comparison.rejected == trail.candidates.filter { !$0.accepted }.count)
            let eight = try #require(comparison.eightBit)
            #expect(best.pick.accuracy >= eight.accuracy - comparison.tolerance)
            #expect(trail.pickBefore?.size == best.pick.size)
        } else {
            #expect(trail.candidates.allSatisfy { !$0.accepted })
        }
    }

    @Test("use front K then finetune with the same settings gives the pick's fine-tuned accuracy exactly")
    func repeatable() throws {
        let (workspace, _) = try searched()
        let settings = FineTuningOptions(epochs: 2, seed: 5)
        let comparison = try workspace.compareFineTuned(rule: .validation, tolerance: 0.2, settings: settings)
        let best = try #require(comparison.best)
        _ = try workspace.useFront(best.position)
        _ = try workspace.finetune(settings)
        let score = try workspace.evaluate(workspace.bits)
        #expect(score.accuracy.validation == best.pick.accuracy)
        #expect(score.accuracy.test == best.pick.testAccuracy)
    }

    @Test("compare finetune leaves the bits and weights in use as they were")
    func leavesState() throws {
        let (workspace, _) = try searched()
        let before = try workspace.evaluate(workspace.bits)
        let bits = workspace.bits
        _ = try workspace.compareFineTuned(settings: FineTuningOptions(epochs: 1))
        #expect(workspace.bits == bits)
        #expect(try workspace.evaluate(workspace.bits) == before)
    }
}

@Suite("One checkpoint file per run: no run overwrites another's")
struct CheckpointPerRunTests {
    @Test("a new run's default file names task, model, seed, population and time, and never an existing file")
    func newFile() throws {
        let state = temporaryDirectory()
        let environment = ["XDG_STATE_HOME": state.path, "HOME": state.path]
        let date = Date(timeIntervalSince1970: 1_796_000_000)
        let first = CheckpointLocation.newRun(task: "digits", fingerprint: "0123456789abcdef", seed: 3, population: 16, date: date, environment: environment)
        #expect(first.lastPathComponent == "digits-01234567-seed3-pop16-20261130-005320.json")
        #expect(first.deletingLastPathComponent().path == state.appendingPathComponent("gq/evolve").path)
        try FileManager.default.createDirectory(at: first.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: first)
        let second = CheckpointLocation.newRun(task: "digits", fingerprint: "0123456789abcdef", seed: 3, population: 16, date: date, environment: environment)
        #expect(second != first)
        #expect(second.lastPathComponent == "digits-01234567-seed3-pop16-20261130-005320-2.json")
    }

    @Test("saved runs are listed with their generation and target, unfinished ones marked, other files skipped")
    func listing() throws {
        let state = temporaryDirectory()
        let environment = ["XDG_STATE_HOME": state.path, "HOME": state.path]
        let folder = CheckpointLocation.folder(environment: environment)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("not a checkpoint".utf8).write(to: folder.appendingPathComponent("junk.json"))
        let workspace = try trainedWorkspace()
        let file = folder.appendingPathComponent("run.json")
        let (search, _) = try workspace.prepareSearch(EvolveRequest(generations: 2, population: 8, seed: 4, checkpoint: file))
        let stop = StopAfterFirst()
        _ = try search.advance(shouldStop: { stop.isSet }, onGeneration: { _ in stop.set() })
        let runs = CheckpointLocation.savedRuns(environment: environment)
        #expect(runs.map(\.url.lastPathComponent) == ["run.json"])
        let run = try #require(runs.first)
        #expect(run.task == "digits" && run.population == 8 && run.seed == 4)
        #expect(run.generation == 1 && run.targetGeneration == 2 && run.isUnfinished)
        #expect(try workspace.unfinishedRuns(environment: environment).map(\.url) == [run.url])
        let other = try trainedWorkspace(hidden: 10)
        #expect(try other.unfinishedRuns(environment: environment).isEmpty)  // another model's run is not offered
        // A run judged on validation (as every run before judging sets was) is offered too.
        let onValidation = folder.appendingPathComponent("validation.json")
        let (judged, _) = try workspace.prepareSearch(EvolveRequest(generations: 2, population: 8, seed: 4, checkpoint: onValidation, judge: .validation))
        let again = StopAfterFirst()
        _ = try judged.advance(shouldStop: { again.isSet }, onGeneration: { _ in again.set() })
        #expect(Set(try workspace.unfinishedRuns(environment: environment).map(\.url.lastPathComponent)) == ["run.json", "validation.json"])
    }
}

/// A flag set from the search's callback and read from its workers.
private final class StopAfterFirst: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var isSet: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

@Suite("The front as distinct points")
struct FrontPointTests {
    @Test("one row per distinct point, standing for every configuration that reaches it, by the fewest bit operations")
    func distinct() throws {
        let workspace = try trainedWorkspace()
        let (search, _) = try workspace.prepareSearch(EvolveRequest(generations: 4, population: 16, seed: 2,
                                                                    checkpoint: temporaryDirectory().appendingPathComponent("p.json")))
        _ = try search.advance(shouldStop: { false }, onGeneration: { _ in })
        let points = search.frontPoints
        #expect(Set(points.map(\.representative.objectives)).count == points.count)
        #expect(points.map(\.configurations).reduce(0, +) == search.search.archiveFront.count)
        let bitOperations = search.bitOperations
        for point in points {
            let members = search.search.archiveFront.filter { $0.objectives == point.representative.objectives }
            #expect(members.count == point.configurations)
            #expect(members.allSatisfy { bitOperations($0.genome) >= bitOperations(point.representative.genome) })
        }
        #expect(search.front == points.map(\.representative))
        #expect(try workspace.frontRows().map(\.configurations) == points.map(\.configurations))
    }
}
