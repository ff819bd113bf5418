/// The integer GRU, one sequence at a time, written as plainly as the arithmetic in
/// docs/quantization.md: the specification in code. The fast engine must match it bit for bit.
extension QuantizedGRU {
    /// Runs one raw sequence; `visit(step, codes)` sees every operator's output codes of the
    /// step, indexed by `GRUOperator.rawValue` (`input`: the x codes; `fc`: empty). Returns the
    /// logits (int32 unless the head needs a wide accumulator).
    @discardableResult
    public func referenceLogits(_ sequence: [Float], visit: ((Int, [[Int64]]) -> Void)? = nil) -> [Int64] {
        let f = inputSize, h = hiddenSize
        let steps = sequence.count / f
        let x = inputCodes(sequence).map(Int64.init)
        var state = [Int64](repeating: 0, count: h)

        func linearOutput(_ op: GRUOperator, _ input: ArraySlice<Int64>) -> [Int64] {
            let layer = linear(op)
            let (low, high) = bounds(op)
            let base = input.startIndex
            return (0..<layer.rows).map { j in
                var acc = layer.bias[j]
                for k in 0..<layer.columns { acc += Int64(layer.weights[j * layer.columns + k]) * input[base + k] }
                return layer.requantizer(row: j).apply(acc).clamped(low, high)
            }
        }
        func add(_ op: GRUOperator, _ a: [Int64], _ b: [Int64]) -> [Int64] {
            let (ra, rb) = addRescalers[op]!
            let (low, high) = bounds(op)
            return (0..<h).map { (ra.apply(a[$0]) + rb.apply(b[$0])).clamped(low, high) }
        }
        func multiply(_ op: GRUOperator, _ a: [Int64], _ b: [Int64]) -> [Int64] {
            let rq = mulRequantizers[op]!
            let (low, high) = bounds(op)
            return (0..<h).map { rq.apply(a[$0] * b[$0]).clamped(low, high) }
        }

        for t in 0..<steps {
            let xt = x[(t * f)..<((t + 1) * f)]
            let hs = state[...]
            let rwx = linearOutput(.rWx, xt), rwh = linearOutput(.rWh, hs)
            let zwx = linearOutput(.zWx, xt), zwh = linearOutput(.zWh, hs)
            let nwx = linearOutput(.nWx, xt), nwh = linearOutput(.nWh, hs)
            let radd = add(.rAdd, rwx, rwh)
            let zadd = add(.zAdd, zwx, zwh)
            let r = radd.map { tables[.gateR]!($0) }
            let z = zadd.map { tables[.gateZ]!($0) }
            let nmul = multiply(.nMul, r, nwh)
            let nadd = add(.nAdd, nwx, nmul)
            let n = nadd.map { tables[.gateN]!($0) }
            let (subLow, subHigh) = bounds(.hSub)
            let hsub = z.map { (hSubOne - hSubRescaler.apply($0)).clamped(subLow, subHigh) }
            let hmn = multiply(.hMulN, hsub, n)
            let hmh = multiply(.hMulH, z, state)
            let next = add(.hAdd, hmn, hmh)
            if let visit {
                visit(t, OperatorTrace.step(input: Array(xt), rWx: rwx, rWh: rwh, zWx: zwx, zWh: zwh, nWx: nwx, nWh: nwh, rAdd: radd, zAdd: zadd, nAdd: nadd, hSub: hsub, hAdd: next, nMul: nmul, hMulN: hmn, hMulH: hmh, gateR: r, gateZ: z, gateN: n))
            }
            state = next
        }
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
