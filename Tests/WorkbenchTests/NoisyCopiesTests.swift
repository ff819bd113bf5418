import Foundation
import GRU
import Randomness
import Testing
import Workbench

/// Noisy copies of the training split, as hard for the float model as validation.
@Suite("Noisy copies: more evidence than validation, as hard as validation")
struct NoisyCopiesTests {
    /// A random model with a sharpened head, so that its confidence tells easy inputs from hard ones.
    static let model: GRUClassifier = {
        var model = GRUClassifier(inputSize: 2, hiddenSize: 8, classCount: 3, seed: 4)
        model.fcWeight = model.fcWeight.map { $0 * 8 }
        return model
    }()

    static func sequences(_ count: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in (0..<(2 * 12)).map { _ in generator.nextGaussian() } }
    }

    /// Training labels the model predicts (an easy split); validation labels it predicts for
    /// three sequences in four (a harder one).
    static let train = (sequences: sequences(200, seed: 1), labels: model.predictions(sequences(200, seed: 1)))
    static let validation: (sequences: [[Float]], labels: [Int]) = {
        let inputs = sequences(60, seed: 2)
        return (inputs, model.predictions(inputs).enumerated().map { $0.offset % 4 == 0 ? ($0.element + 1) % 3 : $0.element })
    }()

    static func meanLoss(_ sequences: [[Float]], _ labels: [Int]) -> Double {
        let logits = model.logits(sequences)
        return zip(labels.indices, labels).reduce(0.0) { total, item in
            let row = (0..<3).map { Double(logits[item.0 * 3 + $0]) }
            let top = row.max()!
            return total + top + log(row.reduce(0) { $0 + exp($1 - top) }) - row[item.1]
        } / Double(labels.count)
    }

    @Test("the copies' float cross-entropy matches validation's, where the training split is easier")
    func asHardAsValidation() {
        let copies = NoisyCopies(model: Self.model, train: Self.train, validation: Self.validation, seed: 7)
        #expect(copies.noise > 0)
        #expect(copies.copies == NoisyCopies.maximumCopies)
        #expect(copies.sequences.count == 60 + 200 * copies.copies)
        let target = Self.meanLoss(Self.validation.sequences, Self.validation.labels)
        #expect(abs(copies.targetLoss - target) < 1e-6)
        let copied = Array(copies.sequences.dropFirst(60)), labels = Array(copies.labels.dropFirst(60))
        let loss = Self.meanLoss(copied, labels)
        #expect(abs(loss - target) < 0.1 * target, "copies \(loss) against validation \(target), noise \(copies.noise)")
        #expect(Self.meanLoss(Self.train.sequences, Self.train.labels) < 0.8 * target, "the training split alone is easier")
    }

    @Test("the set holds the step budget or the minimum capacity, whichever is more: short sequences get more copies, long ones keep 4,096 sequences")
    func stepBudget() {
        let validation = Self.validation.sequences  // 60 sequences of 12 steps
        func sequences(_ count: Int, steps: Int) -> [[Float]] { [[Float]](repeating: [Float](repeating: 0, count: 2 * steps), count: count) }
        #expect(NoisyCopies.room(train: sequences(10, steps: 4), validation: validation, featureCount: 2) == (NoisyCopies.stepBudget - 60 * 12) / 4)
        #expect(NoisyCopies.room(train: sequences(10, steps: 1460), validation: validation, featureCount: 2) == NoisyCopies.minimumCapacity - 60)
        #expect(NoisyCopies.room(train: sequences(10, steps: 4), validation: [], featureCount: 2) == 0)
        // 6,000 training sequences of 4 steps: every one copied, 8 times, where a cap of
        // 4,096 sequences would have copied 4,036 of them once.
        var generator = SeededGenerator(seed: 3)
        let inputs = (0..<6000).map { _ in (0..<(2 * 4)).map { _ in generator.nextGaussian() } }
        let copies = NoisyCopies(model: Self.model, train: (inputs, Self.model.predictions(inputs)), validation: Self.validation, seed: 7)
        #expect(copies.trainingCount == 6000 && copies.copies == NoisyCopies.maximumCopies)
        #expect(copies.sequences.reduce(0) { $0 + $1.count } / 2 <= NoisyCopies.stepBudget)
    }

    @Test("where training is as hard as validation, the copies are the training sequences themselves, once")
    func noNoiseWithoutAGap() {
        let copies = NoisyCopies(model: Self.model, train: Self.validation, validation: Self.validation, seed: 7)
        #expect(copies.noise == 0 && copies.copies == 1)
        let themselves = copies.sequences == Self.validation.sequences + Self.validation.sequences
        #expect(themselves)
    }

    @Test("the same seed gives the same copies, another seed other noise")
    func seeded() {
        let a = NoisyCopies(model: Self.model, train: Self.train, validation: Self.validation, seed: 7)
        let b = NoisyCopies(model: Self.model, train: Self.train, validation: Self.validation, seed: 7)
        let c = NoisyCopies(model: Self.model, train: Self.train, validation: Self.validation, seed: 8)
        let same = a.sequences == b.sequences, other = a.sequences != c.sequences
        #expect(same && a.noise == b.noise)
        #expect(other)
    }

    @Test("copies of one sequence count as one piece of evidence: losing all copies of one of 260 groups is 1/260")
    func groupedDifference() {
        let copies = NoisyCopies(model: Self.model, train: Self.train, validation: Self.validation, seed: 7)
        #expect(copies.groupCount == 260)
        let reference = [Bool](repeating: true, count: copies.sequences.count)
        var right = reference
        for k in copies.groups.indices where copies.groups[k] == 100 { right[k] = false }
        let (mean, standardError) = copies.difference(right: right, reference: reference)
        #expect(abs(mean + 1.0 / 260) < 1e-12)
        #expect(abs(standardError - (1.0 / 260).squareRoot() / 260.0.squareRoot()) < 1e-3)
        #expect(copies.difference(right: reference, reference: reference) == (0, 0))
    }
}
