import Foundation
import GRU
import Quantization
import Testing

@Suite("ranges refined to the float model's outputs")
struct RangeRefinementTests {
    /// The digits fixture's model, its first 128 training sequences and their MSE ranges.
    func setUp() -> (fx: DigitsFixture, sequences: [[Float]], measured: Calibration) {
        let fx = DigitsFixture.shared
        let sequences = Array(fx.task.train.sequences.prefix(128))
        return (fx, sequences, Calibration.calibrate(model: fx.model, sequences: sequences, method: .mse))
    }

    @Test("refinement never raises its measure at a width it refines, and leaves the wider widths as the method chose them",
          arguments: [QuantizationOptions.Refinement.logits, .kl])
    func neverWorse(measure: QuantizationOptions.Refinement) throws {
        let (fx, sequences, measured) = setUp()
        let options = QuantizationOptions(refine: measure)
        let refined = try #require(RangeRefinement.refine(measured, model: fx.model, sequences: sequences, options: options))
        let discrepancy = RangeRefinement.Discrepancy(model: fx.model, sequences: sequences, measure: measure)
        var lowered = 0
        for bits in RangeRefinement.widths {
            let before = discrepancy(QuantizedGRU(model: fx.model, calibration: measured, bits: BitWidths(uniform: bits), options: options))
            let after = discrepancy(QuantizedGRU(model: fx.model, calibration: refined, bits: BitWidths(uniform: bits), options: options))
            #expect(after <= before, "\(bits) bits: \(before) → \(after)")
            if after < before { lowered += 1 }
        }
        #expect(lowered >= 5, "the refinement should find better ranges at most widths")
        for op in GRUOperator.allCases {
            for bits in (RangeRefinement.widths.upperBound + 1)...BitWidths.allowed.upperBound {
                #expect(refined.range(op, bits: bits) == measured.range(op, bits: bits))
            }
        }
        // Operators with fixed ranges are not touched at any width.
        for bits in RangeRefinement.widths {
            #expect(refined.range(.gateR, bits: bits) == measured.range(.gateR, bits: bits))
        }
    }

    @Test("logit error sees drift on sequences the model is sure of, which the divergence of probabilities hides")
    func logitErrorSeesConfidentDrift() {
        // Two sequences, three classes: the reference is sure of class 0 on the first and
        // torn on the second. Moving the sure logits by 4 barely changes the probabilities.
        let reference = [20.0, 0, 0, 1, 1, 0]
        let drifted = [16.0, 0, 0, 1, 1, 0]
        let p = RangeRefinement.probabilities(reference, classes: 3), q = RangeRefinement.probabilities(drifted, classes: 3)
        #expect(RangeRefinement.meanDivergence(p, q, classes: 3) < 1e-6)
        let a = RangeRefinement.centred(reference, classes: 3), b = RangeRefinement.centred(drifted, classes: 3)
        #expect(zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 2 > 1)
        // Centring: a shift of a whole row is no error at all.
        #expect(RangeRefinement.centred([1, 2, 3], classes: 3) == RangeRefinement.centred([11, 12, 13], classes: 3))
    }

    @Test("the refined ranges are the same at 1 and 3 threads")
    func threads() throws {
        let (fx, sequences, measured) = setUp()
        let one = RangeRefinement.refine(measured, model: fx.model, sequences: Array(sequences.prefix(40)), options: QuantizationOptions(), threads: 1)
        let three = RangeRefinement.refine(measured, model: fx.model, sequences: Array(sequences.prefix(40)), options: QuantizationOptions(), threads: 3)
        #expect(one != nil && one == three)
    }

    @Test("a stop request ends the refinement with nothing")
    func stops() {
        let (fx, sequences, measured) = setUp()
        var polls = 0
        let result = RangeRefinement.refine(measured, model: fx.model, sequences: sequences, options: QuantizationOptions(),
                                            shouldStop: { polls += 1; return polls > 10 })
        #expect(result == nil)
    }

    @Test("calibrating with refine off gives the range method's ranges; with logits, the refined ones")
    func throughOptions() throws {
        let (fx, _, _) = setUp()
        let train = fx.task.train.sequences
        let off = Calibration.calibrate(model: fx.model, trainingSequences: train, options: QuantizationOptions(refine: .off, calibrationSize: 64))
        let subset = Calibration.subset(of: 64, from: train.count, seed: 0).map { train[$0] }
        #expect(off == Calibration.calibrate(model: fx.model, sequences: subset, method: .mse))
        let refined = Calibration.calibrate(model: fx.model, trainingSequences: train, options: QuantizationOptions(calibrationSize: 64))
        #expect(refined == RangeRefinement.refine(off, model: fx.model, sequences: subset, options: QuantizationOptions()))
        #expect(refined != off)
    }

    @Test("options saved before refinement existed read as refine off; saved with kl, as kl")
    func olderOptions() throws {
        let json = #"{"calibrationSeed":0,"calibrationSize":256,"range":{"mse":{}},"requantization":"multiplier","weights":"channel"}"#
        let options = try JSONDecoder().decode(QuantizationOptions.self, from: Data(json.utf8))
        #expect(options == QuantizationOptions(refine: .off))
        let again = try JSONDecoder().decode(QuantizationOptions.self, from: JSONEncoder().encode(QuantizationOptions()))
        #expect(again.refine == .logits)
        let kl = try JSONDecoder().decode(QuantizationOptions.self, from: JSONEncoder().encode(QuantizationOptions(refine: .kl)))
        #expect(kl.refine == .kl)
    }

    @Test("the step budget keeps the first sequences that fit, at least one, each cut to the longest prefix")
    func budget() {
        let sequences = [[Float](repeating: 0, count: 10), [Float](repeating: 0, count: 6), [Float](repeating: 0, count: 4)]
        #expect(RangeRefinement.within(5, longest: 100, sequences, featureCount: 2).map(\.count) == [10])
        #expect(RangeRefinement.within(8, longest: 100, sequences, featureCount: 2).map(\.count) == [10, 6])
        #expect(RangeRefinement.within(1, longest: 100, sequences, featureCount: 2).map(\.count) == [10])
        #expect(RangeRefinement.within(8, longest: 3, sequences, featureCount: 2).map(\.count) == [6, 6, 4])
    }
}
