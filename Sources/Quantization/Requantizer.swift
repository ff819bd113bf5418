import Foundation

/// An integer approximation of multiplying by a positive real factor: `multiplier · 2^(−shift)`.
///
/// The one rounding rule of gq's integer arithmetic (docs/quantization.md, "Requantization"):
///
///     y = (x · M + 2^(s−1)) >> s      when s > 0   (64-bit product; >> is arithmetic, i.e. floor)
///     y = (x · M) << (−s)              when s ≤ 0
///
/// that is, the exact product rounded to the nearest integer with ties toward +∞
/// ("round half up"): 2.5 → 3, −2.5 → −2, −2.6 → −3. The caller then saturates `y` to
/// the output's code range. In multiplier mode M lies in [2^14, 2^15) (it fits an int16)
/// and |x| < 2^47, so `x · M` never leaves int64; in power-of-two mode M = 1.
///
/// This is the exact scalar definition; the batched engine's `RequantizerS64` and
/// `RequantizerS32` re-encode it for wider and narrower lanes and are bit-exact with it.
public struct Requantizer: Hashable, Sendable, CustomStringConvertible {
    public var multiplier: Int32
    public var shift: Int32

    public init(multiplier: Int32, shift: Int32) {
        self.multiplier = multiplier
        self.shift = shift
    }

    /// Multiplier and shift for the real factor `m` (> 0).
    ///
    /// Multiplier mode: m = f · 2^e with f in [0.5, 1); M = round(f · 2^15) (half away from
    /// zero), s = 15 − e; when rounding gives 2^15, M = 2^14 and s − 1. A factor so small
    /// that s > 62 becomes M = 0, s = 0 (everything maps to 0, as the exact rule would for
    /// |x| < 2^47). Power-of-two mode: m must be 2^k; M = 1, s = −k (again M = 0, s = 0 when
    /// s > 62).
    public init(factor m: Double, mode: QuantizationOptions.Requantization) {
        precondition(m.isFinite && m >= 0, "Requantizer: factor \(m) must be finite and ≥ 0")
        guard m > 0 else { self.init(multiplier: 0, shift: 0); return }
        switch mode {
        case .powerOfTwo:
            let k = Foundation.log2(m).rounded()
            precondition(abs(Foundation.exp2(k) - m) <= m * 1e-12, "Requantizer: \(m) is not a power of two")
            // As in multiplier mode, a factor so small that s > 62 maps everything to 0.
            if -k > 62 { self.init(multiplier: 0, shift: 0); return }
            self.init(multiplier: 1, shift: Int32(-k))
        case .multiplierShift:
            let e = m.exponent + 1          // m = f · 2^e, f in [0.5, 1)
            let f = m / Foundation.exp2(Double(e))
            var M = (f * 32768).rounded(.toNearestOrAwayFromZero)
            var s = 15 - e
            if M >= 32768 { M = 16384; s -= 1 }
            if s > 62 { self.init(multiplier: 0, shift: 0); return }
            self.init(multiplier: Int32(M), shift: Int32(s))
        }
    }

    /// The real factor this requantizer applies.
    public var factor: Double { Double(multiplier) * Foundation.exp2(Double(-shift)) }

    /// The documented rule, on one value (before saturation).
    @inlinable
    public func apply(_ x: Int64) -> Int64 {
        let product = x &* Int64(multiplier)
        if shift > 0 { return (product &+ (Int64(1) << (shift - 1))) >> Int64(shift) }
        return product << Int64(-shift)
    }

    public var description: String { "×\(multiplier) >> \(shift)" }
}

// The engine's variants, named like CMSIS-NN kernels by the width of their operands and
// arithmetic. The rule lives once, in `Requantizer.apply`; each variant is a re-encoding of
// its (M, s), so the batched engine can match the reference bit for bit.

/// `Requantizer.apply` on int64 operands in int64 arithmetic, as branch-free lane constants; bit-exact with it.
struct RequantizerS64 {
    // y = (((x · m) << left) + round) >> right: a shift of either sign becomes a left and a
    // right shift of which one is 0, so lanes with different shifts need no branch.
    var m: Int64 = 0, left: Int64 = 0, round: Int64 = 0, right: Int64 = 0

    init() {}

    init(_ r: Requantizer) {
        m = Int64(r.multiplier)
        if r.shift > 0 {
            right = Int64(r.shift); round = Int64(1) << (right - 1)
        } else {
            left = Int64(-r.shift)
        }
    }

    @inline(__always)
    func apply(_ x: Int64) -> Int64 { (((x &* m) &<< left) &+ round) &>> right }
}

/// `Requantizer.apply` on int32 operands in int32 arithmetic; bit-exact with it up to the input bound it is built for.
struct RequantizerS32 {
    var m: Int32 = 0, left: Int32 = 0, round: Int32 = 0, right: Int32 = 0

    /// Nil when 32-bit arithmetic could overflow for inputs up to `maxInput` in magnitude.
    init?(_ r: Requantizer, maxInput: Int64) {
        let lane = RequantizerS64(r)
        if lane.right >= 32 {
            // |x · m| < 2^30 ≤ 2^(s−1): the exact result is 0 for every input.
            guard maxInput * lane.m < (Int64(1) << 29) else { return nil }
            return
        }
        guard lane.left < 31, (maxInput * lane.m) << lane.left + lane.round < (Int64(1) << 29) else { return nil }
        m = Int32(lane.m); left = Int32(lane.left); round = Int32(lane.round); right = Int32(lane.right)
    }
}

/// Saturation bounds of b-bit codes.
public enum CodeRange {
    /// 2^(b−1) − 1: signed codes span ±this.
    @inlinable public static func signedMax(_ bits: Int) -> Int64 { (Int64(1) << (bits - 1)) - 1 }
    /// 2^b − 1: unsigned codes span 0 … this.
    @inlinable public static func unsignedMax(_ bits: Int) -> Int64 { (Int64(1) << bits) - 1 }

    /// (lowest, highest) code of an operator's output at `bits`.
    public static func bounds(of op: GRUOperator, bits: Int) -> (low: Int64, high: Int64) {
        bounds(unsigned: op.isUnsigned, bits: bits)
    }

    /// (lowest, highest) of unsigned codes 0 … 2^b − 1 or signed ±(2^(b−1) − 1).
    @inlinable public static func bounds(unsigned: Bool, bits: Int) -> (low: Int64, high: Int64) {
        unsigned ? (0, unsignedMax(bits)) : (-signedMax(bits), signedMax(bits))
    }
}

extension Int64 {
    /// Saturates to `low ... high`.
    @inlinable func clamped(_ low: Int64, _ high: Int64) -> Int64 { Swift.min(Swift.max(self, low), high) }
}
