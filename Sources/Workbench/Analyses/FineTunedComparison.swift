import Foundation
import Quantization
import Search

extension Workspace {
    /// `compare finetune`: the smallest (by `cost`, as for `compare`) mixed configuration
    /// of the front that, once fine-tuned as `finetune` would, `rule` accepts against
    /// post-training 8-bit.
    ///
    /// Fine-tuning moves accuracy far more than the front's small steps do, so every
    /// mixed configuration cheaper than 8-bit is a candidate, not only those already
    /// within the tolerance. Along a two-objective front accuracy rises with the cost, so
    /// the cheapest accepted one is found by bisection: about log2(candidates) fine-tuning
    /// runs instead of one per candidate. (On a front of three or more objectives accuracy
    /// need not rise with any one cost, and bisection finds an accepted candidate that is
    /// cheap, not always the cheapest.) Each run starts from the search's weights, so
    /// `use front K; finetune` with the same settings gives the pick's weights exactly.
    /// The test split is measured for the pick alone, after it is chosen.
    public func compareFineTuned(rule: PickRule = .standardForFineTuning, tolerance: Double = Comparison.defaultTolerance, by cost: SearchObjective? = nil,
                                 settings: FineTuningOptions, observer: FineTuningObserver = FineTuningObserver(),
                                 starting: (_ position: Int, _ cost: Double) -> Void = { _, _ in },
                                 finished: (FineTunedCandidate) -> Void = { _ in }) throws -> Comparison {
        let state = try requireSearch()
        let inputs = state.problem.inputs
        let setup = state.comparisonSetup(tolerance: tolerance, by: cost, withinTolerance: false)
        var result = setup.result
        result.rule = rule
        var trail = FineTuningTrail()
        guard result.limitation == nil, var eight = result.eightBit else {
            result.fineTuning = trail
            return result
        }
        // Fine-tuning trains on the training split, so noisy copies of it would flatter every
        // tuned candidate: here accuracy is always the validation split's, for 8-bit too.
        let validation = try evaluator(of: .validation)
        func searchedAccuracy(_ individual: Individual) -> Double {
            state.problem.judge.kind == .validation ? state.problem.accuracy(individual.objectives)
                : validation.accuracy(inputs.quantized(individual.genome))
        }
        let eightBitModel = inputs.quantized(inputs.homogeneous(8))
        if state.problem.judge.kind != .validation {
            eight.accuracy = validation.accuracy(eightBitModel)
            result.eightBit = eight
            result.judge = .validation
            // The smallest homogeneous width within the tolerance, on validation too.
            result.smallestHomogeneous = state.homogeneous
                .filter { $0.bits < 8 && $0.isFeasible && $0.objectives[setup.costIndex] < eight.cost }
                .map { point -> (bits: Int, pick: Comparison.Pick) in
                    var pick = state.pick(inputs.homogeneous(point.bits), point.objectives, costIndex: setup.costIndex)
                    pick.accuracy = validation.accuracy(inputs.quantized(inputs.homogeneous(point.bits)))
                    return (point.bits, pick)
                }
                .filter { $0.pick.accuracy >= eight.accuracy - tolerance }
                .min { ($0.pick.cost, $0.bits) < ($1.pick.cost, $1.bits) }
        }
        let costIndex = setup.costIndex
        result.eightBit?.testAccuracy = try testAccuracy(of: eight.genome, in: state)
        let candidates = setup.candidates
        trail.candidateCount = candidates.count
        let confirm = try confirmation(rule, eightBit: eightBitModel, tolerance: tolerance,
                                       judgeSeed: state.problem.judge.seed)

        var low = 0, high = candidates.count - 1
        var chosen: (offset: Int, genome: Genome, model: QuantizedGRU, candidate: FineTunedCandidate)?
        while low <= high {
            let middle = (low + high) / 2
            let (offset, individual) = candidates[middle]
            let value = individual.objectives[costIndex]
            starting(offset + 1, value)
            let bits = inputs.bits(individual.genome)
            let searched = searchedAccuracy(individual)
            let run = try fineTuningRun(model: inputs.model, calibration: inputs.calibration, options: inputs.options,
                                        bits: bits, settings: settings, ranges: .mse, observer: observer)
            if run.interrupted {
                trail.interrupted = true
                break
            }
            // As `finetune`: the tuned weights are kept only when they beat the searched ones.
            let adopted = run.bestAccuracy >= searched
            let model = adopted ? QuantizedGRU(model: run.model, calibration: run.calibration, bits: bits, options: inputs.options)
                : inputs.quantized(individual.genome)
            let accuracy = adopted ? run.bestAccuracy : searched
            // The plain comparison's candidates are within the tolerance before any rule is
            // asked; here that test comes after fine-tuning, so it is part of accepting.
            let accepted = try accuracy >= eight.accuracy - tolerance && confirm(model)
            let size = state.problem.value(of: .size, genome: individual.genome, objectives: individual.objectives)
            let candidate = FineTunedCandidate(position: offset + 1, size: size, cost: value, searchedAccuracy: searched, accuracy: accuracy,
                                               bestEpoch: adopted ? run.bestEpoch : 0, accepted: accepted)
            trail.candidates.append(candidate)
            finished(candidate)
            if candidate.accepted {
                chosen = (offset, individual.genome, model, candidate)
                high = middle - 1
            } else {
                result.rejected += 1
                low = middle + 1
            }
        }
        guard let chosen else {
            result.fineTuning = trail
            return result
        }
        let genome = chosen.genome
        var searched = state.pick(genome, candidates.first { $0.offset == chosen.offset }?.element.objectives ?? [], costIndex: costIndex)
        searched.accuracy = chosen.candidate.searchedAccuracy
        var before = searched
        before.testAccuracy = try testAccuracy(of: genome, in: state)
        trail.pickBefore = before
        var after = searched
        after.accuracy = chosen.candidate.accuracy
        after.testAccuracy = try evaluator(of: .test).accuracy(chosen.model)
        result.best = (chosen.offset + 1, after)
        result.fineTuning = trail
        return result
    }
}
