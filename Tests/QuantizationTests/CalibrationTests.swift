import Foundation
import GRU
import Quantization
import Testing

/// Calibration as it was written before it was made fast (one allocating step at a time, a
/// second pass for histograms, one thread): the yardstick the fast one must equal bit for bit.
enum PlainCalibration {
    static func run(model: GRUClassifier, sequence: [Float], visit: (Int, [[Double]]) -> Void) -> [Double] {
        let f = model.inputSize, h = model.hiddenSize
        let steps = sequence.count / f
        var state = [Double](repeating: 0, count: h)
        let wih = model.weightIH.map(Double.init), whh = model.weightHH.map(Double.init)
        let bih = model.biasIH.map(Double.init), bhh = model.biasHH.map(Double.init)
        var x = [Double](repeating: 0, count: f)
        func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        for t in 0..<steps {
            for k in 0..<f {
                if let s = model.standardization {
                    x[k] = Double((sequence[t * f + k] - s.mean[k]) / s.scale[k])
                } else {
                    x[k] = Double(sequence[t * f + k])
                }
            }
            func project(_ block: Int, _ w: [Double], _ b: [Double], _ v: [Double], _ width: Int) -> [Double] {
                (0..<h).map { j in
                    let row = block * h + j
                    var sum = b[row]
                    for k in 0..<width { sum += w[row * width + k] * v[k] }
                    return sum
                }
            }
            let rwx = project(0, wih, bih, x, f), rwh = project(0, whh, bhh, state, h)
            let zwx = project(1, wih, bih, x, f), zwh = project(1, whh, bhh, state, h)
            let nwx = project(2, wih, bih, x, f), nwh = project(2, whh, bhh, state, h)
            let radd = zip(rwx, rwh).map(+), zadd = zip(zwx, zwh).map(+)
            let r = radd.map(sigmoid), z = zadd.map(sigmoid)
            let nmul = zip(r, nwh).map(*)
            let nadd = zip(nwx, nmul).map(+)
            let n = nadd.map { Foundation.tanh($0) }
            let hsub = z.map { 1 - $0 }
            let hmn = zip(hsub, n).map(*)
            let hmh = zip(z, state).map(*)
            let hadd = zip(hmn, hmh).map(+)
            var values = [[Double]](repeating: [], count: GRUOperator.allCases.count)
            for (op, v) in [(GRUOperator.input, x), (.rWx, rwx), (.rWh, rwh), (.zWx, zwx), (.zWh, zwh), (.nWx, nwx), (.nWh, nwh),
                            (.rAdd, radd), (.zAdd, zadd), (.nAdd, nadd), (.hSub, hsub), (.hAdd, hadd), (.nMul, nmul),
                            (.hMulN, hmn), (.hMulH, hmh), (.gateR, r), (.gateZ, z), (.gateN, n)] {
                values[op.rawValue] = v
            }
            visit(t, values)
            state = hadd
        }
        return (0..<model.classCount).map { c in
            var sum = Double(model.fcBias[c])
            for k in 0..<h { sum += Double(model.fcWeight[c * h + k]) * state[k] }
            return sum
        }
    }

    static func ranges(model: GRUClassifier, sequences: [[Float]], method: QuantizationOptions.RangeMethod) -> [[Double]] {
        let bins = 4096
        let opCount = GRUOperator.allCases.count
        let calibrated = GRUOperator.allCases.filter { !$0.hasFixedRange && $0 != .fc }
        var maxAbs = [Double](repeating: 0, count: opCount)
        for sequence in sequences {
            _ = run(model: model, sequence: sequence) { _, values in
                for op in calibrated { for v in values[op.rawValue] { maxAbs[op.rawValue] = max(maxAbs[op.rawValue], abs(v)) } }
            }
        }
        for i in maxAbs.indices where !(maxAbs[i] > 0) || !maxAbs[i].isFinite { maxAbs[i] = 1 }
        var histograms = [[Double]](repeating: [Double](repeating: 0, count: bins), count: opCount)
        for sequence in sequences {
            _ = run(model: model, sequence: sequence) { _, values in
                for op in calibrated {
                    let width = maxAbs[op.rawValue] / Double(bins)
                    for v in values[op.rawValue] { histograms[op.rawValue][min(bins - 1, Int(abs(v) / width))] += 1 }
                }
            }
        }
        let widths = Array(BitWidths.allowed)
        var ranges = [[Double]](repeating: [Double](repeating: 1, count: widths.count), count: opCount)
        for op in calibrated {
            let top = maxAbs[op.rawValue], histogram = histograms[op.rawValue]
            switch method {
            case .maxAbs:
                ranges[op.rawValue] = widths.map { _ in top }
            case .percentile(let p):
                let total = histogram.reduce(0, +)
                let target = total * min(max(p, 0), 100) / 100
                var cumulative = 0.0, r = top
                for (bin, count) in histogram.enumerated() {
                    cumulative += count
                    if cumulative >= target { r = max(top * Double(bin + 1) / Double(bins), top / Double(bins)); break }
                }
                ranges[op.rawValue] = widths.map { _ in r }
            case .mse:
                ranges[op.rawValue] = widths.map { bits in
                    let qmax = Double((1 << (bits - 1)) - 1), binWidth = top / Double(bins)
                    var best = top, bestError = Double.infinity
                    for i in stride(from: 128, through: 1, by: -1) {
                        let r = top * Double(i) / 128, scale = r / qmax
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
        }
        return ranges
    }
}

@Suite("Calibration: one fast float pass per range statistic, the same ranges as the plain one")
struct CalibrationTests {
    /// A small standardised model and sequences of mixed lengths; with 300 of them a round
    /// covers 218 steps, so the longer ones cross several rounds.
    static let model: GRUClassifier = {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 20, classCount: 4, seed: 11)
        model.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
        return model
    }()
    static let sequences = randomSequences(count: 300, features: 3, lengths: 1...700, seed: 5)

    @Test("max-abs, percentile and MSE ranges equal those of the plain two-pass calibration bit for bit",
          arguments: [QuantizationOptions.RangeMethod.maxAbs, .percentile(99.9), .mse])
    func rangesUnchanged(method: QuantizationOptions.RangeMethod) {
        let fast = Calibration.calibrate(model: Self.model, sequences: Self.sequences, method: method)
        #expect(fast.ranges == PlainCalibration.ranges(model: Self.model, sequences: Self.sequences, method: method))
    }

    @Test("the float reference shows every operator's values and the logits of the plain step, bit for bit")
    func referenceUnchanged() {
        for sequence in Self.sequences.prefix(5) {
            var plain: [[[Double]]] = [], fast: [[[Double]]] = []
            let plainLogits = PlainCalibration.run(model: Self.model, sequence: sequence) { _, v in plain.append(v) }
            let fastLogits = FloatReference.run(model: Self.model, sequence: sequence) { _, v in fast.append(v) }
            #expect(fast == plain)
            #expect(fastLogits == plainLogits)
        }
    }

    @Test("progress rises to 1 over both passes and a stop request ends calibration without ranges")
    func progressAndStop() {
        var fractions: [Double] = []
        let whole = Calibration.calibrate(model: Self.model, sequences: Self.sequences, method: .mse,
                                          progress: { fractions.append($0) }, shouldStop: { false })
        #expect(whole != nil)
        #expect(fractions.count > 2 && fractions == fractions.sorted() && fractions.last == 1)
        var polls = 0
        let stopped = Calibration.calibrate(model: Self.model, sequences: Self.sequences, method: .mse,
                                            progress: { _ in }, shouldStop: { polls += 1; return polls > 2 })
        #expect(stopped == nil)
    }
}
