import Foundation

/// The operand rescales of the elementwise cell in 32-bit arithmetic, when every one fits
/// (and the 64-bit product requantizations stay below 2^61); shared by the Swift and the
/// AVX-512 kernels, which take the scalar path otherwise.
struct CellRescalers {
    var rA, rB, zA, zB, nA, nB, hA, hB, subZ: RequantizerS32

    init?(_ q: QuantizedGRU) {
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
        (self.rA, self.rB, self.zA, self.zB, self.nA, self.nB, self.hA, self.hB, self.subZ) = (rA, rB, zA, zB, nA, nB, hA, hB, subZ)
    }
}
