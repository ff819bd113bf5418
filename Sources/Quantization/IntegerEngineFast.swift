import Foundation

/// The vectorised elementwise part of the fast engine: 16 lanes at a time, 32-bit where the
/// prepared bounds allow and 64-bit (`Lanes.requantize`) where products need it. Bit for bit
/// the same arithmetic as the reference; configurations whose operand rescales could overflow
/// 32 bits take the scalar path instead.
struct FastCellConstants {
    // Linear outputs, per 16-column block of the 3·Hp gate columns.
    var inputM: [Lanes.V] = [], inputLeft: [Lanes.V] = [], inputRight: [Lanes.V] = []
    var inputRoundEven: [Lanes.W] = [], inputRoundOdd: [Lanes.W] = []
    var inputBias: [Lanes.V] = [], inputLow: [Int64] = [], inputHigh: [Int64] = []
    var stateM: [Lanes.V] = [], stateLeft: [Lanes.V] = [], stateRight: [Lanes.V] = []
    var stateRoundEven: [Lanes.W] = [], stateRoundOdd: [Lanes.W] = []
    var stateBias: [Lanes.V] = [], stateLow: [Int64] = [], stateHigh: [Int64] = []
    // Elementwise.
    var rA, rB, zA, zB, nA, nB, hA, hB, subZ: RequantizerS32
}

extension PreparedIntegerGRU {
    /// Constants for the vectorised path, or nil when an operand rescale needs 64 bits.
    static func fastConstants(_ q: QuantizedGRU, hiddenPadded hp: Int, inputBias: [Int32], stateBias: [Int32],
                              inputRequant: [RequantizerS64], stateRequant: [RequantizerS64],
                              inputLow: [Int64], inputHigh: [Int64], stateLow: [Int64], stateHigh: [Int64]) -> FastCellConstants? {
        func narrow(_ r: Requantizer, _ from: GRUOperator) -> RequantizerS32? {
            let (low, high) = q.bounds(from)
            return RequantizerS32(r, maxInput: max(-low, high))
        }
        let add = q.addRescalers
        guard let rA = narrow(add[.rAdd]!.0, .rWx), let rB = narrow(add[.rAdd]!.1, .rWh),
              let zA = narrow(add[.zAdd]!.0, .zWx), let zB = narrow(add[.zAdd]!.1, .zWh),
              let nA = narrow(add[.nAdd]!.0, .nWx), let nB = narrow(add[.nAdd]!.1, .nMul),
              let hA = narrow(add[.hAdd]!.0, .hMulN), let hB = narrow(add[.hAdd]!.1, .hMulH),
              let subZ = narrow(q.hSubRescaler, .gateZ)
        else { return nil }
        // The 64-bit lane requantizers must stay below 2^61 before saturation (Lanes.clamp).
        func fits(_ r: Requantizer, maxInput: Double) -> Bool {
            let lane = RequantizerS64(r)
            return maxInput * Double(lane.m) * Foundation.exp2(Double(lane.left)) < Foundation.exp2(61)
        }
        func maxCode(_ op: GRUOperator) -> Double { let b = q.bounds(op); return Double(max(-b.low, b.high)) }
        guard fits(q.mulRequantizers[.nMul]!, maxInput: maxCode(.gateR) * maxCode(.nWh)),
              fits(q.mulRequantizers[.hMulN]!, maxInput: maxCode(.hSub) * maxCode(.gateN)),
              fits(q.mulRequantizers[.hMulH]!, maxInput: maxCode(.gateZ) * maxCode(.hAdd)),
              q.linear.allSatisfy({ layer in
                  (0..<layer.rows).allSatisfy { fits(layer.requantizer(row: $0), maxInput: Foundation.exp2(31)) }
              })
        else { return nil }
        var k = FastCellConstants(rA: rA, rB: rB, zA: zA, zB: zB, nA: nA, nB: nB, hA: hA, hB: hB, subZ: subZ)
        let blocks = 3 * hp / 16
        func lanes(_ values: (Int) -> Int64) -> Lanes.V {
            var v = Lanes.V()
            for l in 0..<16 { v[l] = Int32(truncatingIfNeeded: values(l)) }
            return v
        }
        func wide(_ values: (Int) -> Int64) -> Lanes.W {
            var w = Lanes.W()
            for l in 0..<8 { w[l] = values(l) }
            return w
        }
        for block in 0..<blocks {
            let base = block * 16
            k.inputM.append(lanes { inputRequant[base + $0].m })
            k.inputLeft.append(lanes { inputRequant[base + $0].left })
            k.inputRight.append(lanes { inputRequant[base + $0].right })
            k.inputRoundEven.append(wide { inputRequant[base + 2 * $0].round })
            k.inputRoundOdd.append(wide { inputRequant[base + 2 * $0 + 1].round })
            k.inputBias.append(lanes { Int64(inputBias[base + $0]) })
            k.inputLow.append(inputLow[base]); k.inputHigh.append(inputHigh[base])
            k.stateM.append(lanes { stateRequant[base + $0].m })
            k.stateLeft.append(lanes { stateRequant[base + $0].left })
            k.stateRight.append(lanes { stateRequant[base + $0].right })
            k.stateRoundEven.append(wide { stateRequant[base + 2 * $0].round })
            k.stateRoundOdd.append(wide { stateRequant[base + 2 * $0 + 1].round })
            k.stateBias.append(lanes { Int64(stateBias[base + $0]) })
            k.stateLow.append(stateLow[base]); k.stateHigh.append(stateHigh[base])
        }
        return k
    }

    /// Bias, requantization and saturation of `rows` rows of int32 sums, in place.
    @inline(__always)
    func requantizeFast(rows: Int, sums: UnsafeMutablePointer<Int32>, input: Bool, _ k: FastCellConstants) {
        let g = gateColumns, blocks = g / 16
        for row in 0..<rows {
            let o = sums + row * g
            for b in 0..<blocks {
                let acc = Lanes.load(o + 16 * b) &+ (input ? k.inputBias[b] : k.stateBias[b])
                let y = input
                    ? Lanes.requantize(acc, m: k.inputM[b], left: k.inputLeft[b], right: k.inputRight[b],
                                       round: k.inputRoundEven[b], roundOdd: k.inputRoundOdd[b], low: k.inputLow[b], high: k.inputHigh[b])
                    : Lanes.requantize(acc, m: k.stateM[b], left: k.stateLeft[b], right: k.stateRight[b],
                                       round: k.stateRoundEven[b], roundOdd: k.stateRoundOdd[b], low: k.stateLow[b], high: k.stateHigh[b])
                Lanes.store(y, o + 16 * b)
            }
        }
    }

    /// One row of the cell, 16 lanes at a time.
    @inline(__always)
    func cellFast(x: UnsafePointer<Int32>, h: UnsafePointer<Int32>, state: UnsafeMutablePointer<Int32>,
                  state16: UnsafeMutablePointer<Int16>, stateOffset: Int32, _ k: FastCellConstants, scratch: UnsafeMutablePointer<Int32>,
                  tables: (r: UnsafePointer<Int32>, z: UnsafePointer<Int32>, n: UnsafePointer<Int32>)) {
        let hp = hiddenPadded
        func b32(_ op: GRUOperator) -> (Int32, Int32) {
            let b = bounds[op.rawValue]
            return (Int32(b.low), Int32(b.high))
        }
        let bR = b32(.rAdd), bZ = b32(.zAdd), bN = b32(.nAdd), bS = b32(.hSub), bH = b32(.hAdd)
        let bM = bounds[GRUOperator.nMul.rawValue], bMN = bounds[GRUOperator.hMulN.rawValue], bMH = bounds[GRUOperator.hMulH.rawValue]
        let one = Lanes.V(repeating: Int32(hSubOne))
        var j = 0
        while j < hp {
            let rwx = Lanes.load(x + j), zwx = Lanes.load(x + hp + j), nwx = Lanes.load(x + 2 * hp + j)
            let rwh = Lanes.load(h + j), zwh = Lanes.load(h + hp + j), nwh = Lanes.load(h + 2 * hp + j)
            let old = Lanes.load(state + j)
            let radd = Lanes.clamp(Lanes.rescale32(rwx, k.rA) &+ Lanes.rescale32(rwh, k.rB), bR.0, bR.1)
            let zadd = Lanes.clamp(Lanes.rescale32(zwx, k.zA) &+ Lanes.rescale32(zwh, k.zB), bZ.0, bZ.1)
            let r = Lanes.lookup(tables.r, radd, scratch: scratch)
            let z = Lanes.lookup(tables.z, zadd, scratch: scratch)
            let nmul = Lanes.requantize(r &* nwh, nMul, low: bM.low, high: bM.high)
            let nadd = Lanes.clamp(Lanes.rescale32(nwx, k.nA) &+ Lanes.rescale32(nmul, k.nB), bN.0, bN.1)
            let n = Lanes.lookup(tables.n, nadd, scratch: scratch)
            let hsub = Lanes.clamp(one &- Lanes.rescale32(z, k.subZ), bS.0, bS.1)
            let hmn = Lanes.requantize(hsub &* n, hMulN, low: bMN.low, high: bMN.high)
            let hmh = Lanes.requantize(z &* old, hMulH, low: bMH.low, high: bMH.high)
            let next = Lanes.clamp(Lanes.rescale32(hmn, k.hA) &+ Lanes.rescale32(hmh, k.hB), bH.0, bH.1)
            Lanes.store(next, state + j)
            Lanes.store(next &+ stateOffset, scratch)
            for l in 0..<16 { state16[j + l] = Int16(truncatingIfNeeded: scratch[l]) }
            j += 16
        }
    }
}
