/// The integer GRU, one sequence at a time, written as plainly as the arithmetic in
/// docs/quantization.md: the specification in code. It walks the cell's description node by
/// node; the fast engines, written by hand for the GRU, must match it bit for bit.
extension QuantizedGRU {
    /// Runs one raw sequence; `visit(step, codes)` sees every operator's output codes of the
    /// step, indexed by `GRUOperator.rawValue` (`input`: the x codes; `fc`: empty). Returns the
    /// logits (int32 unless the head needs a wide accumulator).
    @discardableResult
    public func referenceLogits(_ sequence: [Float], visit: ((Int, [[Int64]]) -> Void)? = nil) -> [Int64] {
        let cell = GRUOperator.cell
        let f = inputSize, h = hiddenSize
        let steps = sequence.count / f
        let x = inputCodes(sequence).map(Int64.init)
        var states = [[Int64]](repeating: [Int64](repeating: 0, count: h), count: cell.states.count)
        var codes = [[Int64]](repeating: [], count: GRUOperator.allCases.count)

        func linearOutput(_ op: GRUOperator, _ input: [Int64]) -> [Int64] {
            let layer = linear(op)
            let (low, high) = bounds(op)
            return (0..<layer.rows).map { j in
                var acc = layer.bias[j]
                for k in 0..<layer.columns { acc += Int64(layer.weights[j * layer.columns + k]) * input[k] }
                return layer.requantizer(row: j).apply(acc).clamped(low, high)
            }
        }
        func value(_ operand: CellDescription.Operand) -> [Int64] {
            switch operand {
            case .op(let i): return codes[i]
            case .state(let s): return states[s]
            }
        }

        for t in 0..<steps {
            let xt = Array(x[(t * f)..<((t + 1) * f)])
            codes[GRUOperator.input.rawValue] = xt
            for node in cell.step {
                let op = GRUOperator(cellIndex: node.output)
                let (low, high) = bounds(op)
                switch node {
                case .linear(_, let source, _):
                    switch source {
                    case .input: codes[op.rawValue] = linearOutput(op, xt)
                    case .state(let s): codes[op.rawValue] = linearOutput(op, states[s])
                    }
                case .add(_, let a, let b):
                    let (ra, rb) = addRescalers[op]!
                    let (va, vb) = (value(a), value(b))
                    codes[op.rawValue] = (0..<h).map { (ra.apply(va[$0]) + rb.apply(vb[$0])).clamped(low, high) }
                case .multiply(_, let a, let b):
                    let rq = mulRequantizers[op]!
                    let (va, vb) = (value(a), value(b))
                    codes[op.rawValue] = (0..<h).map { rq.apply(va[$0] * vb[$0]).clamped(low, high) }
                case .oneMinus(_, let a):
                    let (one, rescaler) = oneMinus[op]!
                    codes[op.rawValue] = value(a).map { (one - rescaler.apply($0)).clamped(low, high) }
                case .table(_, _, let a):
                    let table = tables[op]!
                    codes[op.rawValue] = value(a).map { table($0) }
                }
            }
            visit?(t, codes)
            for (s, state) in cell.states.enumerated() { states[s] = codes[state.producedBy] }
        }
        let state = states[0]
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
