import Foundation
import Testing
import Workbench

/// A search run to its target generation.
private func searched(_ workspace: Workspace, _ request: EvolveRequest) throws -> QuantizationSearch {
    let (search, _) = try workspace.prepareSearch(request)
    _ = try search.advance(shouldStop: { false }, onGeneration: { _ in })
    return search
}

private func file(_ name: String) -> URL { temporaryDirectory().appendingPathComponent(name) }

@Suite("Hardware-aware objectives: latency and RAM of the C step, for a named core")
struct DeviceObjectiveTests {
    @Test("latency and ram are catalog objectives with limits; flash bounds size; both depend on the core")
    func catalog() throws {
        #expect(SearchObjective.catalog.map(\.name) == ["error", "size", "bitops", "latency", "ram"])
        #expect(SearchObjective.limited.map { $0.limit?.keyword } == ["flash", "latency", "ram"])
        #expect(SearchObjective.limited(by: "flash") == .size)
        #expect(SearchObjective.latency.dependsOnCore && SearchObjective.ram.dependsOnCore && !SearchObjective.size.dependsOnCore)
        #expect(try SearchObjective.parseList("error,size,latency,ram").count == 4)
    }

    @Test("a genome's latency and ram are the cost model's figures of its configuration, and latency follows the core")
    func values() throws {
        let workspace = try trainedWorkspace()
        let objectives = try SearchObjective.parseList("error,latency,ram")
        let genome = [4, 5, 6, 7, 8, 3, 4, 5, 6, 7, 8, 3, 4, 5, 6, 7, 8]
        let m4 = try workspace.searchProblem(objectives: objectives, widths: QuantizationProblem.defaultWidths, core: .m4)
        let m3 = try workspace.searchProblem(objectives: objectives, widths: QuantizationProblem.defaultWidths, core: .m3)
        let bits = m4.inputs.bits(genome)
        let a = m4.evaluate(genome), b = m3.evaluate(genome)
        #expect(a[1] == (try workspace.cost(.latency, of: bits, core: .m4)))
        #expect(b[1] == (try workspace.cost(.latency, of: bits, core: .m3)))
        #expect(a[2] == (try workspace.cost(.ram, of: bits, core: .m4)))
        #expect(a[1] > 0 && a[2] > 0)
        #expect(a[1] != b[1])                 // the DSP path and the portable one cost differently
        #expect(m4.usesCore && m4.deviceCore == .m4)
        let plain = try workspace.searchProblem(objectives: SearchObjective.defaultList, widths: QuantizationProblem.defaultWidths, core: .m3)
        #expect(plain.deviceCore == nil)      // no cost of the search depends on it
    }

    @Test("a bound's constraint value is value / bound − 1: met at the bound, 0.1 at 10 % over")
    func constraintValue() throws {
        let flash = try SearchConstraint(.size, atMost: 2000)
        #expect(flash.value(2000) == 0 && flash.isMet(by: 2000))
        #expect(abs(flash.value(2200) - 0.1) < 1e-12 && !flash.isMet(by: 2200))
        #expect(flash.description == "flash ≤ 2000 bytes")
        #expect(message { _ = try SearchConstraint(.error, atMost: 0.1) } == "'error' cannot be bounded; bounds exist for size, latency, ram")
        #expect(message { _ = try SearchConstraint(.latency, atMost: 0) } == "'latency' must be a positive bound, got 0.0")
    }
}

@Suite("Constrained searches in the workspace: the front meets every bound")
struct ConstrainedWorkspaceSearchTests {
    @Test("a latency bound on an error/size search: every front member meets it, and the rows carry latency and the core")
    func boundNotAnObjective() throws {
        let workspace = try trainedWorkspace()
        let eight = try workspace.cost(.latency, of: BitWidths(uniform: 8))
        let bound = try SearchConstraint(.latency, atMost: eight)
        let search = try searched(workspace, EvolveRequest(generations: 3, population: 12, seed: 1, checkpoint: file("l.json"),
                                                           constraints: [bound]))
        #expect(search.infeasibility == nil)
        #expect(!search.front.isEmpty)
        let rows = try workspace.frontRows()
        for row in rows {
            let latency = try workspace.cost(.latency, of: row.bits)
            #expect(latency <= eight)
            #expect(row.cost(.latency) == latency)
            #expect(row.core == .m4)
        }
        #expect(search.search.archiveFront.allSatisfy { $0.isFeasible })
        #expect(search.context.core == "m4")
        #expect(search.context.constraints == [SearchContext.Limit(quantity: "latency", bound: eight)])
        let csv = FrontFile.csv(rows)
        #expect(csv.hasPrefix("position,size,size_ratio,latency,core,val_accuracy,judged_accuracy,test_accuracy,configurations,r.wx,"))
        let json = try JSONSerialization.jsonObject(with: Data(try FrontFile.json(rows).utf8)) as? [[String: Any]]
        #expect(json?.first?["latency"] as? Int == Int(rows[0].cost(.latency) ?? -1))
        #expect(json?.first?["core"] as? String == "m4")
    }

    @Test("a flash bound nothing meets is reported plainly: no front, the nearest miss named, use front and compare refuse or say so")
    func unmeetable() throws {
        let workspace = try trainedWorkspace()
        let search = try searched(workspace, EvolveRequest(generations: 2, population: 8, seed: 1, checkpoint: file("u.json"),
                                                           constraints: [try SearchConstraint(.size, atMost: 100)]))
        let infeasibility = try #require(search.infeasibility)
        #expect(infeasibility.evaluated == search.search.cache.count)
        #expect(infeasibility.nearest.map(\.constraint.keyword) == ["flash"])
        #expect(infeasibility.message.hasPrefix("no configuration meets flash ≤ 100 bytes: none of the \(search.search.cache.count) evaluated does (the nearest exceeds flash by "))
        #expect(search.front.isEmpty && search.frontPoints.isEmpty)
        #expect(try workspace.frontRows().isEmpty)
        #expect(message { _ = try workspace.frontBits(1) } == infeasibility.message)
        #expect(search.comparison().limitation == .noFeasibleConfiguration(infeasibility))
        #expect(search.hypervolume == 0 && search.homogeneousHypervolume == 0)
    }

    @Test("evolve again continues only with the same limits and, when a cost depends on it, the same core")
    func continuation() throws {
        let workspace = try trainedWorkspace()
        let latency = try SearchObjective.parseList("error,size,latency")
        let limit = [try SearchConstraint(.size, atMost: 4096)]
        let first = try searched(workspace, EvolveRequest(generations: 1, population: 8, seed: 2, objectives: latency,
                                                          checkpoint: file("c.json"), constraints: limit, core: .m3))
        let (same, start) = try workspace.prepareSearch(EvolveRequest(generations: 1, objectives: latency, constraints: limit, core: .m3))
        #expect(same === first && start == .continued(fromGeneration: 1))
        let (otherCore, _) = try workspace.prepareSearch(EvolveRequest(generations: 1, objectives: latency, constraints: limit, core: .m4))
        #expect(otherCore !== first)
        let (otherLimit, _) = try workspace.prepareSearch(EvolveRequest(generations: 1, objectives: latency, core: .m4))
        #expect(otherLimit !== otherCore)
        // Size and error do not depend on the core: naming another one continues.
        let plain = try searched(workspace, EvolveRequest(generations: 1, population: 8, seed: 2, checkpoint: file("p.json")))
        let (again, _) = try workspace.prepareSearch(EvolveRequest(generations: 1, core: .m3))
        #expect(again === plain)
    }

    @Test("a constrained search resumed from its checkpoint keeps its core and bounds and ends where a straight one does")
    func resume() throws {
        let objectives = try SearchObjective.parseList("error,size,latency")
        let eight = try trainedWorkspace().cost(.size, of: BitWidths(uniform: 8))
        let limits = [try SearchConstraint(.size, atMost: eight * 0.7)]
        let url = file("r.json")
        _ = try searched(try trainedWorkspace(), EvolveRequest(generations: 2, population: 10, seed: 3, objectives: objectives,
                                                               checkpoint: url, constraints: limits, core: .m3))
        let resuming = try trainedWorkspace()
        let resumed = try resuming.resumeSearch(from: url)
        #expect(resumed.problem.core == .m3 && resumed.constraints == limits)
        let (continued, _) = try resuming.prepareSearch(EvolveRequest(generations: 2, objectives: objectives, constraints: limits, core: .m3))
        #expect(continued === resumed)
        _ = try continued.advance(shouldStop: { false }, onGeneration: { _ in })
        let straight = try searched(try trainedWorkspace(), EvolveRequest(generations: 4, population: 10, seed: 3, objectives: objectives,
                                                                          checkpoint: file("s.json"), constraints: limits, core: .m3))
        #expect(continued.front.map(\.genome) == straight.front.map(\.genome))
        #expect(continued.front.allSatisfy { $0.objectives[1] <= eight * 0.7 })
    }

    @Test("a checkpoint whose latency figures came from another version of the cost model is refused, saying to start anew")
    func staleCostModel() throws {
        let url = file("stale.json")
        let objectives = try SearchObjective.parseList("error,latency")
        _ = try searched(try trainedWorkspace(), EvolveRequest(generations: 1, population: 8, seed: 1, objectives: objectives, checkpoint: url))
        // Shift every latency value by one instruction, consistently, as an older cost model would have counted.
        // The file is JSON lines: the base (population, cache) and journal lines (population, evaluations).
        func shifted(_ list: Any?) -> [[String: Any]] {
            (list as? [[String: Any]] ?? []).map { item in
                var item = item
                if var values = item["objectives"] as? [Double] { values[1] += 1; item["objectives"] = values }
                return item
            }
        }
        var lines: [Data] = []
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            object["population"] = shifted(object["population"])
            if var cache = object["cache"] as? [String: Any] {
                cache["entries"] = shifted(cache["entries"])
                object["cache"] = cache
            }
            if object["evaluations"] != nil { object["evaluations"] = shifted(object["evaluations"]) }
            lines.append(try JSONSerialization.data(withJSONObject: object))
        }
        try Data(lines.joined(separator: Data("\n".utf8)) + Data("\n".utf8)).write(to: url)
        let text = message { _ = try trainedWorkspace().resumeSearch(from: url) }
        #expect(text?.contains("from another version of the device cost model") == true)
    }
}

@Suite("compare by a cost other than size")
struct CompareByCostTests {
    @Test("compare by latency picks the fewest instructions within the tolerance, never more than 8-bit's; by default a latency search compares by latency")
    func byLatency() throws {
        let workspace = try trainedWorkspace()
        let objectives = try SearchObjective.parseList("error,size,latency")
        // On the M4 no configuration of this shape runs in fewer instructions than 8-bit, so there is no pick.
        let m4 = try searched(workspace, EvolveRequest(generations: 3, population: 12, seed: 1, objectives: objectives, checkpoint: file("b4.json")))
        let onM4 = m4.comparison(tolerance: 1, by: .latency)
        let m4Index = try #require(m4.problem.index(of: .latency)), m4Eight = try #require(onM4.eightBit)
        #expect(onM4.core == .m4)
        #expect((m4.front.map(\.objectives) + m4.homogeneous.map(\.objectives)).allSatisfy { $0[m4Index] >= m4Eight.cost })
        #expect(onM4.best == nil && onM4.smallestHomogeneous == nil)
        // On the M3 (no DSP) narrow widths are faster.
        let search = try searched(workspace, EvolveRequest(generations: 3, population: 12, seed: 1, objectives: objectives,
                                                           checkpoint: file("b.json"), fresh: true, core: .m3))
        let bySize = search.comparison(tolerance: 0.2)
        #expect(bySize.cost == .size)
        // A tolerance of the whole scale: every configuration with fewer instructions than 8-bit is a candidate.
        let comparison = search.comparison(tolerance: 1, by: .latency)
        #expect(comparison.cost == .latency && comparison.core == .m3)
        let eight = try #require(comparison.eightBit)
        let best = try #require(comparison.best)
        let latencyIndex = try #require(search.problem.index(of: .latency))
        // The front's mixed configurations and the narrower homogeneous widths, cheaper than 8-bit.
        let candidates = (search.front.filter { Set($0.genome).count > 1 }.map(\.objectives)
            + search.homogeneous.filter { $0.bits < 8 }.map(\.objectives)).filter { $0[latencyIndex] < eight.cost }
        #expect(best.pick.cost == candidates.map { $0[latencyIndex] }.min())
        #expect(best.pick.costs[.latency] == best.pick.cost && best.pick.costs[.size] == best.pick.size)
        #expect(comparison.reduction(of: .latency) == 1 - best.pick.cost / eight.cost)

        let latencyOnly = try searched(workspace, EvolveRequest(generations: 1, population: 8, seed: 1,
                                                               objectives: try SearchObjective.parseList("error,latency"),
                                                               checkpoint: file("lo.json")))
        #expect(latencyOnly.comparison().cost == .latency)
        #expect(latencyOnly.comparison().limitation == nil)
        #expect(latencyOnly.comparison(by: .ram).limitation == .notMinimised(.ram))
    }

    @Test("compare finetune by latency bisects the configurations with fewer instructions than 8-bit and reports the pick's latency")
    func fineTunedByLatency() throws {
        let workspace = try trainedWorkspace()
        let search = try searched(workspace, EvolveRequest(generations: 3, population: 12, seed: 1,
                                                           objectives: try SearchObjective.parseList("error,size,latency"),
                                                           checkpoint: file("fl.json"), core: .m3))
        let comparison = try workspace.compareFineTuned(rule: .validation, tolerance: 0.2, by: .latency, settings: FineTuningOptions(epochs: 1))
        let trail = try #require(comparison.fineTuning)
        let eight = try #require(comparison.eightBit)
        let latencyIndex = try #require(search.problem.index(of: .latency))
        let cheaper = search.front.filter { Set($0.genome).count > 1 && $0.objectives[latencyIndex] < eight.cost }
        #expect(trail.candidateCount == cheaper.count)
        #expect(trail.candidates.allSatisfy { $0.cost < eight.cost && $0.size > 0 })
        if let best = comparison.best {
            #expect(best.pick.costs[.latency] == best.pick.cost)
            #expect(trail.candidates.contains { $0.position == best.position && $0.accepted && $0.cost == best.pick.cost })
        }
    }
}
