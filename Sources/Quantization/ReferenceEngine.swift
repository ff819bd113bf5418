/// The integer network (any cell), one sequence at a time, written as plainly as the arithmetic in
/// docs/quantization.md: the specification in code. It walks the cell's description node by
/// node; the fast engines, written by hand for the GRU, and `DescriptionEngine` must match it bit for bit.
extension QuantizedGRU {
    /// Runs one raw sequence; `visit(step, codes)` sees every operator's output codes of the
    /// step, indexed by position in `bits.network.operators` (for one layer `GRUOperator.rawValue`;
    /// `input`: the x codes; `fc`: empty). Returns the logits (int32 unless the head needs a
    /// wide accumulator). Each layer of a stack reads the state the layer below has just made.
    @discardableResult
    public func referenceLogits(_ sequence: [Float], visit: ((Int, [[Int64]]) -> Void)? = nil) -> [Int64] {
        let network = bits.network, cell = network.cell.description
        let f = inputSize, h = hiddenSize
        let steps = sequence.count / f
        let x = inputCodes(sequence).map(Int64.init)
        var states = [[[Int64]]](repeating: [[Int64]](repeating: [Int64](repeating: 0, count: h), count: cell.states.count),
                                 count: layers.count)
        var codes = [[Int64]](repeating: [], count: network.operators.count)

        func linearOutput(_ layer: QuantizedLinear, _ bounds: (low: Int64, high: Int64), _ input: [Int64]) -> [Int64] {
            (0..<layer.rows).map { j in
                var acc = layer.bias[j]
                for k in 0..<layer.columns { acc += Int64(layer.weights[j * layer.columns + k]) * input[k] }
                return layer.requantizer(row: j).apply(acc).clamped(bounds.low, bounds.high)
            }
        }

        for t in 0..<steps {
            var input = Array(x[(t * f)..<((t + 1) * f)])
            codes[network.position(of: .input)] = input
            for (k, constants) in layers.enumerated() {
                func at(_ i: Int) -> Int { network.position(of: .cell(i, layer: k)) }
                func value(_ operand: CellDescription.Operand) -> [Int64] {
                    switch operand {
                    case .op(let i): return codes[at(i)]
                    case .state(let s): return states[k][s]
                    }
                }
                for node in cell.step {
                    let op = node.output, out = at(node.output)
                    let (low, high) = bounds(id: .cell(node.output, layer: k))
                    switch node {
                    case .linear(_, .input, _):
                        codes[out] = linearOutput(constants.linear[op], (low, high), input)
                    case .linear(_, .state(let s), _):
                        codes[out] = linearOutput(constants.linear[op], (low, high), states[k][s])
                    case .add(_, let a, let b):
                        let (ra, rb) = constants.addRescalers[op]!
                        let (va, vb) = (value(a), value(b))
                        codes[out] = (0..<h).map { (ra.apply(va[$0]) + rb.apply(vb[$0])).clamped(low, high) }
                    case .multiply(_, let a, let b):
                        let rq = constants.mulRequantizers[op]!
                        let (va, vb) = (value(a), value(b))
                        codes[out] = (0..<h).map { rq.apply(va[$0] * vb[$0]).clamped(low, high) }
                    case .oneMinus(_, let a):
                        let (one, rescaler) = constants.oneMinus[op]!
                        codes[out] = value(a).map { (one - rescaler.apply($0)).clamped(low, high) }
                    case .table(_, _, let a):
                        let table = constants.tables[op]!
                        codes[out] = value(a).map { table($0) }
                    }
                }
                for (s, state) in cell.states.enumerated() { states[k][s] = codes[at(state.producedBy)] }
                input = states[k][0]
            }
            visit?(t, codes)
        }
        let state = states[layers.count - 1][0]
        return (0..<classCount).map { c in
            var acc = head.bias[c]
            for k in 0..<h { acc += Int64(head.weights[c * h + k]) * state[k] }
            return acc
        }
    }

    /// The class an integer logit vector picks: the first index of the largest value.
    public static func argmax<T: Comparable>(_ logits: ArraySlice<T>) -> Int {
        var best = logits.startIndex
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best - logits.startIndex
    }
}
