import Foundation
import Quantization
import Search

/// How `compare` chooses its pick among the front's mixed configurations that are
/// within the tolerance of homogeneous 8-bit on validation, smallest first.
///
/// The search chose the front on validation, so a pick judged on validation alone
/// is flattered by that choice (the winner's curse); the other rules confirm it on
/// data the search never scored. None of them looks at the test split.
public enum PickRule: String, CaseIterable, Sendable {
    /// Validation alone: what the search optimised.
    case validation
    /// Also within the tolerance of 8-bit's accuracy on the training split.
    case train
    /// Also within the tolerance of 8-bit's agreement with the float model's predictions
    /// over the training and validation splits (no labels needed).
    case fidelity
    /// Validation, with the tolerance shrunk by one standard error of the paired
    /// difference between the candidate and 8-bit on the validation split.
    case margin

    /// The rule `compare` uses unless told otherwise.
    public static let standard: PickRule = .margin
}

/// Mixed against homogeneous precision, as `compare` reports it: hypervolumes, and the
/// smallest configurations within a tolerance of homogeneous 8-bit's accuracy, with
/// their test accuracy beside (measured for reporting, never used to choose).
public struct Comparison: Sendable {
    /// One configuration's size and accuracy.
    public struct Pick: Sendable, Equatable {
        public var size: Double
        public var accuracy: Double
        /// Filled in by `Workspace.compare`; nil from `QuantizationSearch.comparison`.
        public var testAccuracy: Double?
    }

    /// Why no size comparison could be made.
    public enum Limitation: Sendable, Equatable {
        case noEightBit
        case sizeNotMinimised
    }

    public var hypervolume: Double
    public var homogeneousHypervolume: Double
    /// How far below 8-bit accuracy a pick may be (0.005 = half a point).
    public var tolerance: Double
    public var rule: PickRule = .standard
    public var limitation: Limitation?
    public var eightBit: Pick?
    /// The smallest homogeneous configuration below 8 bits within the tolerance.
    public var smallestHomogeneous: (bits: Int, pick: Pick)?
    /// The smallest mixed configuration (at least two widths) of the front the rule accepts.
    public var best: (position: Int, pick: Pick)?
    /// Mixed configurations within the tolerance on validation that the rule turned down.
    public var rejected = 0

    /// The pick's size reduction against 8-bit (0 when there is none).
    public var sizeReduction: Double {
        guard let best, let eightBit, eightBit.size > 0 else { return 0 }
        return 1 - best.pick.size / eightBit.size
    }

    /// 8-bit's test accuracy minus the pick's: how much the promise missed by on unseen data.
    public var testGap: Double? {
        guard let eight = eightBit?.testAccuracy, let pick = best?.pick.testAccuracy else { return nil }
        return eight - pick
    }

    /// The 0.5-point rule of the paper's comparison.
    public static let defaultTolerance = 0.005
}

extension QuantizationSearch {
    /// The front's mixed configurations within `tolerance` of 8-bit on validation,
    /// smallest first, with their front positions; nil with the reason when the search
    /// cannot be compared on size.
    func candidates(tolerance: Double) -> (eight: [Double], sizeIndex: Int, list: [(position: Int, individual: Individual)])? {
        guard let eight = homogeneous.first(where: { $0.bits == 8 }), let sizeIndex = problem.index(of: .size) else { return nil }
        let target = problem.accuracy(eight.objectives) - tolerance
        // Mixed means at least two different widths; homogeneous points are compared separately.
        let list = front.enumerated()
            .filter { problem.accuracy($0.element.objectives) >= target && Set($0.element.genome).count > 1 }
            .map { (position: $0.offset + 1, individual: $0.element) }
            .sorted { $0.individual.objectives[sizeIndex] < $1.individual.objectives[sizeIndex] }
        return (eight.objectives, sizeIndex, list)
    }

    /// Compares the front with homogeneous precision on validation accuracy alone.
    public func comparison(tolerance: Double = Comparison.defaultTolerance) -> Comparison {
        var result = Comparison(hypervolume: hypervolume, homogeneousHypervolume: homogeneousHypervolume, tolerance: tolerance)
        guard homogeneous.contains(where: { $0.bits == 8 }) else {
            result.limitation = .noEightBit
            return result
        }
        guard let (eight, sizeIndex, list) = candidates(tolerance: tolerance) else {
            result.limitation = .sizeNotMinimised
            return result
        }
        func pick(_ values: [Double]) -> Comparison.Pick {
            Comparison.Pick(size: values[sizeIndex], accuracy: problem.accuracy(values))
        }
        result.eightBit = pick(eight)
        let target = problem.accuracy(eight) - tolerance
        if let smallest = homogeneous.filter({ problem.accuracy($0.objectives) >= target }).min(by: { $0.objectives[sizeIndex] < $1.objectives[sizeIndex] }),
           smallest.bits < 8 {
            result.smallestHomogeneous = (smallest.bits, pick(smallest.objectives))
        }
        if let first = list.first {
            result.best = (first.position, pick(first.individual.objectives))
        }
        return result
    }
}

extension Workspace {
    /// `compare`: the search's comparison with the pick chosen by `rule`, and the test
    /// accuracy of 8-bit and of the pick reported beside (never used to choose).
    public func compare(rule: PickRule = .standard, tolerance: Double = Comparison.defaultTolerance) throws -> Comparison {
        let state = try requireSearch()
        var result = state.comparison(tolerance: tolerance)
        result.rule = rule
        guard result.limitation == nil, let (_, _, list) = state.candidates(tolerance: tolerance) else { return result }
        let inputs = state.problem.inputs
        let eightGenome = QuantizationProblem.homogeneous(8)
        let eightModel = inputs.quantized(eightGenome)
        let confirm = try confirmation(rule, eightBit: eightModel, validationEightBit: result.eightBit?.accuracy ?? 0, tolerance: tolerance)
        result.best = nil
        for candidate in list {
            if try confirm(inputs.quantized(candidate.individual.genome)) {
                let values = candidate.individual.objectives
                result.best = (candidate.position, Comparison.Pick(size: values[state.problem.index(of: .size) ?? 1],
                                                                   accuracy: state.problem.accuracy(values)))
                break
            }
            result.rejected += 1
        }
        result.eightBit?.testAccuracy = try testAccuracy(of: eightGenome, in: state)
        if let best = result.best {
            result.best?.pick.testAccuracy = try testAccuracy(of: state.front[best.position - 1].genome, in: state)
        }
        return result
    }

    /// Test accuracy of a genome under the search's inputs, measured once per search.
    func testAccuracy(of genome: Genome, in state: QuantizationSearch) throws -> Double {
        if let known = state.testAccuracy[genome] { return known }
        let measured = try testEvaluator().accuracy(state.problem.inputs.quantized(genome))
        state.testAccuracy[genome] = measured
        return measured
    }

    /// The test a candidate must pass under `rule`, against 8-bit on the same data.
    private func confirmation(_ rule: PickRule, eightBit: QuantizedGRU, validationEightBit: Double,
                              tolerance: Double) throws -> (QuantizedGRU) throws -> Bool {
        switch rule {
        case .validation:
            return { _ in true }
        case .train:
            let train = try trainEvaluator()
            let reference = train.accuracy(eightBit)
            return { candidate in train.accuracy(candidate) >= reference - tolerance }
        case .fidelity:
            let evaluators = [try trainEvaluator(), try validationEvaluator()]
            let task = try requireTask()
            let model = try requireModel()
            let float = model.predictions(task.train.sequences) + model.predictions(task.validation.sequences)
            func agreement(_ q: QuantizedGRU) -> Double {
                let predicted = evaluators.flatMap { $0.predictions(q) }
                return Double(zip(predicted, float).filter { $0 == $1 }.count) / Double(max(float.count, 1))
            }
            let reference = agreement(eightBit)
            return { candidate in agreement(candidate) >= reference - tolerance }
        case .margin:
            let validation = try validationEvaluator()
            let labels = try requireTask().validation.labels
            let eightRight = zip(validation.predictions(eightBit), labels).map { $0 == $1 }
            return { candidate in
                let right = zip(validation.predictions(candidate), labels).map { $0 == $1 }
                let n = Double(max(labels.count, 1))
                let gained = Double(zip(right, eightRight).filter { $0 && !$1 }.count)
                let lost = Double(zip(right, eightRight).filter { !$0 && $1 }.count)
                // Standard error of a paired difference of proportions (McNemar's variance).
                let standardError = (gained + lost - (gained - lost) * (gained - lost) / n).squareRoot() / n
                return (gained - lost) / n >= -tolerance + standardError
            }
        }
    }
}
