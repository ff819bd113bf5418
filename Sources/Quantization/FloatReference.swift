import Foundation
import GRU

/// The float GRU, one sequence at a time in double precision, with every operator's output visible.
///
/// The yardstick for `show error` and `trace`; its logits match `GRUClassifier.logits` to
/// float rounding. (Calibration runs the float32 training engine instead, batched: see
/// `Calibration.calibrate`.)
public enum FloatReference {
    /// Runs one raw (unstandardised) sequence; `visit(step, values)` sees each step's operator
    /// outputs, indexed by `GRUOperator.rawValue` (`input` holds the standardised x; `fc` is empty).
    /// Returns the logits.
    @discardableResult
    public static func run(model: GRUClassifier, sequence: [Float],
                           visit: ((Int, [[Double]]) -> Void)? = nil) -> [Double] {
        let stepper = Stepper(Weights(model))
        let steps = sequence.count / model.inputSize
        for t in 0..<steps {
            sequence.withUnsafeBufferPointer { stepper.step($0, at: t) }
            if let visit {
                visit(t, GRUOperator.allCases.map { op in op == .fc ? [] : Array(stepper.output(op)) })
            }
        }
        return stepper.logits()
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    /// The model's parameters widened to double once, the weight matrices transposed so that
    /// a projection runs over all 3H rows at once. Each row's sum still adds its products in
    /// order k = 0 … K−1 (one lane per row), so the results are those of the row-by-row sums.
    struct Weights: Sendable {
        let model: GRUClassifier
        let f: Int, h: Int
        /// F × 3H and H × 3H, column j holding row j of `weight_ih` / `weight_hh`.
        let inputT: [Double], hiddenT: [Double]
        let biasIH: [Double], biasHH: [Double]

        init(_ model: GRUClassifier) {
            precondition(model.layerCount == 1, "FloatReference: a single GRU layer")
            self.model = model
            f = model.inputSize; h = model.hiddenSize
            let g = 3 * h, f = self.f, h = self.h
            func transposed(_ w: [Float], columns: Int) -> [Double] {
                var out = [Double](repeating: 0, count: w.count)
                for row in 0..<g { for k in 0..<columns { out[k * g + row] = Double(w[row * columns + k]) } }
                return out
            }
            inputT = transposed(model.weightIH, columns: f)
            hiddenT = transposed(model.weightHH, columns: h)
            biasIH = model.biasIH.map(Double.init)
            biasHH = model.biasHH.map(Double.init)
        }
    }

    /// One sequence's run, a step at a time, into buffers allocated once: the operator
    /// outputs of the last step stay readable through `output(_:)` until the next step.
    final class Stepper {
        let weights: Weights
        /// Operator outputs, `stride` doubles per operator at `rawValue · stride` (`fc` unused).
        let outputs: UnsafeMutablePointer<Double>
        let stride: Int
        private let state: UnsafeMutablePointer<Double>
        private let gx: UnsafeMutablePointer<Double>, gh: UnsafeMutablePointer<Double>

        init(_ weights: Weights) {
            self.weights = weights
            stride = max(weights.h, weights.f)
            outputs = .allocate(capacity: GRUOperator.allCases.count * stride)
            outputs.initialize(repeating: 0, count: GRUOperator.allCases.count * stride)
            state = .allocate(capacity: weights.h)
            state.initialize(repeating: 0, count: weights.h)
            gx = .allocate(capacity: 3 * weights.h)
            gh = .allocate(capacity: 3 * weights.h)
        }

        deinit {
            outputs.deallocate(); state.deallocate(); gx.deallocate(); gh.deallocate()
        }

        /// Values per step of `op`: F for `input`, 0 for `fc`, H for the others.
        func width(_ op: GRUOperator) -> Int { op == .input ? weights.f : op == .fc ? 0 : weights.h }

        /// The last step's outputs of `op`.
        func output(_ op: GRUOperator) -> UnsafeBufferPointer<Double> {
            UnsafeBufferPointer(start: outputs + op.rawValue * stride, count: width(op))
        }

        private func slot(_ op: GRUOperator) -> UnsafeMutablePointer<Double> { outputs + op.rawValue * stride }

        /// `out[j] = bias[j] + Σ_k wT[k][j] · v[k]`, k ascending for every j.
        private static func project(_ wT: [Double], _ bias: [Double], _ v: UnsafePointer<Double>, _ width: Int,
                                    into out: UnsafeMutablePointer<Double>) {
            let g = bias.count
            wT.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    let w = w.baseAddress!, b = b.baseAddress!
                    // Blocks of 32 rows summed in registers; a multiply then an add, lane by lane,
                    // exactly the scalar `sum += w · v`.
                    var j = 0
                    while j + 32 <= g {
                        var a0 = load(b + j), a1 = load(b + j + 8), a2 = load(b + j + 16), a3 = load(b + j + 24)
                        for k in 0..<width {
                            let vk = SIMD8(repeating: v[k]), row = w + k * g + j
                            a0 += load(row) * vk; a1 += load(row + 8) * vk
                            a2 += load(row + 16) * vk; a3 += load(row + 24) * vk
                        }
                        store(a0, out + j); store(a1, out + j + 8); store(a2, out + j + 16); store(a3, out + j + 24)
                        j += 32
                    }
                    for jj in j..<g { out[jj] = b[jj] }
                    for k in 0..<width where j < g {
                        let vk = v[k], row = w + k * g
                        for jj in j..<g { out[jj] += row[jj] * vk }
                    }
                }
            }
        }

        @inline(__always) private static func load(_ p: UnsafePointer<Double>) -> SIMD8<Double> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self)
        }

        @inline(__always) private static func store(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Double>.self)
        }

        /// Advances over step `t` of a raw sequence (steps × F, flat).
        func step(_ sequence: UnsafeBufferPointer<Float>, at t: Int) {
            let f = weights.f, h = weights.h
            let x = slot(.input)
            if let s = weights.model.standardization {
                for k in 0..<f { x[k] = Double((sequence[t * f + k] - s.mean[k]) / s.scale[k]) }
            } else {
                for k in 0..<f { x[k] = Double(sequence[t * f + k]) }
            }
            Self.project(weights.inputT, weights.biasIH, x, f, into: gx)
            Self.project(weights.hiddenT, weights.biasHH, state, h, into: gh)
            let cell = GRUOperator.cell
            func value(_ operand: CellDescription.Operand) -> UnsafeMutablePointer<Double> {
                switch operand {
                case .op(let i): return slot(GRUOperator(cellIndex: i))
                // The GRU's one state is read before any of this step's outputs replace it.
                case .state: return state
                }
            }
            for node in cell.step {
                let out = slot(GRUOperator(cellIndex: node.output))
                switch node {
                case .linear(_, let source, let block):
                    let projected = source == .input ? gx : gh
                    for j in 0..<h { out[j] = projected[block * h + j] }
                case .add(_, let a, let b):
                    let (a, b) = (value(a), value(b))
                    for j in 0..<h { out[j] = a[j] + b[j] }
                case .multiply(_, let a, let b):
                    let (a, b) = (value(a), value(b))
                    for j in 0..<h { out[j] = a[j] * b[j] }
                case .oneMinus(_, let a):
                    let a = value(a)
                    for j in 0..<h { out[j] = 1 - a[j] }
                case .table(_, let function, let a):
                    let a = value(a)
                    for j in 0..<h { out[j] = function == .tanh ? Foundation.tanh(a[j]) : FloatReference.sigmoid(a[j]) }
                }
            }
            state.update(from: slot(.output), count: h)
        }

        /// The head on the current state.
        func logits() -> [Double] {
            let model = weights.model, h = weights.h, state = self.state
            return (0..<model.classCount).map { c in
                var sum = Double(model.fcBias[c])
                for k in 0..<h { sum += Double(model.fcWeight[c * h + k]) * state[k] }
                return sum
            }
        }
    }
}
