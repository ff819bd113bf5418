/// The integer network of any cell, batched over a chunk's rows: the reference engine's
/// arithmetic node by node, as the cell's description orders them, in buffers allocated
/// once per chunk. Cells without hand-written kernels (the LSTM so far) are evaluated here;
/// it is bit-exact with `QuantizedGRU.referenceLogits` by construction and by test.
struct DescriptionEngine {
    let model: QuantizedGRU

    /// Logits of a chunk: `raw` holds steps × rows × features raw inputs (rows with no step t
    /// are not read), `active[t]` the rows with a step t (a non-increasing count); writes
    /// rows × classes logits to `logits`.
    func run(rows: Int, steps: Int, active: [Int], raw: UnsafePointer<Float>, logits: UnsafeMutablePointer<Int64>) {
        let network = model.bits.network, cell = network.cell.description
        let f = model.inputSize, h = model.hiddenSize, c = model.classCount
        let opCount = cell.operators.count, layers = model.layers.count, stateCount = cell.states.count
        let codes = UnsafeMutablePointer<Int64>.allocate(capacity: max(opCount * rows * h, 1))
        let states = UnsafeMutablePointer<Int64>.allocate(capacity: max(layers * stateCount * rows * h, 1))
        let x = UnsafeMutablePointer<Int64>.allocate(capacity: max(rows * f, 1))
        defer { codes.deallocate(); states.deallocate(); x.deallocate() }
        states.initialize(repeating: 0, count: layers * stateCount * rows * h)
        func state(_ k: Int, _ s: Int) -> UnsafeMutablePointer<Int64> { states + (k * stateCount + s) * rows * h }
        func op(_ i: Int) -> UnsafeMutablePointer<Int64> { codes + i * rows * h }

        let qmax = Float(CodeRange.signedMax(model.bits[id: .input]))
        let mean = model.inputMean, factor = model.inputFactor
        // Per layer: each node's saturation bounds, read in the inner loops.
        let bounds = (0..<layers).map { k in (0..<opCount).map { model.bounds(id: .cell($0, layer: k)) } }

        for t in 0..<steps {
            let r = active[t]
            for row in 0..<r {
                for k in 0..<f {
                    let p = (raw[(t * rows + row) * f + k] - mean[k]) * factor[k]
                    x[row * f + k] = Int64(min(max(p.rounded(.toNearestOrAwayFromZero), -qmax), qmax))
                }
            }
            for (k, constants) in model.layers.enumerated() {
                let below = k == 0 ? UnsafePointer(x) : UnsafePointer(state(k - 1, 0))
                let belowWidth = k == 0 ? f : h
                func operand(_ o: CellDescription.Operand) -> UnsafePointer<Int64> {
                    switch o {
                    case .op(let i): return UnsafePointer(op(i))
                    case .state(let s): return UnsafePointer(state(k, s))
                    }
                }
                for node in cell.step {
                    let i = node.output, out = op(i), (low, high) = bounds[k][i]
                    switch node {
                    case .linear(_, let source, _):
                        let layer = constants.linear[i]
                        let input = source == .input ? below : operand(.state(source.state!))
                        let columns = source == .input ? belowWidth : h
                        layer.weights.withUnsafeBufferPointer { w in
                            for row in 0..<r {
                                let v = input + row * columns
                                for j in 0..<h {
                                    let wr = w.baseAddress! + j * columns
                                    var acc = layer.bias[j]
                                    for q in 0..<columns { acc &+= Int64(wr[q]) &* v[q] }
                                    out[row * h + j] = layer.requantizer(row: j).apply(acc).clamped(low, high)
                                }
                            }
                        }
                    case .add(_, let a, let b):
                        let (ra, rb) = constants.addRescalers[i]!
                        let (va, vb) = (operand(a), operand(b))
                        for e in 0..<(r * h) { out[e] = (ra.apply(va[e]) + rb.apply(vb[e])).clamped(low, high) }
                    case .multiply(_, let a, let b):
                        let rq = constants.mulRequantizers[i]!
                        let (va, vb) = (operand(a), operand(b))
                        for e in 0..<(r * h) { out[e] = rq.apply(va[e] * vb[e]).clamped(low, high) }
                    case .oneMinus(_, let a):
                        let (one, rescaler) = constants.oneMinus[i]!
                        let va = operand(a)
                        for e in 0..<(r * h) { out[e] = (one - rescaler.apply(va[e])).clamped(low, high) }
                    case .table(_, _, let a):
                        let table = constants.tables[i]!
                        let va = operand(a)
                        for e in 0..<(r * h) { out[e] = table(va[e]) }
                    }
                }
                // Rows past their last step keep their state.
                for (s, vector) in cell.states.enumerated() { state(k, s).update(from: op(vector.producedBy), count: r * h) }
            }
        }
        let top = UnsafePointer(state(layers - 1, 0)), head = model.head
        for row in 0..<rows {
            for k in 0..<c {
                var acc = head.bias[k]
                for j in 0..<h { acc += Int64(head.weights[k * h + j]) * top[row * h + j] }
                logits[row * c + k] = acc
            }
        }
    }
}
