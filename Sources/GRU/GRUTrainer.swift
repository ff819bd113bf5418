import Dispatch
import Foundation
import Kernels
import Randomness

/// Trains a `GRUClassifier` with BPTT, AdamW, gradient clipping, a learning-rate schedule,
/// optional rotation augmentation and early stopping on a validation score.
public enum GRUTrainer {
    /// Rows per gradient chunk. Chunks are fixed by the batch, never by the thread
    /// count, and their gradients are summed in chunk order: the result is the same
    /// on one core or many.
    static let chunkRows = 32

    /// `batchSize`, clamped to the training split (and to at least 1).
    public static func effectiveBatchSize(_ batchSize: Int, trainingCount: Int) -> Int {
        max(1, min(batchSize, trainingCount))
    }

    /// Changes whenever training would produce different weights from the same inputs,
    /// so that caches of trained models keyed on it never serve a stale model.
    public static let version = "gru-trainer-3"

    /// How far below the first run's training accuracy (at the same epoch) the refit's may end
    /// before it counts as failed and the first run's model is kept.
    public static let refitShortfall = 0.05

    /// Fits the standardisation on `train`, then trains from `options.seed`. `progress` is
    /// called after every batch, `epochDone` after every epoch; `shouldStop` is polled after
    /// every batch and ends training there, keeping the best weights so far.
    public static func train(
        train: (sequences: [[Float]], labels: [Int]),
        validation: (sequences: [[Float]], labels: [Int]),
        featureCount: Int, classCount: Int, options: TrainingOptions,
        progress: (TrainingProgress) -> Void = { _ in },
        epochDone: (EpochSummary) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) -> TrainingResult {
        precondition(train.sequences.count == train.labels.count, "GRUTrainer: training sequences and labels differ in count")
        precondition(validation.sequences.count == validation.labels.count, "GRUTrainer: validation sequences and labels differ in count")
        precondition(featureCount > 0 && classCount > 0 && options.hiddenSize > 0 && options.batchSize > 0,
                     "GRUTrainer: sizes must be positive")
        precondition((options.bptt ?? 1) > 0, "GRUTrainer: bptt must be positive")
        precondition(GRUClassifier.allowedLayers.contains(options.layers), "GRUTrainer: \(options.layers) layers is outside \(GRUClassifier.allowedLayers)")
        for (name, set) in [("training", train), ("validation", validation)] {
            for (i, (sequence, label)) in zip(set.sequences, set.labels).enumerated() {
                precondition((0..<classCount).contains(label), "GRUTrainer: \(name) label \(label) of sequence \(i) is not in 0..<\(classCount)")
                precondition(sequence.count % featureCount == 0,
                             "GRUTrainer: \(name) sequence \(i) has \(sequence.count) values, not a multiple of \(featureCount) features")
            }
        }
        precondition(options.rotationDegrees <= 0 || featureCount % 3 == 0,
                     "GRUTrainer: rotation augmentation needs features in 3-axis triplets; \(featureCount) is not a multiple of 3")
        var result = run(train: train, validation: validation, featureCount: featureCount, classCount: classCount,
                         options: options, replaying: nil, progress: progress, epochDone: epochDone, shouldStop: shouldStop)
        guard options.refit, !validation.sequences.isEmpty, !result.interrupted, result.bestEpoch > 0 else { return result }
        // Validation has done its work (the epoch, the held-out score); now its labels go into
        // the weights too. The refit starts from the same initial weights with the same
        // schedule and keeps its last weights: the whole run, or through the kept epoch when
        // the first run stopped early (its later epochs were worse on validation). Stopping at
        // the kept epoch of a run that went the distance costs badly where the validation
        // curve is noisy: ACSF1 lost 25 points at seed 0 (docs/training.md).
        let epochs = result.stoppedEarly ? result.bestEpoch : result.history.count
        let all = (sequences: train.sequences + validation.sequences, labels: train.labels + validation.labels)
        // The refit trains at the rates the first run's epochs trained at: the cosine's, or
        // those the plateau schedule's validation-driven cuts gave.
        let rates = result.history.prefix(epochs).map { Float($0.learningRate) }
        let refit = run(train: all, validation: ([], []), featureCount: featureCount, classCount: classCount,
                        options: options, replaying: rates,
                        progress: { var p = $0; p.refitting = true; progress(p) }, epochDone: { _ in }, shouldStop: shouldStop)
        guard !refit.interrupted else {
            result.interrupted = true
            result.refitInterrupted = true
            return result
        }
        // The refit replays the first run's schedule on a little more data; when its weights
        // fit that data clearly worse than the first run fitted its own at that epoch, the
        // optimisation failed (a loss spike it never recovered from: GunPoint at seed 1 ended
        // at 62 % of its training sequences against 100 %, and 66 % on test against 96.7 %),
        // and the first run's model is the better one. The refit's final weights are scored
        // exactly; the first run's figure is its epoch's running accuracy, which at the end
        // of the schedule (1/100 of the rate) is as good.
        // The first run's epoch the refit ends at: its fit, and its validation scores, the
        // held-out ones (not the best of many scores on a small split).
        let counterpart = result.history.first(where: { $0.epoch == epochs })
        if let counterpart, !refit.history.isEmpty {
            let fitted = refit.model.accuracy(all.sequences, labels: all.labels)
            if fitted < counterpart.trainAccuracy - refitShortfall {
                result.discardedRefit = DiscardedRefit(epochs: epochs, sequences: all.sequences.count,
                                                       trainingAccuracy: fitted, firstRunAccuracy: counterpart.trainAccuracy)
                return result
            }
        }
        result.model = refit.model
        if let counterpart {
            result.model.heldOut = HeldOutScore(loss: counterpart.validationLoss, accuracy: counterpart.validationAccuracy,
                                                sequences: validation.sequences.count, epoch: epochs)
        }
        result.refit = Refit(epochs: epochs, sequences: all.sequences.count)
        return result
    }

    /// The model a refit would give on `train` alone: `epochs` epochs of `options`'s schedule
    /// (the cosine's rates, or the base rate for the constant and plateau schedules, which
    /// have no validation to cut on), keeping the last weights. Cross-fitting trains one on
    /// each k − 1 folds of the labelled data, so every sequence is scored by a model the way
    /// the refit model was made that never saw it; nil when `shouldStop` ended it.
    public static func trainLikeRefit(
        train: (sequences: [[Float]], labels: [Int]), epochs: Int,
        featureCount: Int, classCount: Int, options: TrainingOptions,
        progress: (TrainingProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) -> GRUClassifier? {
        let rates = (1...max(epochs, 1)).map { epoch in
            options.schedule == .cosine
                ? LearningRateSchedule.cosine(base: options.learningRate, epoch: epoch, epochs: options.epochs) : options.learningRate
        }
        let result = run(train: train, validation: ([], []), featureCount: featureCount, classCount: classCount,
                         options: options, replaying: rates, progress: progress, epochDone: { _ in }, shouldStop: shouldStop)
        return result.interrupted ? nil : result.model
    }

    /// One training run: on `train`, scored on `validation` after every epoch. `replaying`
    /// rates, it runs one epoch at each (unless stopped) and keeps the last weights: the
    /// refit, which has no validation to choose by.
    private static func run(
        train: (sequences: [[Float]], labels: [Int]),
        validation: (sequences: [[Float]], labels: [Int]),
        featureCount: Int, classCount: Int, options: TrainingOptions, replaying rates: [Float]?,
        progress: (TrainingProgress) -> Void, epochDone: (EpochSummary) -> Void, shouldStop: () -> Bool
    ) -> TrainingResult {
        var model = GRUClassifier(inputSize: featureCount, hiddenSize: options.hiddenSize, classCount: classCount,
                                  layers: options.layers, cell: options.cell, seed: options.seed)
        let standardization = Standardization.fit(sequences: train.sequences, featureCount: featureCount)
        model.standardization = standardization
        // Standardise once up front instead of on every pass over the data.
        let trainInputs = train.sequences.map { standardization.apply(to: $0) }

        // A batch larger than the split is the whole split: the same batches, without
        // buffers (one gradient per 32-row chunk) for rows that never come.
        var options = options
        options.batchSize = effectiveBatchSize(options.batchSize, trainingCount: train.sequences.count)
        let stepper = TrainingStepper(layout: model.layout, batchSize: options.batchSize, bptt: options.bptt)
        var parameters = model.flatParameters
        var adam = Adam(count: parameters.count, learningRate: options.learningRate)
        adam.weightDecay = options.weightDecay
        adam.decayed = model.layout.weightMatrices
        var shuffler = SeededGenerator(seed: options.seed, stream: 1)
        var augmenter = SeededGenerator(seed: options.seed, stream: 2)
        var sincePlateauCut = 0
        let augmenting = options.rotationDegrees > 0
        var order = Array(train.sequences.indices)
        let batchCount = (order.count + options.batchSize - 1) / options.batchSize

        var history: [EpochSummary] = []
        var best = model
        var bestLoss = Double.infinity
        var bestAccuracy = -Double.infinity
        var bestEpoch = 0
        var sinceBest = 0
        var interrupted = false
        var stoppedEarly = false

        func validate(_ parameters: [Float]) -> (model: GRUClassifier, loss: Double, accuracy: Double) {
            var candidate = model
            candidate.assign(flat: parameters)
            guard !validation.sequences.isEmpty else { return (candidate, .nan, .nan) }
            let logits = candidate.logits(validation.sequences)
            let (loss, correct) = logits.withUnsafeBufferPointer { p in
                GRUEngine.softmaxCrossEntropy(logits: p.baseAddress!, labels: validation.labels, rows: validation.sequences.count,
                                              classes: classCount, scale: 1, gradient: nil)
            }
            let n = Double(validation.sequences.count)
            return (candidate, loss / n, Double(correct) / n)
        }

        /// Whether (loss, accuracy) beats the best so far under `options.selection`.
        func improves(loss: Double, accuracy: Double) -> Bool {
            if bestEpoch == 0 || bestLoss.isNaN { return true }
            switch options.selection {
            case .loss: return loss < bestLoss
            case .accuracy: return accuracy > bestAccuracy || (accuracy == bestAccuracy && loss < bestLoss)
            }
        }

        let lastEpoch = rates?.count ?? options.epochs
        epochs: for epoch in 1...max(lastEpoch, 1) where lastEpoch > 0 {
            if let rates {
                adam.learningRate = rates[epoch - 1]
            } else if options.schedule == .cosine {
                adam.learningRate = LearningRateSchedule.cosine(base: options.learningRate, epoch: epoch, epochs: options.epochs)
            }
            fisherYates(&order, using: &shuffler)
            var lossSum = 0.0, correct = 0, seen = 0
            for batchIndex in 0..<batchCount {
                let indices = order[(batchIndex * options.batchSize)..<min(order.count, (batchIndex + 1) * options.batchSize)]
                var gradient = [Float](repeating: 0, count: parameters.count)
                let (loss, right): (Double, Int)
                if augmenting {
                    // Augmented copies of this batch's sequences; the stored inputs stay clean.
                    let copies = indices.map { i in
                        var copy = trainInputs[i]
                        rotateTriplets(&copy, features: featureCount, standardization: standardization,
                                       maxDegrees: options.rotationDegrees, using: &augmenter)
                        return copy
                    }
                    (loss, right) = stepper.lossAndGradient(
                        sequences: copies, labels: indices.map { train.labels[$0] }, indices: Array(copies.indices),
                        parameters: parameters, into: &gradient)
                } else {
                    (loss, right) = stepper.lossAndGradient(
                        sequences: trainInputs, labels: train.labels, indices: Array(indices),
                        parameters: parameters, into: &gradient)
                }
                clipGlobalNorm(&gradient, maxNorm: options.clipNorm)
                adam.update(&parameters, gradient: gradient)
                lossSum += loss; correct += right; seen += indices.count
                var report = TrainingProgress(epoch: epoch, epochCount: lastEpoch, batch: batchIndex + 1, batchCount: batchCount,
                                              runningLoss: lossSum / Double(max(seen, 1)),
                                              runningAccuracy: Double(correct) / Double(max(seen, 1)))
                report.learningRate = Double(adam.learningRate)
                progress(report)
                if shouldStop() {
                    interrupted = true
                    // The partial epoch's weights compete with the best so far.
                    let current = validate(parameters)
                    if improves(loss: current.loss, accuracy: current.accuracy) {
                        best = current.model; bestLoss = current.loss; bestAccuracy = current.accuracy; bestEpoch = epoch
                    }
                    break epochs
                }
            }
            let current = validate(parameters)
            let trainLoss = lossSum / Double(max(seen, 1))
            let summary = EpochSummary(epoch: epoch, trainLoss: trainLoss,
                                       trainAccuracy: Double(correct) / Double(max(seen, 1)),
                                       validationLoss: current.loss, validationAccuracy: current.accuracy,
                                       learningRate: Double(adam.learningRate))
            history.append(summary)
            epochDone(summary)
            // Without a validation split, the training loss is the only signal left.
            let monitored = validation.sequences.isEmpty
                ? (loss: trainLoss, accuracy: summary.trainAccuracy) : (loss: current.loss, accuracy: current.accuracy)
            if improves(loss: monitored.loss, accuracy: monitored.accuracy) {
                best = current.model; bestLoss = monitored.loss; bestAccuracy = monitored.accuracy
                bestEpoch = epoch; sinceBest = 0; sincePlateauCut = 0
            } else {
                sinceBest += 1
                if rates == nil, sinceBest >= options.patience {
                    stoppedEarly = true
                    break
                }
                sincePlateauCut += 1
                if options.schedule == .plateau, rates == nil, sincePlateauCut >= LearningRateSchedule.plateauPatience {
                    adam.learningRate *= LearningRateSchedule.plateauFactor
                    sincePlateauCut = 0
                }
            }
        }
        if rates != nil, !interrupted {
            best = model
            best.assign(flat: parameters)
            bestEpoch = history.count
        }
        return TrainingResult(model: best, history: history, bestEpoch: bestEpoch,
                              interrupted: interrupted, stoppedEarly: stoppedEarly)
    }

    /// Rotates every consecutive feature triplet (x, y, z of one 3-axis sensor) of a standardised
    /// sequence by one random rotation, in raw units: a uniformly random axis and an angle uniform
    /// in ±`maxDegrees`. One rotation per sequence, shared by all its sensors, as when a device is
    /// worn at a different angle.
    static func rotateTriplets(_ values: inout [Float], features: Int, standardization: Standardization,
                               maxDegrees: Float, using generator: inout SeededGenerator) {
        precondition(features % 3 == 0, "GRUTrainer: rotation needs features in triplets, not \(features)")
        var x = generator.nextGaussian(), y = generator.nextGaussian(), z = generator.nextGaussian()
        let length = max((x * x + y * y + z * z).squareRoot(), 1e-12)
        x /= length; y /= length; z /= length
        let angle = maxDegrees * Float.pi / 180 * (2 * generator.nextUnitFloat() - 1)
        let c = Foundation.cos(angle), s = Foundation.sin(angle), t = 1 - c
        // Rodrigues' rotation matrix about (x, y, z), row-major.
        let r: [Float] = [t * x * x + c, t * x * y - s * z, t * x * z + s * y,
                          t * x * y + s * z, t * y * y + c, t * y * z - s * x,
                          t * x * z - s * y, t * y * z + s * x, t * z * z + c]
        let mean = standardization.mean, scale = standardization.scale
        for step in 0..<(values.count / features) {
            for first in stride(from: step * features, to: (step + 1) * features, by: 3) {
                let f = first - step * features
                let raw = (0..<3).map { k in values[first + k] * scale[f + k] + mean[f + k] }
                for k in 0..<3 {
                    let v = r[3 * k] * raw[0] + r[3 * k + 1] * raw[1] + r[3 * k + 2] * raw[2]
                    values[first + k] = (v - mean[f + k]) / scale[f + k]
                }
            }
        }
    }

    /// Portable Fisher–Yates: the standard library's `shuffle` algorithm is not specified.
    public static func fisherYates(_ values: inout [Int], using generator: inout SeededGenerator) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            values.swapAt(i, j)
        }
    }
}

extension GRUTrainer {
    /// Softmax cross-entropy per row of `rows × classes` logits: the loss sum, the number of
    /// rows whose arg-max is the label, and (when `gradient` is given) `scale · (softmax − onehot)`.
    /// The loss the trainer minimises, for other trainers (quantization-aware fine-tuning).
    public static func softmaxCrossEntropy(
        logits: UnsafePointer<Float>, labels: [Int], rows: Int, classes: Int, scale: Float,
        gradient: UnsafeMutablePointer<Float>?
    ) -> (loss: Double, correct: Int) {
        GRUEngine.softmaxCrossEntropy(logits: logits, labels: labels, rows: rows, classes: classes, scale: scale, gradient: gradient)
    }
}

/// Computes one batch's loss and gradient in fixed chunks, in parallel when there are several.
final class TrainingStepper: @unchecked Sendable {
    // @unchecked: `chunks` is immutable and each concurrent iteration mutates only its own
    // chunk object; the shared inputs are read-only during the parallel section.
    let layout: ParameterLayout
    private let chunks: [Chunk]
    /// Whether chunks may run on several threads (results are identical either way).
    let parallel: Bool

    /// Everything one chunk writes, in its own object so that threads never share a container.
    final class Chunk {
        let worker: BatchGradient
        var gradient: [Float]
        var loss = 0.0
        var correct = 0
        init(layout: ParameterLayout) {
            worker = BatchGradient(layout: layout)
            gradient = [Float](repeating: 0, count: layout.count)
        }
    }
    /// `TrainingOptions.bptt`.
    let bptt: Int?

    init(layout: ParameterLayout, batchSize: Int, bptt: Int? = nil, parallel: Bool = true) {
        self.layout = layout
        self.bptt = bptt
        self.parallel = parallel
        let count = max(1, (batchSize + GRUTrainer.chunkRows - 1) / GRUTrainer.chunkRows)
        chunks = (0..<count).map { _ in Chunk(layout: layout) }
    }

    /// Adds the gradient of the batch's mean loss to `gradient`; returns the loss sum and correct count.
    func lossAndGradient(
        sequences: [[Float]], labels: [Int], indices: [Int], parameters: [Float], into gradient: inout [Float]
    ) -> (loss: Double, correct: Int) {
        let chunkCount = (indices.count + GRUTrainer.chunkRows - 1) / GRUTrainer.chunkRows
        precondition(chunkCount <= chunks.count)
        let scale = 1 / Float(indices.count)
        let chunks = self.chunks, bptt = self.bptt
        let work = { (index: Int) in
            let chunk = chunks[index]
            let slice = indices[(index * GRUTrainer.chunkRows)..<min(indices.count, (index + 1) * GRUTrainer.chunkRows)]
            var g = chunk.gradient
            chunk.gradient = []
            for i in g.indices { g[i] = 0 }
            let result = parameters.withUnsafeBufferPointer { pp in
                g.withUnsafeMutableBufferPointer { gp in
                    chunk.worker.run(sequences, indices: slice, labels: labels, standardization: nil, bptt: bptt,
                                     parameters: pp.baseAddress!, gradient: gp.baseAddress!, lossScale: scale)
                }
            }
            chunk.gradient = g
            chunk.loss = result.loss
            chunk.correct = result.correct
        }
        if chunkCount == 1 || !parallel {
            for index in 0..<chunkCount { work(index) }
        } else {
            let box = UncheckedSendable(work)
            DispatchQueue.concurrentPerform(iterations: chunkCount) { box.value($0) }
        }
        var loss = 0.0, correct = 0
        for chunk in chunks.prefix(chunkCount) {
            for i in gradient.indices { gradient[i] += chunk.gradient[i] }
            loss += chunk.loss
            correct += chunk.correct
        }
        return (loss, correct)
    }
}
