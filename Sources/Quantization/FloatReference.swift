import Foundation
import GRU

/// The float GRU, one sequence at a time in double precision, with every operator's output visible.
///
/// Slow and plain on purpose: it is the yardstick for calibration, `show error` and `trace`,
/// and its logits match `GRUClassifier.logits` to float rounding.
public enum FloatReference {
    /// Runs one raw (unstandardised) sequence; `visit(step, values)` sees each step's operator
    /// outputs, indexed by `GRUOperator.rawValue` (`input` holds the standardised x; `fc` is empty).
    /// Returns the logits.
    @discardableResult
    public static func run(model: GRUClassifier, sequence: [Float],
                           visit: ((Int, [[Double]]) -> Void)? = nil) -> [Double] {
        let f = model.inputSize, h = model.hiddenSize
        let steps = sequence.count / f
        var state = [Double](repeating: 0, count: h)
        let wih = model.weightIH.map(Double.init), whh = model.weightHH.map(Double.init)
        let bih = model.biasIH.map(Double.init), bhh = model.biasHH.map(Double.init)
        var x = [Double](repeating: 0, count: f)
        for t in 0..<steps {
            for k in 0..<f {
                let raw = Double(sequence[t * f + k])
                if let s = model.standardization {
                    x[k] = Double((sequence[t * f + k] - s.mean[k]) / s.scale[k])
                } else {
                    x[k] = raw
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
            if let visit {
                visit(t, OperatorTrace.step(input: x, rWx: rwx, rWh: rwh, zWx: zwx, zWh: zwh, nWx: nwx, nWh: nwh, rAdd: radd, zAdd: zadd, nAdd: nadd, hSub: hsub, hAdd: hadd, nMul: nmul, hMulN: hmn, hMulH: hmh, gateR: r, gateZ: z, gateN: n))
            }
            state = hadd
        }
        return (0..<model.classCount).map { c in
            var sum = Double(model.fcBias[c])
            for k in 0..<h { sum += Double(model.fcWeight[c * h + k]) * state[k] }
            return sum
        }
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
}
