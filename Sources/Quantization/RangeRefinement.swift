import Foundation
import GRU

/// Activation ranges fitted to what the model computes, not only to the values it sees.
///
/// A range method (max-abs, percentile, MSE) looks at each operator's values alone: MSE
/// keeps a value's rounding and clipping error small, whatever that error does downstream.
/// Over a few long series the errors that matter are the ones the recurrence carries to
/// the last step. On ACSF1 (1,460 steps, one feature) homogeneous 8-bit with MSE ranges lost
/// 14 points of test accuracy against float; no range method and no single operator at 16
/// bits recovered it, and the input's range alone moved it by up to 16 points, in opposite
/// directions on different sets (docs/quantization.md).
///
/// So each range is then scaled by the factor, of a few between 1/4 and 2, that brings the
/// homogeneous integer model's logits closest to the float model's: the mean squared
/// difference over the calibration sequences, each sequence's logits centred (a shift
/// changes no probability), label-free, run on the bit-exact integer engine. One pass over
/// the operators (the input first, as everything downstream reads it), a factor kept only
/// when it lowers the error, at each of the search's widths; wider widths keep the method's
/// ranges.
///
/// Logits rather than probabilities: the calibration sequences are training data, which an
/// overfitted model answers with probabilities near 0 and 1, so a divergence of
/// probabilities barely moves until an answer flips, while test sequences sit nearer the
/// boundary. The Kullback–Leibler divergence (`refine kl`, the first default) left 8-bit
/// 2.3 and 4.4 points below float on ACSF1 and OSULeaf; logit error 0.7 and 3.0
/// (docs/quantization.md).
public enum RangeRefinement {
    /// The widths refined: those the search draws from.
    public static let widths = 2...8
    /// Factors tried on each range: 2^(k/2) for k in −4…2, besides 1.
    static let factors: [Double] = (-4...2).filter { $0 != 0 }.map { Foundation.exp2(Double($0) / 2) }
    /// Most steps the discrepancy is measured over (whole sequences, at least one): each of
    /// the several hundred trial models runs over all of them.
    public static let stepBudget = 1 << 17
    /// Longer sequences count by their first this many steps. The outputs compared are
    /// then the ones after those steps: no labels are read, so any prefix is a fair input,
    /// and 2,048 steps carry the recurrence's errors further than ACSF1's whole 1,460. The
    /// trial runs are step after step whatever the batch, so a few series of 100,000 steps
    /// took 22 s to refine whole, 9 s cut at 8,192 steps.
    public static let longestPrefix = 1 << 11

    /// The operators refined, in the order they are visited: the input, then every layer's
    /// calibrated operators, bottom to top (what a layer reads is refined before it).
    static func order(_ network: NetworkDescription) -> [OperatorID] { [.input] + network.calibrated.filter { $0 != .input } }

    /// `calibration` with refined ranges at `widths` (unchanged with `refine off`); nil when
    /// `shouldStop` asked to stop.
    public static func refine(_ calibration: Calibration, model: GRUClassifier, sequences all: [[Float]], options: QuantizationOptions,
                              threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              progress: (Double) -> Void = { _ in }, shouldStop: () -> Bool = { false }) -> Calibration? {
        let sequences = within(stepBudget, longest: longestPrefix, all, featureCount: model.inputSize)
        guard !sequences.isEmpty, options.refine != .off else { return calibration }
        let judge = Discrepancy(model: model, sequences: sequences, measure: options.refine)
        let network = model.network, order = Self.order(network)
        func discrepancy(_ ranges: [[Double]], bits: Int) -> Double {
            let trial = Calibration(method: calibration.method, sequenceCount: calibration.sequenceCount, ranges: ranges)
            return judge(QuantizedGRU(model: model, calibration: trial, bits: BitWidths(uniform: bits, network: network), options: options),
                         threads: threads)
        }
        var ranges = calibration.ranges
        let total = Double(widths.count * order.count * factors.count)
        var done = 0.0
        for bits in widths {
            let w = bits - BitWidths.allowed.lowerBound
            var best = discrepancy(ranges, bits: bits)
            for id in order {
                let at = network.position(of: id)
                let base = ranges[at][w]
                var chosen = base
                for factor in factors {
                    if shouldStop() { return nil }
                    var trial = ranges
                    trial[at][w] = base * factor
                    let d = discrepancy(trial, bits: bits)
                    if d < best { best = d; chosen = base * factor }
                    done += 1
                    progress(done / total)
                }
                ranges[at][w] = chosen
            }
        }
        return Calibration(method: calibration.method, sequenceCount: calibration.sequenceCount, ranges: ranges)
    }

    /// How far integer models' outputs are from the float model's on fixed sequences: what
    /// the refinement lowers. The mean over sequences of the squared difference of centred
    /// logits (`logits`), or of the KL divergence of class probabilities (`kl`).
    public struct Discrepancy {
        /// `kl` compares probabilities; anything else, centred logits.
        let byDivergence: Bool
        /// The float model's centred logits, or its probabilities.
        let reference: [Double]
        let evaluator: IntegerEvaluator
        let classes: Int

        /// `measure` is `logits` or `kl`: what `refine` names (`off` refines nothing).
        public init(model: GRUClassifier, sequences: [[Float]], measure: QuantizationOptions.Refinement) {
            precondition(measure != .off, "RangeRefinement.Discrepancy: 'off' measures nothing")
            byDivergence = measure == .kl
            classes = model.classCount
            let logits = model.logits(sequences).map(Double.init)
            reference = byDivergence ? RangeRefinement.probabilities(logits, classes: classes)
                : RangeRefinement.centred(logits, classes: classes)
            evaluator = IntegerEvaluator(sequences: sequences, featureCount: model.inputSize)
        }

        public func callAsFunction(_ q: QuantizedGRU, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> Double {
            let scale = q.scale(.fc)
            let logits = evaluator.logits(q, threads: threads).map { Double($0) * scale }
            guard !byDivergence else {
                return RangeRefinement.meanDivergence(reference, RangeRefinement.probabilities(logits, classes: classes), classes: classes)
            }
            let rows = Double(max(reference.count / classes, 1))
            let centred = RangeRefinement.centred(logits, classes: classes)
            var total = 0.0
            for i in reference.indices {
                let d = reference[i] - centred[i]
                total += d * d
            }
            return total / rows
        }
    }

    /// The first sequences, each cut to its first `longest` steps, whose steps fit in
    /// `budget` (at least one).
    public static func within(_ budget: Int, longest: Int, _ sequences: [[Float]], featureCount: Int) -> [[Float]] {
        var steps = 0
        var kept: [[Float]] = []
        for sequence in sequences {
            let length = min(sequence.count / featureCount, longest)
            if !kept.isEmpty && steps + length > budget { break }
            kept.append(length * featureCount < sequence.count ? Array(sequence.prefix(length * featureCount)) : sequence)
            steps += length
        }
        return kept
    }

    /// Softmax of each row of `logits` (rows × classes).
    public static func probabilities(_ logits: [Double], classes: Int) -> [Double] {
        var p = logits
        for row in 0..<(logits.count / classes) {
            let slice = (row * classes)..<((row + 1) * classes)
            let top = logits[slice].max() ?? 0
            var sum = 0.0
            for i in slice { p[i] = Foundation.exp(logits[i] - top); sum += p[i] }
            for i in slice { p[i] /= sum }
        }
        return p
    }

    /// Each row of `logits` (rows × classes) minus its mean.
    public static func centred(_ logits: [Double], classes: Int) -> [Double] {
        var c = logits
        for row in 0..<(logits.count / classes) {
            let slice = (row * classes)..<((row + 1) * classes)
            let mean = logits[slice].reduce(0, +) / Double(classes)
            for i in slice { c[i] -= mean }
        }
        return c
    }

    /// Mean over rows of KL(p ‖ q); a probability that underflows to 0 in q counts as 1e-300.
    public static func meanDivergence(_ p: [Double], _ q: [Double], classes: Int) -> Double {
        var total = 0.0
        for i in p.indices where p[i] > 0 {
            total += p[i] * (Foundation.log(p[i]) - Foundation.log(max(q[i], 1e-300)))
        }
        return total / Double(max(p.count / classes, 1))
    }
}
