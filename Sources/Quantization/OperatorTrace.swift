/// One time step's output of every operator, float or integer, as the reference
/// engines hand it to a visitor (`show error`, `trace`, the engine tests).
enum OperatorTrace {
    /// The outputs indexed by `GRUOperator.rawValue`; `fc` is not a per-step output and stays empty.
    static func step<T>(input: [T], rWx: [T], rWh: [T], zWx: [T], zWh: [T], nWx: [T], nWh: [T],
                        rAdd: [T], zAdd: [T], nAdd: [T], hSub: [T], hAdd: [T],
                        nMul: [T], hMulN: [T], hMulH: [T], gateR: [T], gateZ: [T], gateN: [T]) -> [[T]] {
        var values = [[T]](repeating: [], count: GRUOperator.allCases.count)
        let outputs: [(GRUOperator, [T])] = [
            (.input, input), (.rWx, rWx), (.rWh, rWh), (.zWx, zWx), (.zWh, zWh), (.nWx, nWx), (.nWh, nWh),
            (.rAdd, rAdd), (.zAdd, zAdd), (.nAdd, nAdd), (.hSub, hSub), (.hAdd, hAdd),
            (.nMul, nMul), (.hMulN, hMulN), (.hMulH, hMulH), (.gateR, gateR), (.gateZ, gateZ), (.gateN, gateN),
        ]
        for (op, output) in outputs { values[op.rawValue] = output }
        return values
    }
}
