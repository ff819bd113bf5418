import Foundation
import GRU
import Quantization
import Testing

/// Calibration written plainly: the double-precision cell one allocating step at a time (the
/// yardstick of `FloatReference`), and ranges computed from every operator value at once
/// (the yardstick of the one-pass, multi-threaded calibration).
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

    /// Max-abs ranges of the double-precision reference.
    static func referenceMaxAbs(model: GRUClassifier, sequences: [[Float]]) -> [Double] {
        var maxAbs = [Double](repeating: 0, count: GRUOperator.allCases.count)
        for sequence in sequences {
            _ = run(model: model, sequence: sequence) { _, values in
                for op in GRUOperator.calibrated { for v in values[op.rawValue] { maxAbs[op.rawValue] = max(maxAbs[op.rawValue], abs(v)) } }
            }
        }
        return maxAbs
    }

    /// Every calibrated operator's float32 outputs from the training engine, all sequences in one batch.
    static func engineValues(model: GRUClassifier, sequences: [[Float]]) -> [[Float]] {
        var values = [[Float]](repeating: [], count: GRUOperator.allCases.count)
        let run = ObservedRun(model: model, sequences: sequences, indices: sequences.indices)
        while !run.isFinished {
            run.advance(1000) { step in
                let h = step.hidden, g = 3 * h
                for row in 0..<step.rows {
                    let gx = step.inputGates + row * g, gh = step.hiddenGates + row * g, gate = step.gates + row * g
                    func add(_ op: GRUOperator, _ v: Float) { values[op.rawValue].append(v) }
                    for k in 0..<step.features { add(.input, step.input[row * step.features + k]) }
                    for j in 0..<h {
                        let r = gate[j], z = gate[h + j], n = gate[2 * h + j]
                        add(.rWx, gx[j]); add(.zWx, gx[h + j]); add(.nWx, gx[2 * h + j])
                        add(.rWh, gh[j]); add(.zWh, gh[h + j]); add(.nWh, gh[2 * h + j])
                        add(.rAdd, gx[j] + gh[j]); add(.zAdd, gx[h + j] + gh[h + j])
                        let nmul = r * gh[2 * h + j]
                        add(.nMul, nmul); add(.nAdd, gx[2 * h + j] + nmul)
                        let hmn = (1 - z) * n, hmh = z * step.previous[row * h + j]
                        add(.hMulN, hmn); add(.hMulH, hmh); add(.hAdd, hmn + hmh)
                    }
                }
            }
        }
        return values
    }

    /// The ranges docs/quantization.md defines, computed plainly from every value at once.
    static func ranges(model: GRUClassifier, sequences: [[Float]], method: QuantizationOptions.RangeMethod) -> [[Double]] {
        let bins = 4096
        let values = engineValues(model: model, sequences: sequences)
        let widths = Array(BitWidths.allowed)
        var ranges = [[Double]](repeating: [Double](repeating: 1, count: widths.count), count: GRUOperator.allCases.count)
        for op in GRUOperator.calibrated {
            let magnitudes = values[op.rawValue].map { Double(abs($0)) }
            let largest = magnitudes.max() ?? 0
            let top = largest > 0 ? largest : 1
            // The histogram's range is the least power of two above every value.
            let e = largest > 0 ? Int(largest.exponent) + 1 : -100
            let binWidth = Double(sign: .plus, exponent: e - 12, significand: 1)
            var histogram = [Double](repeating: 0, count: bins)
            for m in magnitudes { histogram[Int((m / binWidth).rounded(.down))] += 1 }
            switch method {
            case .maxAbs:
                ranges[op.rawValue] = widths.map { _ in top }
            case .percentile(let p):
                let total = histogram.reduce(0, +)
                let target = total * min(max(p, 0), 100) / 100
                var cumulative = 0.0, r = top
                for (bin, count) in histogram.enumerated() {
                    cumulative += count
                    if cumulative >= target { r = min(top, max(binWidth * Double(bin + 1), top / Double(bins))); break }
                }
                ranges[op.rawValue] = widths.map { _ in r }
            case .mse:
                ranges[op.rawValue] = widths.map { bits in
                    let qmax = Double((1 << (bits - 1)) - 1)
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

@Suite("Calibration: one pass of the float engine, the ranges a plain computation over every value gives")
struct CalibrationTests {
    /// A small standardised model and sequences of mixed lengths; with 300 of them a round
    /// covers 218 steps, so the longer ones cross several rounds.
    static let model: GRUClassifier = {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 20, classCount: 4, seed: 11)
        model.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
        return model
    }()
    static let sequences = randomSequences(count: 300, features: 3, lengths: 1...700, seed: 5)

    @Test("max-abs, percentile and MSE ranges equal those computed plainly from every value, at 1, 2 and 3 threads",
          arguments: [QuantizationOptions.RangeMethod.maxAbs, .percentile(99.9), .mse])
    func rangesUnchanged(method: QuantizationOptions.RangeMethod) {
        let plain = PlainCalibration.ranges(model: Self.model, sequences: Self.sequences, method: method)
        for threads in 1...3 {
            let fast = Calibration.calibrate(model: Self.model, sequences: Self.sequences, method: method, threads: threads,
                                             progress: { _ in }, shouldStop: { false })
            #expect(fast?.ranges == plain, "\(threads) threads")
        }
    }

    @Test("a stack is calibrated layer by layer: its first layer's ranges are the single layer's, the second's its own, at any thread count",
          arguments: [QuantizationOptions.RangeMethod.maxAbs, .mse])
    func stackedLayers(method: QuantizationOptions.RangeMethod) throws {
        var stack = GRUClassifier(inputSize: 3, hiddenSize: 20, classCount: 4, layers: 2, seed: 12)
        stack.standardization = Self.model.standardization
        let single = try #require(GRUClassifier(inputSize: 3, hiddenSize: 20, classCount: 4, layers: [stack.layers[0]],
                                                fcWeight: stack.fcWeight, fcBias: stack.fcBias, standardization: stack.standardization))
        // All 300 sequences: a round covers 218 steps, so the longer ones carry every layer's state across rounds.
        let sequences = Self.sequences
        let one = Calibration.calibrate(model: single, sequences: sequences, method: method)
        let runs = [1, 3].compactMap { Calibration.calibrate(model: stack, sequences: sequences, method: method, threads: $0,
                                                             progress: { _ in }, shouldStop: { false }) }
        #expect(runs.count == 2 && runs[0] == runs[1])
        let two = runs[0], network = two.network
        #expect(network.layers == 2 && two.ranges.count == 36)
        for id in NetworkDescription.singleGRU.operators {
            #expect(two.range(id: id, bits: 8) == one.range(id: id, bits: 8), "\(NetworkDescription.singleGRU.name(of: id))")
        }
        for op in GRUOperator.genome where !op.hasFixedRange {
            let range = two.range(id: .cell(op.rawValue, layer: 1), bits: 8)
            #expect(range > 0 && range.isFinite, "l1.\(op.name)")
            #expect(range != two.range(id: .cell(op.rawValue, layer: 0), bits: 8), "l1.\(op.name) is measured on its own outputs")
        }
        // The second layer's state is a GRU's: inside (−1, 1).
        #expect(two.range(id: .cell(GRUOperator.hAdd.rawValue, layer: 1), bits: 8) <= 1)
    }

    @Test("calibration's float32 engine finds the double-precision reference's max-abs to float rounding")
    func maxAbsMatchesReference() {
        let reference = PlainCalibration.referenceMaxAbs(model: Self.model, sequences: Self.sequences)
        let calibration = Calibration.calibrate(model: Self.model, sequences: Self.sequences, method: .maxAbs)
        for op in GRUOperator.calibrated {
            let found = calibration.range(op, bits: 8), expected = reference[op.rawValue]
            #expect(abs(found - expected) <= 1e-5 * expected, "\(op): \(found) against \(expected)")
        }
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

    @Test("progress rises to 1 and a stop request ends calibration without ranges")
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
