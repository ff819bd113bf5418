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

    @Test("refinement never raises the divergence at a width it refines, and leaves the wider widths as the method chose them")
    func neverWorse() throws {
        let (fx, sequences, measured) = setUp()
        let options = QuantizationOptions()
        let refined = try #require(RangeRefinement.refine(measured, model: fx.model, sequences: sequences, options: options))
        let divergence = RangeRefinement.Divergence(model: fx.model, sequences: sequences)
        var lowered = 0
        for bits in RangeRefinement.widths {
            let before = divergence(QuantizedGRU(model: fx.model, calibration: measured, bits: BitWidths(uniform: bits), options: options))
            let after = divergence(QuantizedGRU(model: fx.model, calibration: refined, bits: BitWidths(uniform: bits), options: options))
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

    @Test("calibrating with refine off gives the range method's ranges; with kl, the refined ones")
    func throughOptions() throws {
        let (fx, _, _) = setUp()
        let train = fx.task.train.sequences
        let off = Calibration.calibrate(model: fx.model, trainingSequences: train, options: QuantizationOptions(refine: .off, calibrationSize: 64))
        let subset = Calibration.subset(of: 64, from: train.count, seed: 0).map { train[$0] }
        #expect(off == Calibration.calibrate(model: fx.model, sequences: subset, method: .mse))
        let kl = Calibration.calibrate(model: fx.model, trainingSequences: train, options: QuantizationOptions(calibrationSize: 64))
        #expect(kl == RangeRefinement.refine(off, model: fx.model, sequences: subset, options: QuantizationOptions()))
    }

    @Test("options saved before refinement existed read as refine off")
    func olderOptions() throws {
        let json = #"{"calibrationSeed":0,"calibrationSize":256,"range":{"mse":{}},"requantization":"multiplier","weights":"channel"}"#
        let options = try JSONDecoder().decode(QuantizationOptions.self, from: Data(json.utf8))
        #expect(options == QuantizationOptions(refine: .off))
        let again = try JSONDecoder().decode(QuantizationOptions.self, from: JSONEncoder().encode(QuantizationOptions()))
        #expect(again.refine == .kl)
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
