import Foundation

/// The vectorised elementwise part of the fast engine: 16 lanes at a time, 32-bit where the
/// prepared bounds allow and 64-bit (`Lanes.requantize`) where products need it. Bit for bit
/// the same arithmetic as the reference; configurations whose operand rescales could overflow
/// 32 bits take the scalar path instead.
///
/// Every table is a raw pointer into storage `PreparedIntegerLayer` owns and frees, and every
/// bound a plain value, so the struct is trivial: the hot loops read it without the
/// retain/release pair an array field costs on each access (35 % of a profile before).
struct FastCellConstants {
    /// Per 16-column block of the 3·Hp gate columns: multiplier, shifts, rounding (even and
    /// odd lanes) and bias of the linear outputs, and their saturation bounds.
    struct Side {
        var m, left, right, bias: UnsafeMutablePointer<Lanes.V>
        var roundEven, roundOdd: UnsafeMutablePointer<Lanes.W>
        var low, high: UnsafeMutablePointer<Int64>

        init(blocks: Int) {
            m = .allocate(capacity: blocks); left = .allocate(capacity: blocks)
            right = .allocate(capacity: blocks); bias = .allocate(capacity: blocks)
            roundEven = .allocate(capacity: blocks); roundOdd = .allocate(capacity: blocks)
            low = .allocate(capacity: blocks); high = .allocate(capacity: blocks)
        }

        func deallocate() {
            for p in [m, left, right, bias] { p.deallocate() }
            roundEven.deallocate(); roundOdd.deallocate(); low.deallocate(); high.deallocate()
        }
    }

    var input: Side, state: Side
    // Elementwise rescales and the bounds of each operator's output.
    var rescales: GRURescales<RequantizerS32>
    var nMul, hMulN, hMulH: RequantizerS64
    var hSubOne: Int32
    var boundR, boundZ, boundN, boundSub, boundH: (low: Int32, high: Int32)
    var boundMul, boundMulN, boundMulH: (low: Int64, high: Int64)

    func deallocate() {
        input.deallocate()
        state.deallocate()
    }
}

extension PreparedIntegerLayer {
    /// Constants for the vectorised Swift path, given rescales that fit 32 bits.
    static func fastConstants(_ q: QuantizedGRU, rescalers c: GRURescales<RequantizerS32>, hiddenPadded hp: Int, inputBias: [Int32], stateBias: [Int32],
                              inputRequant: [RequantizerS64], stateRequant: [RequantizerS64],
                              inputLow: [Int64], inputHigh: [Int64], stateLow: [Int64], stateHigh: [Int64]) -> FastCellConstants {
        let blocks = 3 * hp / 16
        func bounds32(_ op: GRUOperator) -> (low: Int32, high: Int32) {
            let b = q.bounds(op)
            return (Int32(b.low), Int32(b.high))
        }
        let k = FastCellConstants(input: .init(blocks: blocks), state: .init(blocks: blocks),
                                  rescales: c,
                                  nMul: RequantizerS64(q.mulRequantizers[.nMul]!), hMulN: RequantizerS64(q.mulRequantizers[.hMulN]!),
                                  hMulH: RequantizerS64(q.mulRequantizers[.hMulH]!), hSubOne: Int32(q.hSubOne),
                                  boundR: bounds32(.rAdd), boundZ: bounds32(.zAdd), boundN: bounds32(.nAdd),
                                  boundSub: bounds32(.hSub), boundH: bounds32(.hAdd),
                                  boundMul: q.bounds(.nMul), boundMulN: q.bounds(.hMulN), boundMulH: q.bounds(.hMulH))
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
        func fill(_ side: FastCellConstants.Side, requant: [RequantizerS64], bias: [Int32], low: [Int64], high: [Int64]) {
            for block in 0..<blocks {
                let base = block * 16
                side.m[block] = lanes { requant[base + $0].m }
                side.left[block] = lanes { requant[base + $0].left }
                side.right[block] = lanes { requant[base + $0].right }
                side.roundEven[block] = wide { requant[base + 2 * $0].round }
                side.roundOdd[block] = wide { requant[base + 2 * $0 + 1].round }
                side.bias[block] = lanes { Int64(bias[base + $0]) }
                side.low[block] = low[base]
                side.high[block] = high[base]
            }
        }
        fill(k.input, requant: inputRequant, bias: inputBias, low: inputLow, high: inputHigh)
        fill(k.state, requant: stateRequant, bias: stateBias, low: stateLow, high: stateHigh)
        return k
    }

    /// Bias, requantization and saturation of `rows` rows of int32 sums, in place.
    @inline(__always)
    func requantizeFast(rows: Int, sums: UnsafeMutablePointer<Int32>, side k: FastCellConstants.Side) {
        let g = gateColumns, blocks = g / 16
        for row in 0..<rows {
            let o = sums + row * g
            for b in 0..<blocks {
                let acc = Lanes.load(o + 16 * b) &+ k.bias[b]
                let y = Lanes.requantize(acc, m: k.m[b], left: k.left[b], right: k.right[b],
                                         round: k.roundEven[b], roundOdd: k.roundOdd[b], low: k.low[b], high: k.high[b])
                Lanes.store(y, o + 16 * b)
            }
        }
    }

    /// One row of the cell, 16 lanes at a time.
    @inline(__always)
    func cellFast(x: UnsafePointer<Int32>, h: UnsafePointer<Int32>, state: UnsafeMutablePointer<Int32>,
                  state16: UnsafeMutablePointer<Int16>, stateOffset: Int32, _ k: FastCellConstants, hiddenPadded hp: Int,
                  scratch: UnsafeMutablePointer<Int32>, tables: (r: UnsafePointer<Int32>, z: UnsafePointer<Int32>, n: UnsafePointer<Int32>)) {
        let bR = k.boundR, bZ = k.boundZ, bN = k.boundN, bS = k.boundSub, bH = k.boundH
        let bM = k.boundMul, bMN = k.boundMulN, bMH = k.boundMulH
        let one = Lanes.V(repeating: k.hSubOne), s = k.rescales
        var j = 0
        while j < hp {
            let rwx = Lanes.load(x + j), zwx = Lanes.load(x + hp + j), nwx = Lanes.load(x + 2 * hp + j)
            let rwh = Lanes.load(h + j), zwh = Lanes.load(h + hp + j), nwh = Lanes.load(h + 2 * hp + j)
            let old = Lanes.load(state + j)
            let radd = Lanes.clamp(Lanes.rescale32(rwx, s.rA) &+ Lanes.rescale32(rwh, s.rB), bR.low, bR.high)
            let zadd = Lanes.clamp(Lanes.rescale32(zwx, s.zA) &+ Lanes.rescale32(zwh, s.zB), bZ.low, bZ.high)
            let r = Lanes.lookup(tables.r, radd, scratch: scratch)
            let z = Lanes.lookup(tables.z, zadd, scratch: scratch)
            let nmul = Lanes.requantize(r &* nwh, k.nMul, low: bM.low, high: bM.high)
            let nadd = Lanes.clamp(Lanes.rescale32(nwx, s.nA) &+ Lanes.rescale32(nmul, s.nB), bN.low, bN.high)
            let n = Lanes.lookup(tables.n, nadd, scratch: scratch)
            let hsub = Lanes.clamp(one &- Lanes.rescale32(z, s.subZ), bS.low, bS.high)
            let hmn = Lanes.requantize(hsub &* n, k.hMulN, low: bMN.low, high: bMN.high)
            let hmh = Lanes.requantize(z &* old, k.hMulH, low: bMH.low, high: bMH.high)
            let next = Lanes.clamp(Lanes.rescale32(hmn, s.hA) &+ Lanes.rescale32(hmh, s.hB), bH.low, bH.high)
            Lanes.store(next, state + j)
            Lanes.store(next &+ stateOffset, scratch)
            for l in 0..<16 { state16[j + l] = Int16(truncatingIfNeeded: scratch[l]) }
            j += 16
        }
    }
}
