import Foundation
import GRU
import Randomness

/// Labelled inputs to judge quantization damage on beyond the validation split: the
/// validation sequences, plus noisy copies of the training sequences made as hard for the
/// float model as validation is.
///
/// The float model fits its training data better than unseen data, so the training split
/// says little about the damage quantization does near the decision boundary (8-bit scores
/// 100 % there on small tasks, and so does every candidate). Gaussian noise of σ standard
/// deviations per feature and step, with σ chosen so that the float model's mean
/// cross-entropy on the copies equals its cross-entropy on unseen data (validation's; after a
/// refit, the cross-fitted loss, `CrossFit`), moves the training inputs as close to the
/// boundary as unseen inputs are. A continuous loss is matched, not
/// accuracy, because accuracy on a small validation split is often 100 % and cannot place σ.
/// The copies were never scored by the search, so a candidate chosen on validation is not
/// flattered on them.
public struct NoisyCopies: Sendable {
    /// Validation first, then `copies` noisy copies of each training sequence.
    public private(set) var sequences: [[Float]]
    public private(set) var labels: [Int]
    /// The sequence each one copies: validation sequences are themselves, copies share
    /// their original's group. Paired differences are averaged per group first, so that
    /// copies of one sequence count as one piece of evidence, not several.
    public private(set) var groups: [Int]
    public private(set) var groupCount: Int
    public private(set) var validationCount: Int
    /// Training sequences copied: all of them, unless that would pass the budget (`room`).
    public private(set) var trainingCount: Int
    public private(set) var copies: Int
    /// σ, in standard deviations of each feature (in the data's own units for a model without a standardisation).
    public private(set) var noise: Double
    /// Whether the model standardises its inputs, which gives σ its unit.
    public private(set) var standardised: Bool
    /// The float model's mean cross-entropy on unseen labelled data: what σ was matched to.
    public private(set) var targetLoss: Double
    /// The cross-fitted models' score on the labelled sequences they did not see, when σ was
    /// matched to it (`CrossFit`) rather than to validation.
    public private(set) var crossFitted: HeldOutScore?
    /// Training + validation sequences: what cross-fitting scores unless a fold is left out.
    public private(set) var labelledCount: Int

    /// Judging a configuration costs in proportion to the steps it runs, so the set holds at
    /// most this many steps, or `minimumCapacity` sequences where that is more (har's 4,096
    /// windows of 128 steps): short sequences get more copies, and the search costs no more
    /// per configuration than on har unless the sequences are longer. More copies of each
    /// sequence average out the luck of one draw of noise, which the search otherwise learns
    /// (smnist's tuning split: candidates judged within half a point of 8-bit read 0.25 to
    /// 1.66 points below it on a fresh draw with one copy each; docs/selection.md).
    public static let stepBudget = 4096 * 128
    /// The most sequences the set may hold whatever their length (unless validation alone holds more).
    public static let minimumCapacity = 4096

    /// How many copies of training sequences fit beside validation: what the step budget
    /// leaves after validation's steps, in training sequences of their mean length, or what
    /// `minimumCapacity` leaves after validation's sequences, whichever is more; none without
    /// validation (there is nothing to match the noise to).
    public static func room(train: [[Float]], validation: [[Float]], featureCount: Int) -> Int {
        guard !validation.isEmpty else { return 0 }
        let f = max(featureCount, 1)
        let validationSteps = validation.reduce(0) { $0 + $1.count } / f
        let meanSteps = train.isEmpty ? 1 : max(1, Double(train.reduce(0) { $0 + $1.count } / f) / Double(train.count))
        let bySteps = Int(Double(max(0, stepBudget - validationSteps)) / meanSteps)
        return max(0, minimumCapacity - validation.count, bySteps)
    }

    /// At most this many copies of each training sequence.
    public static let maximumCopies = 8
    /// Training sequences used to choose σ (a seeded sample when there are more).
    static let sampleForNoise = 512
    /// Bisection steps on σ.
    static let bisectionSteps = 12
    /// Training counts as easier than validation below this fraction of its loss; closer,
    /// the copies need no noise.
    static let easier = 0.99
    /// σ is searched in [0, this].
    static let largestNoise = 4.0

    /// `crossFitted`: what unseen data cost models made like this one (`CrossFit`, for a
    /// refit model), in place of the loss on validation.
    public init(model: GRUClassifier, train: (sequences: [[Float]], labels: [Int]),
                validation: (sequences: [[Float]], labels: [Int]), seed: UInt64, crossFitted: HeldOutScore? = nil) {
        validationCount = validation.sequences.count
        // After a refit validation is training data too, so its loss now is in-sample. The
        // loss unseen data cost models made like it (cross-fitted) says best what unseen data
        // cost it; failing that, the loss validation had while held out.
        let target = validation.sequences.isEmpty ? 0
            : crossFitted?.loss ?? model.heldOut?.loss ?? Self.meanLoss(model, validation.sequences, validation.labels)
        targetLoss = target
        self.crossFitted = validation.sequences.isEmpty ? nil : crossFitted
        labelledCount = train.sequences.count + validation.sequences.count
        let f = model.inputSize
        let scale = model.standardization?.scale ?? [Float](repeating: 1, count: f)
        standardised = model.standardization != nil

        // Without validation there is nothing to match; past the budget, nothing to copy.
        let room = Self.room(train: train.sequences, validation: validation.sequences, featureCount: f)
        // σ on a sample of training sequences, each with one fixed draw of noise, so the loss
        // moves with σ alone.
        let sample = Array(Self.order(train.sequences.count, seed: seed).prefix(Self.sampleForNoise))
        var sampleNoise = SeededGenerator(seed: seed, stream: 31)
        let draws = room == 0 ? [] : sample.map { i in (0..<train.sequences[i].count).map { _ in sampleNoise.nextGaussian() } }
        func sampleLoss(_ sigma: Double) -> Double {
            let noisy = sample.indices.map { k in Self.addNoise(train.sequences[sample[k]], draws[k], sigma: sigma, scale: scale) }
            return Self.meanLoss(model, noisy, sample.map { train.labels[$0] })
        }
        var sigma = 0.0
        if room > 0, !sample.isEmpty, sampleLoss(0) < Self.easier * target {
            var low = 0.0, high = 0.0625
            while high < Self.largestNoise && sampleLoss(high) < target { low = high; high *= 2 }
            high = min(high, Self.largestNoise)
            for _ in 0..<Self.bisectionSteps {
                let middle = (low + high) / 2
                if sampleLoss(middle) < target { low = middle } else { high = middle }
            }
            sigma = (low + high) / 2
        }
        noise = sigma

        // Without noise a copy would repeat its original: one is enough. Past the budget, a
        // seeded subset of the training sequences gets one copy each; a validation split that
        // fills the budget on its own gets none.
        let copied = Array(Self.order(train.sequences.count, seed: seed &+ 1).prefix(room)).sorted()
        copies = copied.isEmpty ? 0 : sigma == 0 ? 1 : max(1, min(Self.maximumCopies, room / copied.count))
        var sequences = validation.sequences, labels = validation.labels
        var groups = Array(0..<validationCount)
        var generator = SeededGenerator(seed: seed, stream: 32)
        for (group, i) in copied.enumerated() {
            for _ in 0..<copies {
                let draw = (0..<train.sequences[i].count).map { _ in generator.nextGaussian() }
                sequences.append(Self.addNoise(train.sequences[i], draw, sigma: sigma, scale: scale))
                labels.append(train.labels[i])
                groups.append(validationCount + group)
            }
        }
        trainingCount = copies > 0 ? copied.count : 0
        self.sequences = sequences
        self.labels = labels
        self.groups = groups
        groupCount = validationCount + trainingCount
    }

    /// A seeded order of 0..<n.
    static func order(_ n: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<n)
        var generator = SeededGenerator(seed: seed, stream: 30)
        GRUTrainer.fisherYates(&order, using: &generator)
        return order
    }

    /// The first model's accuracy minus the second's, averaged within each group first
    /// (`right` and `reference` say which sequences each got right), with its standard error
    /// over the groups.
    public func difference(right: [Bool], reference: [Bool]) -> (mean: Double, standardError: Double) {
        var sums = [Double](repeating: 0, count: groupCount), sizes = [Double](repeating: 0, count: groupCount)
        for (k, group) in groups.enumerated() {
            sums[group] += (right[k] ? 1 : 0) - (reference[k] ? 1 : 0)
            sizes[group] += 1
        }
        let d = zip(sums, sizes).filter { $0.1 > 0 }.map { $0.0 / $0.1 }
        guard d.count > 1 else { return (d.first ?? 0, .infinity) }
        let n = Double(d.count), mean = d.reduce(0, +) / n
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, (variance / n).squareRoot())
    }

    static func addNoise(_ sequence: [Float], _ draw: [Float], sigma: Double, scale: [Float]) -> [Float] {
        let f = scale.count, s = Float(sigma)
        return sequence.indices.map { sequence[$0] + s * scale[$0 % f] * draw[$0] }
    }

    /// Mean cross-entropy of the float model's logits against the labels.
    static func meanLoss(_ model: GRUClassifier, _ sequences: [[Float]], _ labels: [Int]) -> Double {
        meanLoss(logits: model.logits(sequences), labels: labels, classes: model.classCount)
    }

    /// Mean cross-entropy of logits (rows × `classes`) against the labels.
    static func meanLoss(logits: [Float], labels: [Int], classes c: Int) -> Double {
        var total = 0.0
        for (i, label) in labels.enumerated() {
            let row = logits[(i * c)..<((i + 1) * c)].map(Double.init)
            let top = row.max() ?? 0
            total += top + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) }) - row[label]
        }
        return total / Double(max(labels.count, 1))
    }
}
