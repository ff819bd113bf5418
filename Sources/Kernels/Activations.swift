/// Vectorised exp, σ and tanh on `SIMD16<Float>`, accurate to a few ulp.
///
/// libm's scalar `expf` costs more than the GRU's matrix products at hidden size 64,
/// so the cell's nonlinearities run on 16 lanes at once with a Cephes-style
/// polynomial. `@inlinable` so that the GRU's fused cell loop can inline them.
public enum Activations {
    /// eˣ for each lane; inputs are clamped to ±88 so the result stays finite.
    @inlinable @inline(__always)
    public static func exp(_ input: SIMD16<Float>) -> SIMD16<Float> {
        // Only plain lane arithmetic and bit casts below: the standard library's generic
        // `clamped`, `rounded` and Float→Int conversions are not inlined per lane and cost
        // more than the whole polynomial.
        let x0 = pointwiseMax(pointwiseMin(input, SIMD16(repeating: 88.3)), SIMD16(repeating: -87.3))
        // Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits.
        let magic = SIMD16<Float>(repeating: 12_582_912)
        let shifted = x0 * 1.442_695_04 + magic
        let n = shifted - magic
        // ln 2 split in two so that n·ln2 is exact to float precision (Cody–Waite).
        var x = x0 - n * 0.693_359_375
        x = x + n * 2.121_944_40e-4
        let z = x * x
        var y = SIMD16<Float>(repeating: 1.987_569_150_0e-4)
        y = y * x + 1.398_199_950_7e-3
        y = y * x + 8.333_451_907_3e-3
        y = y * x + 4.166_579_589_4e-2
        y = y * x + 1.666_666_545_9e-1
        y = y * x + 5.000_000_120_1e-1
        y = y * z + x + 1
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let exponent = (integer &+ 127) &<< 23
        return y * unsafeBitCast(exponent, to: SIMD16<Float>.self)
    }

    /// The logistic function 1 / (1 + e⁻ˣ) for each lane.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> {
        1 / (1 + exp(-x))
    }

    /// tanh for each lane, as 1 − 2 / (e²ˣ + 1): exact limits ±1 and an absolute error near 1e-7.
    @inlinable @inline(__always)
    public static func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
        1 - 2 / (exp(x + x) + 1)
    }

    /// σ applied in place to `count` floats.
    public static func sigmoid(_ values: UnsafeMutablePointer<Float>, count: Int) {
        apply(values, count: count) { sigmoid($0) }
    }

    /// tanh applied in place to `count` floats.
    public static func tanh(_ values: UnsafeMutablePointer<Float>, count: Int) {
        apply(values, count: count) { tanh($0) }
    }

    /// σ of each element of an array.
    public static func sigmoid(_ values: [Float]) -> [Float] {
        var out = values
        out.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { sigmoid(p, count: $0.count) } }
        return out
    }

    /// tanh of each element of an array.
    public static func tanh(_ values: [Float]) -> [Float] {
        var out = values
        out.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { tanh(p, count: $0.count) } }
        return out
    }

    @inline(__always)
    static func apply(_ values: UnsafeMutablePointer<Float>, count: Int, _ f: (SIMD16<Float>) -> SIMD16<Float>) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(values + i).storeBytes(of: f(v), as: SIMD16<Float>.self)
            i += 16
        }
        if i < count {
            let v = loadPartial(values + i, count: count - i)
            storePartial(f(v), to: values + i, count: count - i)
        }
    }

    /// The first `count` (< 16) lanes from memory, zeros after; for row tails.
    @inlinable @inline(__always)
    public static func loadPartial(_ p: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
        var v = SIMD16<Float>()
        for q in 0..<count { v[q] = p[q] }
        return v
    }

    /// Stores the first `count` lanes of `v`.
    @inlinable @inline(__always)
    public static func storePartial(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, count: Int) {
        for q in 0..<count { p[q] = v[q] }
    }
}
