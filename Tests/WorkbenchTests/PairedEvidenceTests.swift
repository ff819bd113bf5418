import Testing
import Workbench

/// What paired validation predictions can resolve about the pick against 8-bit.
@Suite("Paired evidence: the pick against 8-bit, sequence by sequence")
struct PairedEvidenceTests {
    func evidence(count: Int, gained: Int, lost: Int) -> PairedEvidence {
        let both = count - gained - lost
        let right = Array(repeating: true, count: gained) + Array(repeating: false, count: lost) + Array(repeating: true, count: both)
        let reference = Array(repeating: false, count: gained) + Array(repeating: true, count: lost) + Array(repeating: true, count: both)
        return PairedEvidence(right: right, reference: reference)
    }

    @Test("the difference counts the sequences each gets right and the other wrong")
    func difference() {
        let e = evidence(count: 200, gained: 3, lost: 7)
        #expect(e.gained == 3 && e.lost == 7 && e.count == 200)
        #expect(e.difference == -0.02)
        #expect(e.resolution == 0.005)
    }

    @Test("ten sequences that agree everywhere still leave an interval of many points, which does not resolve half a point")
    func thinDataIsWide() {
        let e = evidence(count: 10, gained: 0, lost: 0)
        #expect(e.difference == 0)
        #expect(e.interval.lowerBound < -0.1 && e.interval.upperBound > 0.1)
        #expect(!e.resolves(0.005))
    }

    @Test("a hundred thousand sequences that agree resolve half a point")
    func thickDataIsNarrow() {
        #expect(evidence(count: 100_000, gained: 0, lost: 0).resolves(0.005))
    }

    @Test("the interval widens with disagreement and holds the difference")
    func intervalHoldsTheDifference() {
        let calm = evidence(count: 1000, gained: 2, lost: 2), noisy = evidence(count: 1000, gained: 40, lost: 40)
        #expect(noisy.interval.upperBound - noisy.interval.lowerBound > calm.interval.upperBound - calm.interval.lowerBound)
        let shifted = evidence(count: 1000, gained: 10, lost: 40)
        #expect(shifted.interval.contains(shifted.difference))
        #expect(shifted.interval.upperBound < 0, "30 more lost than gained in 1000 is a real loss")
    }

    @Test("the standard error is McNemar's, as the margin rule uses it")
    func standardError() {
        let e = evidence(count: 100, gained: 6, lost: 2)
        #expect(abs(e.standardError - (8.0 - 16.0 / 100).squareRoot() / 100) < 1e-12)
    }
}

/// The `noisy` rule: fresh noisy copies decide, unless the clean labelled data show the candidate worse.
@Suite("Rule noisy: the fresh copies decide, and the clean labelled data can veto")
struct NoisyRuleTests {
    func evidence(count: Int, gained: Int, lost: Int) -> PairedEvidence {
        PairedEvidenceTests().evidence(count: count, gained: gained, lost: lost)
    }

    @Test("a candidate ahead on fresh noise is turned down when its whole interval on clean data lies below the tolerance")
    func cleanDataVetoes() {
        // OSULeaf's pick: +2.6 ± 2.1 points on fresh noise; on 41 validation series 1 gained, 7 lost.
        let validation = evidence(count: 41, gained: 1, lost: 7)
        #expect(validation.interval.upperBound < -0.005)
        #expect(!PickRule.noisyAccepts(fresh: 0.026, standardError: 0.021, clean: validation, tolerance: 0.005))
        // BasicMotions' pick: 5 of 40 clean training + validation series lost.
        #expect(!PickRule.noisyAccepts(fresh: 0.05, standardError: 0.02, clean: evidence(count: 40, gained: 0, lost: 5), tolerance: 0.005))
    }

    @Test("two lost of 40 is within what 40 series can tell from none: the copies decide")
    func chanceDoesNotVeto() {
        let clean = evidence(count: 40, gained: 0, lost: 2)
        #expect(PickRule.noisyAccepts(fresh: 0.05, standardError: 0.02, clean: clean, tolerance: 0.005))
        #expect(!PickRule.noisyAccepts(fresh: 0.0, standardError: 0.01, clean: clean, tolerance: 0.005))
    }

    @Test("copies without noise are no evidence: the clean data must then resolve the tolerance, which 50 agreeing sequences do not")
    func noiselessCopies() {
        let fifty = evidence(count: 50, gained: 0, lost: 0)
        #expect(PickRule.noisyAccepts(fresh: 0, standardError: 0, clean: fifty, tolerance: 0.005))
        #expect(!PickRule.noisyAccepts(fresh: 0, standardError: 0, clean: fifty, tolerance: 0.005, noiseless: true))
        #expect(PickRule.noisyAccepts(fresh: 0, standardError: 0, clean: evidence(count: 100_000, gained: 0, lost: 0),
                                      tolerance: 0.005, noiseless: true))
    }

    @Test("no clean data at all leaves the decision to the fresh copies")
    func noCleanData() {
        let none = PairedEvidence(right: [], reference: [])
        #expect(PickRule.noisyAccepts(fresh: 0.0, standardError: 0.004, clean: none, tolerance: 0.005))
    }
}

@Suite("The clean data that can veto compare's noisy rule")
struct CleanEvidenceTests {
    @Test("without a refit the veto reads validation; after a refit, training and validation pooled")
    func refitPoolsTheSplits() throws {
        let plain = try trainedWorkspace()
        let task = try #require(plain.task)
        let model = try plain.quantizedModel(BitWidths(uniform: 4))
        let eight = try plain.quantizedModel(BitWidths(uniform: 8))
        #expect(try plain.cleanEvidence(against: eight)(model).count == task.validation.count)

        let refit = Workspace(modelCache: nil)
        _ = try refit.loadTask("digits")
        var settings = TrainingOptions(epochs: 2, hiddenSize: 12)
        settings.refit = true
        _ = try refit.train(settings)
        try #require(refit.model?.heldOut != nil)
        let evidence = try refit.cleanEvidence(against: refit.quantizedModel(BitWidths(uniform: 8)))(refit.quantizedModel(BitWidths(uniform: 4)))
        #expect(evidence.count == task.train.count + task.validation.count)
    }
}
