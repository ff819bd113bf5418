import Foundation
import GRU

/// The float GRU, one sequence at a time in double precision, with every operator's output visible.
///
/// The yardstick for `show error` and `trace`; its logits match `GRUClassifier.logits` to
/// float rounding. (Calibration runs the float32 training engine instead, batched: see
/// `Calibration.calibrate`.)
public enum FloatReference {
    /// Runs one raw (unstandardised) sequence; `visit(step, values)` sees each step's operator
    /// outputs, indexed by position in the model's network operators (for one layer
    /// `GRUOperator.rawValue`; `input` holds the standardised x; `fc` is empty). Each layer of a
    /// stack reads the state the layer below has just made. Returns the logits.
    @discardableResult
    public static func run(model: GRUClassifier, sequence: [Float],
                           visit: ((Int, [[Double]]) -> Void)? = nil) -> [Double] {
        let stepper = Stepper(Weights(model))
        let steps = sequence.count / model.inputSize
        let network = model.network
        for t in 0..<steps {
            sequence.withUnsafeBufferPointer { stepper.step($0, at: t) }
            if let visit {
                visit(t, network.operators.map { id in id == .fc ? [] : Array(stepper.output(id)) })
            }
        }
        return stepper.logits()
    }

    /// The model's parameters widened to double once, the weight matrices transposed so that
    /// a projection runs over all gate rows (3H or 4H) at once. Each row's sum still adds its products in
    /// order k = 0 … K−1 (one lane per row), so the results are those of the row-by-row sums.
    struct Weights: Sendable {
        /// One layer's: F × G (H × G above the first) and H × G, G the gate rows, column j holding row j of
        /// `weight_ih` / `weight_hh`.
        struct Layer: Sendable {
            let inputT: [Double], hiddenT: [Double]
            let biasIH: [Double], biasHH: [Double]
            /// The input's width: F for the first layer, H above.
            let columns: Int
        }

        let model: GRUClassifier
        let f: Int, h: Int
        let layers: [Layer]

        init(_ model: GRUClassifier) {
            self.model = model
            f = model.inputSize; h = model.hiddenSize
            let g = model.cell.gateBlocks * h, h = self.h
            func transposed(_ w: [Float], columns: Int) -> [Double] {
                var out = [Double](repeating: 0, count: w.count)
                for row in 0..<g { for k in 0..<columns { out[k * g + row] = Double(w[row * columns + k]) } }
                return out
            }
            layers = model.layers.enumerated().map { k, layer in
                let columns = k == 0 ? model.inputSize : h
                return Layer(inputT: transposed(layer.weightIH, columns: columns), hiddenT: transposed(layer.weightHH, columns: h),
                             biasIH: layer.biasIH.map(Double.init), biasHH: layer.biasHH.map(Double.init), columns: columns)
            }
        }
    }

    /// One sequence's run, a step at a time, into buffers allocated once: the operator
    /// outputs of the last step stay readable through `output(_:)` until the next step.
    final class Stepper {
        let weights: Weights
        let network: NetworkDescription
        /// Operator outputs, `stride` doubles per operator at its network position · stride (`fc` unused).
        let outputs: UnsafeMutablePointer<Double>
        let stride: Int
        /// Each layer's state vectors, H doubles apiece.
        private let states: UnsafeMutablePointer<Double>
        /// State vectors per layer: a GRU's h, an LSTM's h and c.
        private let stateCount: Int
        private let gx: UnsafeMutablePointer<Double>, gh: UnsafeMutablePointer<Double>

        init(_ weights: Weights) {
            self.weights = weights
            network = weights.model.network
            stride = max(weights.h, weights.f)
            let count = network.operators.count * stride
            outputs = .allocate(capacity: count)
            outputs.initialize(repeating: 0, count: count)
            stateCount = weights.model.cell.stateVectors
            states = .allocate(capacity: weights.layers.count * stateCount * weights.h)
            states.initialize(repeating: 0, count: weights.layers.count * stateCount * weights.h)
            gx = .allocate(capacity: weights.model.cell.gateBlocks * weights.h)
            gh = .allocate(capacity: weights.model.cell.gateBlocks * weights.h)
        }

        deinit {
            outputs.deallocate(); states.deallocate(); gx.deallocate(); gh.deallocate()
        }

        /// Values per step of `id`: F for `input`, 0 for `fc`, H for the others.
        func width(_ id: OperatorID) -> Int { id == .input ? weights.f : id == .fc ? 0 : weights.h }

        /// The last step's outputs of `id`.
        func output(_ id: OperatorID) -> UnsafeBufferPointer<Double> {
            UnsafeBufferPointer(start: slot(id), count: width(id))
        }

        private func slot(_ id: OperatorID) -> UnsafeMutablePointer<Double> { outputs + network.position(of: id) * stride }

        /// Layer `layer`'s state vector `s` (0: h, what the layer above and the head read; 1: an LSTM's c).
        private func state(_ layer: Int, _ s: Int = 0) -> UnsafeMutablePointer<Double> { states + (layer * stateCount + s) * weights.h }

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
            let f = weights.f
            let x = slot(.input)
            if let s = weights.model.standardization {
                for k in 0..<f { x[k] = Double((sequence[t * f + k] - s.mean[k]) / s.scale[k]) }
            } else {
                for k in 0..<f { x[k] = Double(sequence[t * f + k]) }
            }
            for k in weights.layers.indices {
                // A layer above reads the state the layer below has just made.
                layer(k, input: k == 0 ? UnsafePointer(x) : UnsafePointer(state(k - 1)))
            }
        }

        /// Layer `k`'s part of the step, node by node.
        private func layer(_ k: Int, input: UnsafePointer<Double>) {
            let h = weights.h, layer = weights.layers[k], state = self.state(k)
            Self.project(layer.inputT, layer.biasIH, input, layer.columns, into: gx)
            Self.project(layer.hiddenT, layer.biasHH, state, h, into: gh)
            let cell = network.cell.description
            func value(_ operand: CellDescription.Operand) -> UnsafeMutablePointer<Double> {
                switch operand {
                case .op(let i): return slot(.cell(i, layer: k))
                // The states are read before any of this step's outputs replace them.
                case .state(let s): return self.state(k, s)
                }
            }
            for node in cell.step {
                let out = slot(.cell(node.output, layer: k))
                switch node {
                case .linear(_, let source, let block):
                    let projected = source == .input ? gx : gh
                    for j in 0..<h { out[j] = projected[block * h + j] }
                default:
                    let operands = node.operands.map(value)
                    let (a, b) = (operands[0], operands[operands.count - 1])
                    for j in 0..<h { out[j] = node.value(a[j], b[j]) }
                }
            }
            for (s, vector) in cell.states.enumerated() { self.state(k, s).update(from: slot(.cell(vector.producedBy, layer: k)), count: h) }
        }

        /// The head on the top layer's state.
        func logits() -> [Double] {
            let model = weights.model, h = weights.h, state = self.state(weights.layers.count - 1)
            return (0..<model.classCount).map { c in
                var sum = Double(model.fcBias[c])
                for k in 0..<h { sum += Double(model.fcWeight[c * h + k]) * state[k] }
                return sum
            }
        }
    }
}
