import Foundation
import GRU
import Kernels

/// The fake-quant step of any cell but the GRU (whose step is written by hand in
/// `FakeQuantEngine`), node by node as the cell's description orders them: the same grids,
/// roundings and straight-through gradients, read off the node kinds. A linear node or a sum
/// rounds to its grid and saturates; a product rounds its product; a one-minus subtracts its
/// operand's code from ONE; a table rounds σ or tanh of its operand. Backward walks the nodes
/// in reverse: a rounding passes the gradient unless the value saturated, a table passes it
/// times the activation's derivative, and each calibrated operator's log-range gets the LSQ sum.
extension FakeQuantEngine {
    func forwardDescribed(_ batch: PackedBatch, training: Bool, initialState: UnsafePointer<Float>?) {
        let b = batch.count, steps = batch.steps, ops = cell.operators.count, depth = layers.count
        let keep = training ? max(steps, 1) : 1
        let xs = xv.reserve(keep * b * f), xqs = xq.reserve(keep * b * f)
        let perState = (training ? steps + 1 : 2) * b * h
        let cell = self.cell, step = cell.step, producers = cell.states.map(\.producedBy)
        // Each layer's state vectors (h first), every step's in training, two buffers in inference.
        let stateStores: [[UnsafeMutablePointer<Float>]] = layers.enumerated().map { k, layer in
            (0..<stateCount).map { s in
                let store = (s == 0 ? layer.states : layer.moreStates[s - 1]).zeroed(perState)
                if let initialState { store.update(from: initialState + (s * depth + k) * b * h, count: b * h) }
                return store
            }
        }
        struct Stores { let px, ph, values, outputs, saturated, activations: UnsafeMutablePointer<Float> }
        let stores = layers.map { layer in
            Stores(px: layer.preX.reserve(keep * b * g), ph: layer.preH.reserve(keep * b * g),
                   values: layer.values.reserve(keep * ops * b * h), outputs: layer.outputs.reserve(keep * ops * b * h),
                   saturated: layer.saturated.reserve(keep * ops * b * h), activations: layer.activations.reserve(keep * ops * b * h))
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: ops) { y in
            for t in 0..<steps {
                let rows = batch.active[t], slot = training ? t : 0
                var input = quantizeInput(batch, step: t, into: slot, standardised: xs, quantized: xqs)
                for (k, layer) in layers.enumerated() {
                    let s = stores[k]
                    let gx = s.px + slot * b * g, gh = s.ph + slot * b * g
                    let pairs = stateStores[k].map { stepStates($0, batch, step: t, training: training) }
                    let previous = pairs.map(\.0), next = pairs.map(\.1)
                    project(layer, rows: rows, input: input, state: previous[0], into: gx, gh)
                    for row in 0..<rows {
                        for j in 0..<h {
                            func value(_ operand: CellDescription.Operand) -> Float {
                                switch operand {
                                case .op(let i): return y[i]
                                case .state(let v): return previous[v][row * h + j]
                                }
                            }
                            for node in step {
                                let i = node.output
                                var v: Float, saturated = false
                                switch node {
                                case .linear(_, let source, let block):
                                    v = (source == .input ? gx : gh)[row * g + block * h + j]
                                    (y[i], saturated) = layer.fq(v, i)
                                case .add(_, let a, let b):
                                    let (va, vb) = (value(a), value(b))
                                    v = va + vb
                                    (y[i], saturated) = layer.fqAdd(va, vb, i)
                                case .multiply(_, let a, let b):
                                    v = value(a) * value(b)
                                    (y[i], saturated) = layer.fq(v, i)
                                case .oneMinus(_, let a):
                                    let code = min(max(layer.ones[i] - FakeQuantEngine.roundHalfUp(value(a) / layer.scale[i]), layer.low[i]), layer.high[i])
                                    y[i] = code * layer.scale[i]
                                    v = y[i]
                                case .table(_, let function, let a):
                                    let x = value(a)
                                    v = function == .tanh ? Foundation.tanh(x) : 1 / (1 + Foundation.exp(-x))
                                    y[i] = layer.table(v, i)
                                }
                                if training {
                                    let at = ((slot * ops + i) * b + row) * h + j
                                    s.values[at] = v; s.outputs[at] = y[i]; s.saturated[at] = saturated ? 1 : 0
                                    if case .table = node { s.activations[at] = v }
                                }
                            }
                            for (v, producer) in producers.enumerated() { next[v][row * h + j] = y[producer] }
                        }
                    }
                    input = UnsafePointer(next[0])
                }
            }
        }
        finishForward(batch, training: training) { s, k in UnsafePointer(stateStores[k][s]) }
    }

    func backwardDescribed(_ batch: PackedBatch, labels: [Int], lossScale: Float,
                           gradient grad: UnsafeMutablePointer<Float>, rangeGradient: inout [Double]) -> (loss: Double, correct: Int) {
        let b = batch.count, steps = batch.steps, ops = cell.operators.count
        let (loss, correct, df) = headBackward(batch, labels: labels, lossScale: lossScale, gradient: grad)
        var rangeSums = [Double](repeating: 0, count: network.operators.count)
        let cell = self.cell, producers = cell.states.map(\.producedBy), reversed = Array(cell.step.reversed())
        let calibrated = cell.operators.indices.map { cell.node($0).range == .calibrated }
        let stepRows = steps * b
        withUnsafeTemporaryAllocation(of: Float.self, capacity: ops + stateCount) { scratch in
            let dY = scratch.baseAddress!, dPrevious = dY + ops
            for k in layers.indices.reversed() {
                let layer = layers[k], top = k == layers.count - 1, base = network.position(of: .cell(0, layer: k))
                let above = top ? nil : UnsafePointer(layers[k + 1].dInput.pointer)
                let dStates = (0..<stateCount).map { s in (s == 0 ? layer.dh : layer.dMoreStates[s - 1]).zeroed(b * h) }
                let states = (0..<stateCount).map { s in UnsafePointer((s == 0 ? layer.states : layer.moreStates[s - 1]).pointer) }
                let dpx = layer.dPreX.zeroed(max(stepRows * g, 1)), dph = layer.dPreH.zeroed(max(stepRows * g, 1))
                let values = layer.values.pointer, outputs = layer.outputs.pointer
                let saturated = layer.saturated.pointer, activations = layer.activations.pointer
                for t in stride(from: steps - 1, through: 0, by: -1) {
                    let rows = batch.active[t]
                    if let above {
                        // The layer above read this step's h at every active row.
                        for row in 0..<rows { for j in 0..<h { dStates[0][row * h + j] += above[(t * b + row) * h + j] } }
                    } else {
                        // The head read each row's h after its last step.
                        for row in batch.active[t + 1]..<rows { (dStates[0] + row * h).update(from: df + row * h, count: h) }
                    }
                    let dgx = dpx + t * b * g, dgh = dph + t * b * g
                    for row in 0..<rows {
                        for j in 0..<h {
                            func at(_ i: Int) -> Int { ((t * ops + i) * b + row) * h + j }
                            func value(_ operand: CellDescription.Operand) -> Float {
                                switch operand {
                                case .op(let i): return outputs[at(i)]
                                case .state(let s): return states[s][(t * b + row) * h + j]
                                }
                            }
                            func give(_ operand: CellDescription.Operand, _ gradient: Float) {
                                switch operand {
                                case .op(let i): dY[i] += gradient
                                case .state(let s): dPrevious[s] += gradient
                                }
                            }
                            for i in 0..<ops { dY[i] = 0 }
                            for s in 0..<stateCount { dPrevious[s] = 0; dY[producers[s]] += dStates[s][row * h + j] }
                            for node in reversed {
                                let i = node.output, d = dY[i], p = at(i), clipped = saturated[p] > 0
                                // A calibrated operator's LSQ sum: what its output moves with its range.
                                if calibrated[i] { rangeSums[base + i] += Double(d * (outputs[p] - (clipped ? 0 : values[p]))) }
                                let passed = clipped ? 0 : d
                                switch node {
                                case .linear(_, let source, let block):
                                    (source == .input ? dgx : dgh)[row * g + block * h + j] = passed
                                case .add(_, let a, let b):
                                    give(a, passed)
                                    give(b, passed)
                                case .multiply(_, let a, let b):
                                    give(a, passed * value(b))
                                    give(b, passed * value(a))
                                case .oneMinus(_, let a):
                                    give(a, -d)
                                case .table(_, let function, let a):
                                    let v = activations[p]
                                    give(a, d * (function == .tanh ? 1 - v * v : v * (1 - v)))
                                }
                            }
                            for s in 0..<stateCount { dStates[s][row * h + j] = dPrevious[s] }
                        }
                    }
                    GEMM.addProduct(m: rows, n: h, k: g, a: dgh, lda: g, b: layer.wh.pointer, ldb: h, c: dStates[0], ldc: h)
                }
                weightGradients(layer: k, batch: batch, gradient: grad)
            }
        }
        finishRangeGradient(batch, rangeSums: &rangeSums, rangeGradient: &rangeGradient)
        return (loss, correct)
    }
}
