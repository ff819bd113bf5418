import Foundation
import Quantization
import Search

extension Workspace {
    /// `compare finetune`: the smallest mixed configuration of the front that, once
    /// fine-tuned as `finetune` would, `rule` accepts against post-training 8-bit.
    ///
    /// Fine-tuning moves accuracy far more than the front's small steps do, so every
    /// mixed configuration smaller than 8-bit is a candidate, not only those already
    /// within the tolerance. Along the front accuracy rises with size, so the smallest
    /// accepted one is found by bisection: about log2(candidates) fine-tuning runs
    /// instead of one per candidate. Each run starts from the search's weights, so
    /// `use front K; finetune` with the same settings gives the pick's weights exactly.
    /// The test split is measured for the pick alone, after it is chosen.
    public func compareFineTuned(rule: PickRule = .standard, tolerance: Double = Comparison.defaultTolerance,
                                 settings: FineTuningOptions, observer: FineTuningObserver = FineTuningObserver(),
                                 starting: (_ position: Int, _ size: Double) -> Void = { _, _ in },
                                 finished: (FineTunedCandidate) -> Void = { _ in }) throws -> Comparison {
        let state = try requireSearch()
        let inputs = state.problem.inputs
        var result = state.comparison(tolerance: tolerance, accepts: { _ in false })
        result.rule = rule
        result.rejected = 0
        var trail = FineTuningTrail()
        guard result.limitation == nil, let eight = result.eightBit, let sizeIndex = state.problem.index(of: .size) else {
            result.fineTuning = trail
            return result
        }
        result.eightBit?.testAccuracy = try testAccuracy(of: eight.genome, in: state)
        let candidates = state.front.enumerated()
            .filter { Set($0.element.genome).count > 1 && $0.element.objectives[sizeIndex] < eight.size }
            .sorted { $0.element.objectives[sizeIndex] < $1.element.objectives[sizeIndex] }
        trail.candidateCount = candidates.count
        let confirm = try confirmation(rule, eightBit: inputs.quantized(QuantizationProblem.homogeneous(8)), tolerance: tolerance)

        var low = 0, high = candidates.count - 1
        var chosen: (offset: Int, genome: Genome, model: QuantizedGRU, candidate: FineTunedCandidate)?
        while low <= high {
            let middle = (low + high) / 2
            let (offset, individual) = candidates[middle]
            let size = individual.objectives[sizeIndex]
            starting(offset + 1, size)
            let bits = inputs.bits(individual.genome)
            let searched = state.problem.accuracy(individual.objectives)
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
            let candidate = FineTunedCandidate(position: offset + 1, size: size, searchedAccuracy: searched, accuracy: accuracy,
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
        trail.pickBefore = Comparison.Pick(genome: genome, size: chosen.candidate.size, accuracy: chosen.candidate.searchedAccuracy,
                                           testAccuracy: try testAccuracy(of: genome, in: state))
        result.best = (chosen.offset + 1, Comparison.Pick(genome: genome, size: chosen.candidate.size, accuracy: chosen.candidate.accuracy,
                                                          testAccuracy: try evaluator(of: .test).accuracy(chosen.model)))
        result.fineTuning = trail
        return result
    }
}
