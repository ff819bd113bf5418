import Dispatch
import Foundation
import GRU
import Kernels
import Randomness

/// The fake-quant model of one configuration: float arithmetic on the integer model's grids.
public struct FakeQuantGRU: Sendable {
    public let model: GRUClassifier
    public let calibration: Calibration
    public let bits: BitWidths
    public let options: QuantizationOptions

    public init(model: GRUClassifier, calibration: Calibration, bits: BitWidths, options: QuantizationOptions) {
        self.model = model
        self.calibration = calibration
        self.bits = bits
        self.options = options
    }

    /// Ranges at this configuration's widths, one per operator of the network.
    var ranges: [Double] {
        bits.network.operators.map { $0 == .fc ? 1 : calibration.range(id: $0, bits: bits[id: $0]) }
    }

    /// An engine for this model's shape and layers.
    func engine() -> FakeQuantEngine {
        FakeQuantEngine(inputSize: model.inputSize, hiddenSize: model.hiddenSize, classCount: model.classCount, layers: model.layerCount,
                        cell: model.cell)
    }

    /// Logits of raw sequences, N × C row-major in the given order.
    public func logits(_ sequences: [[Float]]) -> [Float] {
        let c = model.classCount
        var result = [Float](repeating: 0, count: sequences.count * c)
        let engine = configuredEngine()
        let byLength = sequences.indices.sorted {
            sequences[$0].count != sequences[$1].count ? sequences[$0].count > sequences[$1].count : $0 < $1
        }
        var batch = PackedBatch()
        var start = 0
        while start < byLength.count {
            let end = min(start + 256, byLength.count)
            batch.pack(sequences, indices: byLength[start..<end], features: model.inputSize, standardization: nil)
            engine.forward(batch, training: false)
            for (row, index) in batch.order.enumerated() {
                for k in 0..<c { result[index * c + k] = engine.logits.pointer[row * c + k] }
            }
            start = end
        }
        return result
    }

    /// Each sequence's states after its last step (zero for an empty one), as the forward
    /// computes them: every layer's h, bottom to top, H floats each, then for an LSTM every layer's c.
    public func finalStates(_ sequences: [[Float]]) -> [[Float]] {
        let h = model.hiddenSize, b = sequences.count
        let engine = configuredEngine()
        var batch = PackedBatch()
        batch.pack(sequences, indices: sequences.indices, features: model.inputSize, standardization: nil)
        engine.forward(batch, training: false)
        var result = [[Float]](repeating: [], count: sequences.count)
        for (row, index) in batch.order.enumerated() {
            result[index] = (0..<(engine.stateCount * model.layerCount)).flatMap { k in
                Array(UnsafeBufferPointer(start: engine.allFinalStates.pointer + (k * b + row) * h, count: h))
            }
        }
        return result
    }

    /// The mean loss of one fine-tuning batch and its gradients: of the weights (flat
    /// `ParameterLayout` order) and of the log-ranges of the learned operators, back-propagating
    /// through each sequence's last `bptt` steps (whole sequences when nil), each sequence
    /// starting from `initialStates[i]` (as `finalStates` gives them) instead of zero when given.
    public func lossAndGradient(_ sequences: [[Float]], labels: [Int], bptt: Int? = nil,
                                initialStates: [[Float]]? = nil) -> (loss: Double, gradient: [Float], rangeGradient: [Double]) {
        precondition(sequences.count == labels.count && labels.allSatisfy { (0..<model.classCount).contains($0) },
                     "FakeQuantGRU.lossAndGradient: one label in 0..<\(model.classCount) per sequence")
        let stateSize = model.cell.stateVectors * model.layerCount * model.hiddenSize
        precondition(initialStates.map { $0.count == sequences.count && $0.allSatisfy { $0.count == stateSize } } ?? true,
                     "FakeQuantGRU.lossAndGradient: one initial state of \(stateSize) floats per sequence")
        let engine = configuredEngine()
        var gradient = [Float](repeating: 0, count: engine.layout.count)
        var rangeGradient = [Double](repeating: 0, count: engine.learnedOperators.count)
        guard !sequences.isEmpty else { return (0, gradient, rangeGradient) }
        let loss = gradient.withUnsafeMutableBufferPointer { g in
            engine.run(sequences, indices: sequences.indices, labels: labels, bptt: bptt, initialStates: initialStates,
                       lossScale: 1 / Float(sequences.count), gradient: g.baseAddress!, rangeGradient: &rangeGradient).loss
        }
        return (loss / Double(sequences.count), gradient, rangeGradient)
    }

    private func configuredEngine() -> FakeQuantEngine {
        let engine = engine()
        engine.configure(parameters: model.flatParameters, ranges: ranges, bits: bits, options: options, standardization: model.standardization)
        return engine
    }

    public func predictions(_ sequences: [[Float]]) -> [Int] {
        let all = logits(sequences)
        let c = model.classCount
        return (0..<sequences.count).map { QuantizedGRU.argmax(all[($0 * c)..<(($0 + 1) * c)]) }
    }
}

/// Settings of quantization-aware fine-tuning.
public struct FineTuningOptions: Sendable, Equatable {
    public var epochs: Int
    /// Adam's step for the weights.
    public var learningRate: Float
    /// Adam's step for the log-ranges of the calibrated operators (0 keeps the ranges fixed).
    public var rangeLearningRate: Float
    public var batchSize: Int
    public var seed: UInt64
    public var clipNorm: Float
    /// Back-propagate through each sequence's last `bptt` steps only, from the state its
    /// earlier steps leave, held constant (`BPTTWindows`); nil for whole sequences.
    public var bptt: Int?

    public init(epochs: Int = 10, learningRate: Float = 1e-3, rangeLearningRate: Float = 1e-2,
                batchSize: Int = 32, seed: UInt64 = 0, clipNorm: Float = 1, bptt: Int? = nil) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.rangeLearningRate = rangeLearningRate
        self.batchSize = batchSize
        self.seed = seed
        self.clipNorm = clipNorm
        self.bptt = bptt
    }
}

/// One epoch of fine-tuning.
public struct FineTuningEpoch: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    /// Fake-quant training accuracy over the epoch.
    public var trainAccuracy: Double
    /// Integer-engine validation accuracy after the epoch.
    public var validationAccuracy: Double
}

/// The outcome: the weights and ranges with the best integer validation accuracy seen
/// (the starting point counts as epoch 0, so fine-tuning never makes validation worse).
public struct FineTuningResult: Sendable {
    public var model: GRUClassifier
    public var calibration: Calibration
    public var startAccuracy: Double
    public var bestAccuracy: Double
    public var bestEpoch: Int
    public var history: [FineTuningEpoch]
    public var interrupted: Bool
}

/// Quantization-aware training of one bit configuration (straight-through estimators).
public enum FineTuning {
    /// Rows per gradient chunk; fixed by the batch, never by the thread count, and summed in
    /// order, so results are identical on any number of cores.
    static let chunkRows = 16

    public static func run(
        model start: GRUClassifier, calibration: Calibration, bits: BitWidths, options: QuantizationOptions,
        train: (sequences: [[Float]], labels: [Int]), validation: (sequences: [[Float]], labels: [Int]),
        settings: FineTuningOptions,
        progress: (_ epoch: Int, _ batch: Int, _ batchCount: Int, _ loss: Double) -> Void = { _, _, _, _ in },
        epochDone: (FineTuningEpoch) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) -> FineTuningResult {
        let f = start.inputSize, h = start.hiddenSize, c = start.classCount
        let layout = start.layout, network = bits.network
        let learned = network.calibrated
        var parameters = start.flatParameters
        var logRanges = learned.map { Foundation.log(calibration.range(id: $0, bits: bits[id: $0])) }
        var weightAdam = Adam(count: parameters.count, learningRate: settings.learningRate)
        var rangeAdam = Adam(count: logRanges.count, learningRate: settings.rangeLearningRate)
        let evaluator = IntegerEvaluator(sequences: validation.sequences, labels: validation.labels, featureCount: f)

        func snapshot(_ p: [Float], _ logs: [Double]) -> (GRUClassifier, Calibration) {
            var m = start
            m.assign(flat: p)
            var cal = calibration
            for (n, id) in learned.enumerated() {
                cal.ranges[network.position(of: id)][bits[id: id] - BitWidths.allowed.lowerBound] = Foundation.exp(logs[n])
            }
            return (m, cal)
        }
        func integerAccuracy(_ m: GRUClassifier, _ cal: Calibration) -> Double {
            validation.sequences.isEmpty ? 0 : evaluator.accuracy(QuantizedGRU(model: m, calibration: cal, bits: bits, options: options))
        }
        let startAccuracy = integerAccuracy(start, calibration)
        var best = (model: start, calibration: calibration, accuracy: startAccuracy, epoch: 0)

        let chunkCount = max(1, (settings.batchSize + chunkRows - 1) / chunkRows)
        let engines = (0..<chunkCount).map { _ in FakeQuantEngine(inputSize: f, hiddenSize: h, classCount: c, layers: start.layerCount, cell: start.cell) }
        var order = Array(train.sequences.indices)
        var shuffler = SeededGenerator(seed: settings.seed, stream: 11)
        let batchCount = (order.count + settings.batchSize - 1) / settings.batchSize
        var history: [FineTuningEpoch] = []
        var interrupted = false

        epochs: for epoch in 1...max(settings.epochs, 1) where settings.epochs > 0 {
            GRUTrainer.fisherYates(&order, using: &shuffler)
            var lossSum = 0.0, correct = 0, seen = 0
            for batchIndex in 0..<batchCount {
                let indices = Array(order[(batchIndex * settings.batchSize)..<min(order.count, (batchIndex + 1) * settings.batchSize)])
                let ranges = network.operators.map { id -> Double in
                    if let n = learned.firstIndex(of: id) { return Foundation.exp(logRanges[n]) }
                    return id == .fc ? 1 : calibration.range(id: id, bits: bits[id: id])
                }
                let chunks = (indices.count + chunkRows - 1) / chunkRows
                let results = ResultSlots(count: chunks)
                let params = parameters
                let work: @Sendable (Int) -> Void = { index in
                    let engine = engines[index]
                    let slice = indices[(index * chunkRows)..<min(indices.count, (index + 1) * chunkRows)]
                    engine.configure(parameters: params, ranges: ranges, bits: bits, options: options, standardization: start.standardization)
                    var gradient = [Float](repeating: 0, count: layout.count)
                    var rangeGradient = [Double](repeating: 0, count: learned.count)
                    let outcome = gradient.withUnsafeMutableBufferPointer { g in
                        engine.run(train.sequences, indices: slice, labels: train.labels, bptt: settings.bptt, lossScale: 1 / Float(indices.count),
                                   gradient: g.baseAddress!, rangeGradient: &rangeGradient)
                    }
                    results.set(index, (gradient, rangeGradient, outcome.loss, outcome.correct))
                }
                let box = UncheckedSendable(work)
                if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks) { box.value($0) } }
                var gradient = [Float](repeating: 0, count: layout.count)
                var rangeGradient = [Double](repeating: 0, count: learned.count)
                for slot in results.values {
                    guard let slot else { continue }
                    for i in gradient.indices { gradient[i] += slot.0[i] }
                    for i in rangeGradient.indices { rangeGradient[i] += slot.1[i] }
                    lossSum += slot.2; correct += slot.3
                }
                seen += indices.count
                clipGlobalNorm(&gradient, maxNorm: settings.clipNorm)
                weightAdam.update(&parameters, gradient: gradient)
                if settings.rangeLearningRate > 0 {
                    var logs = logRanges.map(Float.init)
                    rangeAdam.update(&logs, gradient: rangeGradient.map { Float(max(min($0, 1e3), -1e3)) })
                    logRanges = logs.map(Double.init)
                }
                progress(epoch, batchIndex + 1, batchCount, lossSum / Double(max(seen, 1)))
                if shouldStop() { interrupted = true; break }
            }
            let (m, cal) = snapshot(parameters, logRanges)
            let accuracy = integerAccuracy(m, cal)
            let summary = FineTuningEpoch(epoch: epoch, trainLoss: lossSum / Double(max(seen, 1)),
                                          trainAccuracy: Double(correct) / Double(max(seen, 1)), validationAccuracy: accuracy)
            history.append(summary)
            epochDone(summary)
            if accuracy > best.accuracy { best = (m, cal, accuracy, epoch) }
            if interrupted { break epochs }
        }
        return FineTuningResult(model: best.model, calibration: best.calibration, startAccuracy: startAccuracy,
                                bestAccuracy: best.accuracy, bestEpoch: best.epoch, history: history, interrupted: interrupted)
    }
}

/// One result per chunk, written by concurrent workers into their own slots.
final class ResultSlots: @unchecked Sendable {
    // @unchecked: each worker writes only slot `index`; reads happen after the parallel section.
    typealias Slot = ([Float], [Double], Double, Int)
    private let slots: UnsafeMutablePointer<Slot?>
    let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: max(count, 1))
    }
    deinit { slots.deinitialize(count: max(count, 1)); slots.deallocate() }
    func set(_ index: Int, _ value: Slot) { slots[index] = value }
    var values: [Slot?] { (0..<count).map { slots[$0] } }
}
