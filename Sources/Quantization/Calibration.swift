import Foundation
import GRU
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
        let chosen = subset(of: options.calibrationSize, from: trainingSequences.count, seed: options.calibrationSeed)
        return calibrate(model: model, sequences: chosen.map { trainingSequences[$0] }, method: options.range)
    }

    /// Calibrates `model` on exactly these sequences.
    public static func calibrate(model: GRUClassifier, sequences: [[Float]], method: QuantizationOptions.RangeMethod) -> Calibration {
        let opCount = GRUOperator.allCases.count
        let calibrated = GRUOperator.allCases.filter { !$0.hasFixedRange && $0 != .fc }
        var maxAbs = [Double](repeating: 0, count: opCount)
        for sequence in sequences {
            FloatReference.run(model: model, sequence: sequence) { _, values in
                for op in calibrated {
                    for v in values[op.rawValue] { maxAbs[op.rawValue] = max(maxAbs[op.rawValue], abs(v)) }
                }
            }
        }
        for i in maxAbs.indices where !(maxAbs[i] > 0) || !maxAbs[i].isFinite { maxAbs[i] = 1 }
        var histograms: [[Double]] = []
        if method != .maxAbs {
            histograms = [[Double]](repeating: [Double](repeating: 0, count: histogramBins), count: opCount)
            for sequence in sequences {
                FloatReference.run(model: model, sequence: sequence) { _, values in
                    for op in calibrated {
                        let width = maxAbs[op.rawValue] / Double(histogramBins)
                        for v in values[op.rawValue] {
                            let bin = min(histogramBins - 1, Int(abs(v) / width))
                            histograms[op.rawValue][bin] += 1
                        }
                    }
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
        var best = top, bestError = Double.infinity
        for i in stride(from: 128, through: 1, by: -1) {
            let r = top * Double(i) / 128
            let scale = r / qmax
            var error = 0.0
            for (bin, count) in histogram.enumerated() where count > 0 {
                let v = (Double(bin) + 0.5) * binWidth
                let q = min((v / scale).rounded(), qmax) * scale
                error += count * (v - q) * (v - q)
            }
            if error < bestError { bestError = error; best = r }
        }
        return best
    }
}
