/// Sixteen int32 lanes with 64-bit requantization, for the fast engine's elementwise part.
///
/// Swift's SIMD type conversions are element by element, so widening is done with bit tricks:
/// a `SIMD16<Int32>` viewed as `SIMD8<Int64>` holds the even lanes in the low halves and the odd
/// lanes in the high halves; `(w << 32) >> 32` and `w >> 32` sign-extend them, which also tells
/// LLVM the products fit `vpmuldq`. Results are saturated in 64 bits and packed back.
enum Lanes {
    typealias V = SIMD16<Int32>
    typealias W = SIMD8<Int64>

    @inline(__always) static func load(_ p: UnsafePointer<Int32>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Int32>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
    @inline(__always) static func even(_ v: V) -> W { (unsafeBitCast(v, to: W.self) &<< 32) &>> 32 }
    @inline(__always) static func odd(_ v: V) -> W { unsafeBitCast(v, to: W.self) &>> 32 }
    @inline(__always) static func join(even e: W, odd o: W) -> V {
        unsafeBitCast((o &<< 32) | (e & 0xFFFF_FFFF), to: V.self)
    }
    /// Saturation by arithmetic (the standard library's masked `replacing` and `pointwiseMin` are
    /// lowered lane by lane): for |v| < 2^30, `(v − low) >> 31` is all ones exactly when v < low.
    @inline(__always) static func clamp(_ v: V, _ low: Int32, _ high: Int32) -> V {
        let l = V(repeating: low), h = V(repeating: high)
        let dl = v &- l
        let a = l &+ (dl & ~(dl &>> 31))         // max(v, low)
        let dh = a &- h
        return h &+ (dh & (dh &>> 31))           // min(a, high)
    }
    /// The same in 64-bit lanes, for |w| < 2^62.
    @inline(__always) static func clamp(_ w: W, _ low: Int64, _ high: Int64) -> W {
        let l = W(repeating: low), h = W(repeating: high)
        let dl = w &- l
        let a = l &+ (dl & ~(dl &>> 63))
        let dh = a &- h
        return h &+ (dh & (dh &>> 63))
    }

    /// `clamp(((x · m) << left + round) >> right)` per lane in 64 bits; the parameters are per lane
    /// (int32 lanes: multiplier, left shift, right shift; the rounding term is derived).
    @inline(__always)
    static func requantize(_ x: V, m: V, left: V, right: V, round: W, roundOdd: W, low: Int64, high: Int64) -> V {
        let pe = even(x) &* even(m), po = odd(x) &* odd(m)
        let ye = ((pe &<< even(left)) &+ round) &>> even(right)
        let yo = ((po &<< odd(left)) &+ roundOdd) &>> odd(right)
        return join(even: clamp(ye, low, high), odd: clamp(yo, low, high))
    }

    /// The same with one requantizer for all lanes.
    @inline(__always)
    static func requantize(_ x: V, _ r: RequantizerS64, low: Int64, high: Int64) -> V {
        let m = W(repeating: r.m)
        let ye = (((even(x) &* m) &<< r.left) &+ r.round) &>> r.right
        let yo = (((odd(x) &* m) &<< r.left) &+ r.round) &>> r.right
        return join(even: clamp(ye, low, high), odd: clamp(yo, low, high))
    }

    /// An operand rescale done in 32 bits; valid when `|x| · m · 2^left + round < 2^29`, so that
    /// two of them add, and `clamp` subtracts a bound, without overflow
    /// (checked when the engine is prepared).
    @inline(__always)
    static func rescale32(_ x: V, _ r: RequantizerS32) -> V {
        (((x &* r.m) &<< r.left) &+ r.round) &>> r.right
    }

    /// Table lookup per lane, through a 16-entry scratch (`table` points at code 0's entry).
    @inline(__always)
    static func lookup(_ table: UnsafePointer<Int32>, _ index: V, scratch: UnsafeMutablePointer<Int32>) -> V {
        store(index, scratch)
        for l in 0..<16 { scratch[16 + l] = table[Int(scratch[l])] }
        return load(scratch + 16)
    }
}
