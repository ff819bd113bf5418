import Foundation

/// The GRU cell's nine operand rescales: each addition's two operands (r, z, n, h) and the
/// operand of 1 − z. Declared once; each engine holds them in its own number type (the
/// reference's `Requantizer`, the lanes' 32- and 64-bit forms, the AVX-512 kernels' C
/// structs, which are filled from `all` in the order CIntegerKernels.h's GQ_GRU_RESCALES
/// lists them). The hand-written fast cells read them by name; a new cell brings its own.
struct GRURescales<R> {
    var rA, rB, zA, zB, nA, nB, hA, hB, subZ: R

    /// In declaration order.
    var all: [R] { [rA, rB, zA, zB, nA, nB, hA, hB, subZ] }

    func map<T>(_ transform: (R) throws -> T) rethrows -> GRURescales<T> {
        try GRURescales<T>(rA: transform(rA), rB: transform(rB), zA: transform(zA), zB: transform(zB), nA: transform(nA),
                           nB: transform(nB), hA: transform(hA), hB: transform(hB), subZ: transform(subZ))
    }

    /// Each rescale with the operator whose codes it reads; nil when `transform` is nil for any.
    func map<T>(_ transform: (R, GRUOperator) -> T?) -> GRURescales<T>? {
        let from = GRURescales<GRUOperator>.operands
        guard let rA = transform(rA, from.rA), let rB = transform(rB, from.rB), let zA = transform(zA, from.zA),
              let zB = transform(zB, from.zB), let nA = transform(nA, from.nA), let nB = transform(nB, from.nB),
              let hA = transform(hA, from.hA), let hB = transform(hB, from.hB), let subZ = transform(subZ, from.subZ)
        else { return nil }
        return GRURescales<T>(rA: rA, rB: rB, zA: zA, zB: zB, nA: nA, nB: nB, hA: hA, hB: hB, subZ: subZ)
    }
}

extension GRURescales: Sendable where R: Sendable {}

extension GRURescales where R == GRUOperator {
    /// The operator each rescale reads, from the cell's description.
    static let operands: GRURescales<GRUOperator> = {
        func pair(_ op: GRUOperator) -> (GRUOperator, GRUOperator) {
            guard let operands = op.operands else { preconditionFailure("\(op.name) is not an addition") }
            return operands
        }
        let (r, z, n, h) = (pair(.rAdd), pair(.zAdd), pair(.nAdd), pair(.hAdd))
        guard case .oneMinus(_, let operand) = GRUOperator.hSub.node else { preconditionFailure("h.sub is not a one-minus node") }
        return GRURescales(rA: r.0, rB: r.1, zA: z.0, zB: z.1, nA: n.0, nB: n.1, hA: h.0, hB: h.1, subZ: GRUOperator(operand))
    }()
}

extension GRURescales where R == Requantizer {
    /// A single-layer model's (or a stack's layer view's) rescales.
    init(_ q: QuantizedGRU) {
        let add = q.addRescalers
        func pair(_ op: GRUOperator) -> (Requantizer, Requantizer) {
            guard let pair = add[op] else { preconditionFailure("no rescalers for \(op.name)") }
            return pair
        }
        let (r, z, n, h) = (pair(.rAdd), pair(.zAdd), pair(.nAdd), pair(.hAdd))
        self.init(rA: r.0, rB: r.1, zA: z.0, zB: z.1, nA: n.0, nB: n.1, hA: h.0, hB: h.1, subZ: q.hSubRescaler)
    }
}

extension GRURescales where R == RequantizerS32 {
    /// The rescales in 32-bit arithmetic when every one fits (and the 64-bit product
    /// requantizations stay below 2^61), shared by the Swift and the AVX-512 vector cells;
    /// nil sends the model to the scalar path.
    init?(lanes q: QuantizedGRU) {
        guard let narrow = GRURescales<Requantizer>(q).map({ r, from in RequantizerS32(r, maxInput: q.largestCode(from)) }) else { return nil }
        // The 64-bit lane requantizers must stay below 2^61 before saturation (Lanes.clamp).
        func fits(_ r: Requantizer, maxInput: Double) -> Bool {
            let lane = RequantizerS64(r)
            return maxInput * Double(lane.m) * Foundation.exp2(Double(lane.left)) < Foundation.exp2(61)
        }
        func products(_ op: GRUOperator) -> Bool {
            guard let (a, b) = op.operands, let r = q.mulRequantizers[op] else { return false }
            return fits(r, maxInput: Double(q.largestCode(a)) * Double(q.largestCode(b)))
        }
        guard [GRUOperator.nMul, .hMulN, .hMulH].allSatisfy(products),
              q.linear.allSatisfy({ layer in
                  (0..<layer.rows).allSatisfy { fits(layer.requantizer(row: $0), maxInput: Foundation.exp2(31)) }
              })
        else { return nil }
        self = narrow
    }
}
