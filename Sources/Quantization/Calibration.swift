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
    /// `ranges[op.rawValue][bits − 2]`; 1 for operators with a fixed range (σ, tanh, 1 − z) and `fc`.
    public var ranges: [[Double]]

    public init(method: QuantizationOptions.RangeMethod, sequenceCount: Int, ranges: [[Double]]) {
        precondition(ranges.count == GRUOperator.allCases.count && ranges.allSatisfy { $0.count == BitWidths.allowed.count },
                     "Calibration: one range per operator and width")
        self.method = method
        self.sequenceCount = sequenceCount
        self.ranges = ranges
    }

    /// The clipping range of an operator's output at `bits`.
    public func range(_ op: GRUOperator, bits: Int) -> Double {
        ranges[op.rawValue][bits - BitWidths.allowed.lowerBound]
    }

    /// Bins of the magnitude histograms that percentile and MSE ranges are read from.
    static let histogramBins = 4096

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
    /// steps from the calling thread; nil when it asked to stop.
    public static func calibrate(model: GRUClassifier, trainingSequences: [[Float]], options: QuantizationOptions,
                                 progress: (Double) -> Void, shouldStop: () -> Bool) -> Calibration? {
        let chosen = subset(of: options.calibrationSize, from: trainingSequences.count, seed: options.calibrationSeed)
        return calibrate(model: model, sequences: chosen.map { trainingSequences[$0] }, method: options.range,
                         progress: progress, shouldStop: shouldStop)
    }

    /// Calibrates `model` on exactly these sequences.
    public static func calibrate(model: GRUClassifier, sequences: [[Float]], method: QuantizationOptions.RangeMethod) -> Calibration {
        whole(calibrate(model: model, sequences: sequences, method: method, progress: { _ in }, shouldStop: { false }))
    }

    private static func whole(_ calibration: Calibration?) -> Calibration {
        guard let calibration else { preconditionFailure("Calibration: stopped although nothing asked it to") }
        return calibration
    }

    /// The operators whose ranges come from calibration.
    static let calibrated = GRUOperator.calibrated

    /// Calibrates on exactly these sequences; nil when `shouldStop` asked to stop.
    ///
    /// One float pass finds every operator's max-abs; percentile and MSE ranges take a
    /// second, which counts magnitudes into histograms whose bins that max-abs sets. The
    /// sequences run in parallel, each on its own thread's tallies; maxima and counts
    /// merge exactly in any order, so the ranges are the same at any thread count.
    public static func calibrate(model: GRUClassifier, sequences: [[Float]], method: QuantizationOptions.RangeMethod,
                                 progress: (Double) -> Void, shouldStop: () -> Bool) -> Calibration? {
        let opCount = GRUOperator.allCases.count
        let weights = FloatReference.Weights(model)
        let lengths = sequences.map { $0.count / model.inputSize }
        let passes = method == .maxAbs ? 1 : 2
        let totalSteps = Double(max(lengths.reduce(0, +) * passes, 1))
        var done = 0
        // Tallies are kept per worker; any count gives the same ranges.
        let workerCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, sequences.count))

        /// Runs every sequence through the float model, handing each step to `tally(worker, stepper)`.
        func pass(_ tally: @escaping (Int, FloatReference.Stepper) -> Void) -> Bool {
            let steppers = sequences.map { _ in FloatReference.Stepper(weights) }
            // A round advances every sequence by `stride` steps: short enough to report
            // progress and answer Ctrl-C a few times a second, long enough to keep threads busy.
            let stride = max(64, (1 << 16) / max(sequences.count, 1))
            var position = 0
            while position < (lengths.max() ?? 0) {
                if shouldStop() { return false }
                let start = position, end = position + stride
                let work = UncheckedSendable({ (worker: Int) in
                    for i in Swift.stride(from: worker, to: sequences.count, by: workerCount) where lengths[i] > start {
                        sequences[i].withUnsafeBufferPointer { sequence in
                            for t in start..<min(end, lengths[i]) {
                                steppers[i].step(sequence, at: t)
                                tally(worker, steppers[i])
                            }
                        }
                    }
                })
                if workerCount == 1 { work.value(0) } else { DispatchQueue.concurrentPerform(iterations: workerCount) { work.value($0) } }
                done += lengths.reduce(0) { $0 + max(0, min(end, $1) - start) }
                progress(Double(done) / totalSteps)
                position = end
            }
            return true
        }

        // Per worker, per operator; each worker writes only its own row.
        let maxima = UnsafeMutableBufferPointer<Double>.allocate(capacity: workerCount * opCount)
        maxima.initialize(repeating: 0)
        defer { maxima.deallocate() }
        let maximaBox = UncheckedSendable(maxima)
        let finished = pass { worker, stepper in
            let row = maximaBox.value.baseAddress! + worker * opCount
            for op in calibrated {
                var m = row[op.rawValue]
                for v in stepper.output(op) { m = max(m, abs(v)) }
                row[op.rawValue] = m
            }
        }
        guard finished else { return nil }
        var maxAbs = [Double](repeating: 0, count: opCount)
        for worker in 0..<workerCount {
            for op in 0..<opCount { maxAbs[op] = max(maxAbs[op], maxima[worker * opCount + op]) }
        }
        for i in maxAbs.indices where !(maxAbs[i] > 0) || !maxAbs[i].isFinite { maxAbs[i] = 1 }

        var histograms: [[Double]] = []
        if method != .maxAbs {
            let bins = histogramBins
            // Each worker counts into `lanes` interleaved copies of every histogram: neighbouring
            // values mostly share a bin, and one counter bumped again and again would make
            // every increment wait for the last.
            let lanes = 4
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: workerCount * opCount * lanes * bins)
            counts.initialize(repeating: 0)
            defer { counts.deallocate() }
            let binOf = UnsafeMutableBufferPointer<Int>.allocate(capacity: workerCount * (model.hiddenSize + model.inputSize))
            defer { binOf.deallocate() }
            let box = UncheckedSendable((counts, binOf))
            let binWidths = maxAbs.map { $0 / Double(bins) }
            let finished = pass { worker, stepper in
                let scratch = box.value.1.baseAddress! + worker * (model.hiddenSize + model.inputSize)
                for op in calibrated {
                    let histogram = box.value.0.baseAddress! + (worker * opCount + op.rawValue) * lanes * bins
                    let width = binWidths[op.rawValue]
                    let values = stepper.output(op)
                    for (j, v) in values.enumerated() {
                        // Written so that a NaN lands in the top bin instead of trapping.
                        let q = abs(v) / width
                        scratch[j] = q < Double(bins - 1) ? Int(q) : bins - 1
                    }
                    for j in 0..<values.count { histogram[(j % lanes) * bins + scratch[j]] += 1 }
                }
            }
            guard finished else { return nil }
            histograms = [[Double]](repeating: [Double](repeating: 0, count: bins), count: opCount)
            for op in 0..<opCount {
                for bin in 0..<bins {
                    var total = 0
                    for worker in 0..<workerCount {
                        for lane in 0..<lanes { total += counts[((worker * opCount + op) * lanes + lane) * bins + bin] }
                    }
                    histograms[op][bin] = Double(total)
                }
            }
        }
        let widths = Array(BitWidths.allowed)
        var ranges = [[Double]](repeating: [Double](repeating: 1, count: widths.count), count: opCount)
        for op in calibrated {
            let top = maxAbs[op.rawValue]
            switch method {
            case .maxAbs:
                ranges[op.rawValue] = widths.map { _ in top }
            case .percentile(let p):
                let r = percentileRange(histograms[op.rawValue], top: top, percentile: p)
                ranges[op.rawValue] = widths.map { _ in r }
            case .mse:
                ranges[op.rawValue] = widths.map { mseRange(histograms[op.rawValue], top: top, bits: $0) }
            }
        }
        return Calibration(method: method, sequenceCount: sequences.count, ranges: ranges)
    }

    /// The upper edge of the bin where the cumulative count first reaches `percentile` % of all.
    static func percentileRange(_ histogram: [Double], top: Double, percentile: Double) -> Double {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return top }
        let target = total * min(max(percentile, 0), 100) / 100
        var cumulative = 0.0
        for (bin, count) in histogram.enumerated() {
            cumulative += count
            if cumulative >= target {
                return max(top * Double(bin + 1) / Double(histogram.count), top / Double(histogram.count))
            }
        }
        return top
    }

    /// The range among `top · i/128` (i = 1…128) with the least squared error of symmetric
    /// `bits`-bit quantization over the histogram (bin centres); ties go to the wider range.
    static func mseRange(_ histogram: [Double], top: Double, bits: Int) -> Double {
        let qmax = Double((1 << (bits - 1)) - 1)
        let binWidth = top / Double(histogram.count)
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
