import Foundation
import GRU

/// An independent, deliberately plain Double-precision GRU: one sequence at a time,
/// scalar loops, libm activations. The reference the batched SIMD engine is held to.
struct NaiveGRU {
    var f: Int, h: Int, c: Int
    var wih: [Double], whh: [Double], bih: [Double], bhh: [Double], fcw: [Double], fcb: [Double]
    var mean: [Double]?, scale: [Double]?

    init(_ m: GRUClassifier) {
        f = m.inputSize; h = m.hiddenSize; c = m.classCount
        wih = m.weightIH.map(Double.init); whh = m.weightHH.map(Double.init)
        bih = m.biasIH.map(Double.init); bhh = m.biasHH.map(Double.init)
        fcw = m.fcWeight.map(Double.init); fcb = m.fcBias.map(Double.init)
        mean = m.standardization?.mean.map(Double.init)
        scale = m.standardization?.scale.map(Double.init)
    }

    /// Parameters in the order weightIH, weightHH, biasIH, biasHH, fcWeight, fcBias.
    var tensors: [[Double]] {
        get { [wih, whh, bih, bhh, fcw, fcb] }
        set { wih = newValue[0]; whh = newValue[1]; bih = newValue[2]; bhh = newValue[3]; fcw = newValue[4]; fcb = newValue[5] }
    }

    func logits(_ sequence: [Float]) -> [Double] {
        func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        var state = [Double](repeating: 0, count: h)
        for t in 0..<(sequence.count / f) {
            var x = (0..<f).map { Double(sequence[t * f + $0]) }
            if let mean, let scale { x = (0..<f).map { (x[$0] - mean[$0]) / scale[$0] } }
            var next = state
            for j in 0..<h {
                func dot(_ w: [Double], _ row: Int, _ v: [Double]) -> Double {
                    var s = 0.0
                    for k in 0..<v.count { s += w[row * v.count + k] * v[k] }
                    return s
                }
                let r = sigmoid(dot(wih, j, x) + bih[j] + dot(whh, j, state) + bhh[j])
                let z = sigmoid(dot(wih, h + j, x) + bih[h + j] + dot(whh, h + j, state) + bhh[h + j])
                let n = Foundation.tanh(dot(wih, 2 * h + j, x) + bih[2 * h + j] + r * (dot(whh, 2 * h + j, state) + bhh[2 * h + j]))
                next[j] = (1 - z) * n + z * state[j]
            }
            state = next
        }
        return (0..<c).map { k in fcb[k] + (0..<h).reduce(0.0) { $0 + fcw[k * h + $1] * state[$1] } }
    }

    func meanLoss(_ sequences: [[Float]], labels: [Int]) -> Double {
        var total = 0.0
        for (s, label) in zip(sequences, labels) {
            let z = logits(s)
            let top = z.max() ?? 0
            let lse = top + Foundation.log(z.reduce(0.0) { $0 + Foundation.exp($1 - top) })
            total += lse - z[label]
        }
        return total / Double(sequences.count)
    }
}

/// Random sequences of the given lengths, values roughly N(0.5, 1.5²).
func randomSequences(lengths: [Int], features: Int, seed: UInt64) -> [[Float]] {
    var state = seed | 1
    func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24)
    }
    return lengths.map { len in (0..<(len * features)).map { _ in (next() - 0.5) * 5 + 0.5 } }
}

extension NaiveGRU {
    /// The state after the first `steps` steps of `sequence`, from `initial` (zero when nil).
    func state(_ sequence: [Float], steps: Range<Int>, from initial: [Double]? = nil) -> [Double] {
        func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        func dot(_ w: [Double], _ row: Int, _ v: [Double]) -> Double {
            var s = 0.0
            for k in 0..<v.count { s += w[row * v.count + k] * v[k] }
            return s
        }
        var state = initial ?? [Double](repeating: 0, count: h)
        for t in steps {
            var x = (0..<f).map { Double(sequence[t * f + $0]) }
            if let mean, let scale { x = (0..<f).map { (x[$0] - mean[$0]) / scale[$0] } }
            var next = state
            for j in 0..<h {
                let r = sigmoid(dot(wih, j, x) + bih[j] + dot(whh, j, state) + bhh[j])
                let z = sigmoid(dot(wih, h + j, x) + bih[h + j] + dot(whh, h + j, state) + bhh[h + j])
                let n = Foundation.tanh(dot(wih, 2 * h + j, x) + bih[2 * h + j] + r * (dot(whh, 2 * h + j, state) + bhh[2 * h + j]))
                next[j] = (1 - z) * n + z * state[j]
            }
            state = next
        }
        return state
    }

    /// Mean cross-entropy of the head on each sequence's last `window` steps, run from
    /// `initial[i]`: the loss truncated BPTT differentiates, with the carried states as constants.
    func meanLoss(_ sequences: [[Float]], labels: [Int], window: Int, initial: [[Double]]) -> Double {
        var total = 0.0
        for (i, (s, label)) in zip(sequences, labels).enumerated() {
            let steps = s.count / f
            let last = state(s, steps: max(0, steps - window)..<steps, from: initial[i])
            let z = (0..<c).map { k in fcb[k] + (0..<h).reduce(0.0) { $0 + fcw[k * h + $1] * last[$1] } }
            let top = z.max() ?? 0
            total += top + Foundation.log(z.reduce(0.0) { $0 + Foundation.exp($1 - top) }) - z[label]
        }
        return total / Double(sequences.count)
    }
}
