import Dispatch
import Foundation
import GRU
import Kernels
import Randomness

/// Activation clipping ranges of one float model, for every calibrated operator and width.
///
/// Calibration runs the float model over a seeded subset of the training split and records
/// each operator's output. A range R gives the scale R / (2^(b−1) − 1) at b bits. Max-abs and
/// percentile ranges do not depend on b; MSE ranges are chosen per width. Built once per model
/// and options, then shared by every bit configuration (the search evaluates thousands).
public struct Calibration: Sendable, Codable, Equatable {
    /// How the ranges were chosen.
    public var method: QuantizationOptions.RangeMethod
    /// Sequences it saw.
    public var sequenceCount: Int
    /// `ranges[position][bits − 2]`, rows in `network.operators` order (for one GRU layer,
    /// `GRUOperator`'s); 1 for operators with a fixed range (σ, tanh, 1 − z) and `fc`.
    public var ranges: [[Double]]

    public init(method: QuantizationOptions.RangeMethod, sequenceCount: Int, ranges: [[Double]]) {
        precondition(Self.network(rows: ranges.count) != nil && ranges.allSatisfy { $0.count == BitWidths.allowed.count },
                     "Calibration: one range per operator and width")
        self.method = method
        self.sequenceCount = sequenceCount
        self.ranges = ranges
    }

    /// The network with one row per operator, nil when no cell and number of layers gives
    /// `rows`. The row counts of the cells' networks never coincide (a GRU's 17 operators a
    /// layer give 19, 36, 53, 70 rows; an LSTM's 21 give 23, 44, 65, 86), so the rows say
    /// which network they are, in files written before LSTMs as since.
    static func network(rows: Int) -> NetworkDescription? {
        for cell in CellKind.allCases {
            let perLayer = cell.description.operators.count
            let layers = (rows - 2) / perLayer
            if rows > 2, (rows - 2) % perLayer == 0, NetworkDescription.allowedLayers.contains(layers) {
                return NetworkDescription(cell: cell, layers: layers)
            }
        }
        return nil
    }

    /// The network whose operators the rows are.
    public var network: NetworkDescription { Self.network(rows: ranges.count) ?? .singleGRU }

    /// The clipping range of a first-layer operator's (or the input's) output at `bits`.
    public func range(_ op: GRUOperator, bits: Int) -> Double {
        range(id: OperatorID(op), bits: bits)
    }

    /// The clipping range of any operator of the network at `bits`.
    public func range(id: OperatorID, bits: Int) -> Double {
        ranges[network.position(of: id)][bits - BitWidths.allowed.lowerBound]
    }

    /// Bins of the magnitude histograms that percentile and MSE ranges are read from.
    static let histogramBins = OperatorTally.bins

    /// The calibration subset: `count` sequences of `pool`, chosen by a seeded shuffle (all of them when fewer).
    public static func subset(of count: Int, from poolSize: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<poolSize)
        var generator = SeededGenerator(seed: seed, stream: 7)
        GRUTrainer.fisherYates(&order, using: &generator)
        return Array(order.prefix(max(0, min(count, poolSize))))
    }

    /// Calibrates `model` on `options.calibrationSize` sequences of `trainingSequences`.
    public static func calibrate(model: GRUClassifier, trainingSequences: [[Float]], options: QuantizationOptions) -> Calibration {
        whole(calibrate(model: model, trainingSequences: trainingSequences, options: options, progress: { _ in }, shouldStop: { false }))
    }

    /// As above, reporting the fraction done (0 … 1) and polling `shouldStop` every few thousand
    /// steps from the calling thread; nil when it asked to stop. Unless `options.refine` is
    /// `off`, the ranges are then refined on the same sequences (`RangeRefinement`).
    public static func calibrate(model: GRUClassifier, trainingSequences: [[Float]], options: QuantizationOptions,
                                 progress: (Double) -> Void, shouldStop: () -> Bool) -> Calibration? {
        let chosen = subset(of: options.calibrationSize, from: trainingSequences.count, seed: options.calibrationSeed)
        let sequences = chosen.map { trainingSequences[$0] }
        let refining = options.refine != .off
        guard let measured = calibrate(model: model, sequences: sequences, method: options.range,
                                       progress: { progress(refining ? $0 / 2 : $0) }, shouldStop: shouldStop)
        else { return nil }
        guard refining else { return measured }
        return RangeRefinement.refine(measured, model: model, sequences: sequences, options: options,
                                      progress: { progress(0.5 + $0 / 2) }, shouldStop: shouldStop)
    }

    /// Calibrates `model` on exactly these sequences.
    public static func calibrate(model: GRUClassifier, sequences: [[Float]], method: QuantizationOptions.RangeMethod) -> Calibration {
        whole(calibrate(model: model, sequences: sequences, method: method, progress: { _ in }, shouldStop: { false }))
    }

    private static func whole(_ calibration: Calibration?) -> Calibration {
        guard let calibration else { preconditionFailure("Calibration: stopped although nothing asked it to") }
        return calibration
    }

    /// Calibrates on exactly these sequences; nil when `shouldStop` asked to stop.
    ///
    /// One pass of the float engine that training uses, batched over the sequences, tallies
    /// every operator's outputs: maxima, and for percentile and MSE ranges magnitude
    /// histograms whose range grows with the values (`OperatorTally`). The sequences are
    /// shared among `threads` workers (the active processors when nil); maxima and counts
    /// merge exactly, so the ranges are the same at any thread count.
    public static func calibrate(model: GRUClassifier, sequences: [[Float]], method: QuantizationOptions.RangeMethod,
                                 threads: Int? = nil,
                                 progress: (Double) -> Void, shouldStop: () -> Bool) -> Calibration? {
        let workerCount = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, sequences.count))
        let runs = (0..<workerCount).map {
            ObservedRun(model: model, sequences: sequences, indices: Array(Swift.stride(from: $0, to: sequences.count, by: workerCount)))
        }
        let network = model.network
        let tallies = runs.map { _ in OperatorTally(histograms: method != .maxAbs, network: network) }
        let totalSteps = Double(max(sequences.reduce(0) { $0 + $1.count / model.inputSize }, 1))
        // A round advances every sequence by `stride` steps: short enough to report progress
        // and answer Ctrl-C a few times a second, long enough to keep the products wide.
        let stride = max(64, (1 << 16) / max(sequences.count, 1))
        var done = 0
        let stepsRun = UnsafeMutableBufferPointer<Int>.allocate(capacity: workerCount)
        defer { stepsRun.deallocate() }
        while runs.contains(where: { !$0.isFinished }) {
            if shouldStop() { return nil }
            let work = UncheckedSendable({ (worker: Int) in
                stepsRun[worker] = runs[worker].advance(stride) { tallies[worker].add($0) }
            })
            if workerCount == 1 { work.value(0) } else { DispatchQueue.concurrentPerform(iterations: workerCount) { work.value($0) } }
            done += stepsRun.reduce(0, +)
            progress(Double(done) / totalSteps)
        }

        let widths = Array(BitWidths.allowed)
        var ranges = [[Double]](repeating: [Double](repeating: 1, count: widths.count), count: network.operators.count)
        for id in network.calibrated {
            let op = network.position(of: id)
            let largest = Double(OperatorTally.maxAbs(op, of: tallies))
            let top = largest > 0 && largest.isFinite ? largest : 1
            switch method {
            case .maxAbs:
                ranges[op] = widths.map { _ in top }
            case .percentile(let p):
                let (histogram, binWidth) = OperatorTally.histogram(op, of: tallies)
                let r = percentileRange(histogram, binWidth: binWidth, top: top, percentile: p)
                ranges[op] = widths.map { _ in r }
            case .mse:
                let (histogram, binWidth) = OperatorTally.histogram(op, of: tallies)
                ranges[op] = widths.map { mseRange(histogram, binWidth: binWidth, top: top, bits: $0) }
            }
        }
        return Calibration(method: method, sequenceCount: sequences.count, ranges: ranges)
    }

    /// The upper edge of the bin where the cumulative count first reaches `percentile` % of
    /// all, at most `top` and at least `top` / 4096.
    static func percentileRange(_ histogram: [Double], binWidth: Double, top: Double, percentile: Double) -> Double {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return top }
        let target = total * min(max(percentile, 0), 100) / 100
        var cumulative = 0.0
        for (bin, count) in histogram.enumerated() {
            cumulative += count
            if cumulative >= target {
                return min(top, max(binWidth * Double(bin + 1), top / Double(histogramBins)))
            }
        }
        return top
    }

    /// The range among `top · i/128` (i = 1…128) with the least squared error of symmetric
    /// `bits`-bit quantization over the histogram (bin centres); ties go to the wider range.
    static func mseRange(_ histogram: [Double], binWidth: Double, top: Double, bits: Int) -> Double {
        let qmax = Double((1 << (bits - 1)) - 1)
        let filled = histogram.indices.filter { histogram[$0] > 0 }
        var best = top, bestError = Double.infinity
        for i in stride(from: 128, through: 1, by: -1) {
            let r = top * Double(i) / 128
            let scale = r / qmax
            var error = 0.0
            for bin in filled {
                let count = histogram[bin]
                let v = (Double(bin) + 0.5) * binWidth
                let q = min((v / scale).rounded(), qmax) * scale
                error += count * (v - q) * (v - q)
            }
            if error < bestError { bestError = error; best = r }
        }
        return best
    }
}
