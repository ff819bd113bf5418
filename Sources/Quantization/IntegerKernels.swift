/// Integer matrix products for the fast engine: int16 codes in, int32 sums out.
///
/// Weights are packed for `C[rows × 16V] = A[rows × 2P] · W`: for each block of 16 output
/// columns v and each pair of depths p, 32 int16 values `w[c][2p], w[c][2p+1]` for the 16
/// columns c of the block. A row's two inputs at depths 2p, 2p+1 are read as one 32-bit word and
/// broadcast, and each lane multiplies its column's pair, so every product sums pairs exactly
/// as `vpmaddwd` does.
///
/// In `offset` mode the inputs are stored as `code + 2^14` (so only valid for |code| < 2^14,
/// i.e. widths up to 15 bits): both halves of the input word are then known to be
/// non-negative 15-bit numbers, which lets LLVM emit `vpmaddwd`/`vpdpwssd` instead of 32-bit
/// multiplies. The offset's contribution, 2^14 · Σ_k w[c][k], is folded into the bias. Sums
/// wrap modulo 2^32 on the way, which is exact because the final sum fits in int32 (the
/// engine takes the int64 path otherwise).
enum IntegerKernels {
    /// The offset added to input codes in offset mode.
    static let offset: Int32 = 1 << 14

    @inline(__always)
    static func low(_ w: SIMD16<Int32>) -> SIMD16<Int32> { (w &<< 16) &>> 16 }
    @inline(__always)
    static func high(_ w: SIMD16<Int32>) -> SIMD16<Int32> { w &>> 16 }

    /// The two input halves of a broadcast pair word, as the mode allows LLVM to see them.
    @inline(__always)
    static func halves(_ word: Int32, offset: Bool) -> (SIMD16<Int32>, SIMD16<Int32>) {
        let v = SIMD16<Int32>(repeating: word)
        if offset { return (v & 0x7FFF, (v &>> 16) & 0x7FFF) }
        return ((v &<< 16) &>> 16, v &>> 16)
    }

    /// C = A · W for `rows` rows of A (stride `lda` int16, 2·pairs used) into C (stride `ldc` int32).
    @inline(__always)
    static func product(rows: Int, pairs: Int, vectors: Int, a: UnsafePointer<Int16>, lda: Int,
                        w: UnsafePointer<Int16>, c: UnsafeMutablePointer<Int32>, ldc: Int, offset: Bool) {
        let panel = pairs * 32   // int16 values per column block
        var v = 0
        while v + 4 <= vectors {
            var r = 0
            while r + 4 <= rows {
                tile4x4(row: r, vector: v, pairs: pairs, panel: panel, a: a, lda: lda, w: w, c: c, ldc: ldc, offset: offset)
                r += 4
            }
            while r < rows {
                for u in v..<(v + 4) { tile1x1(row: r, vector: u, pairs: pairs, panel: panel, a: a, lda: lda, w: w, c: c, ldc: ldc, offset: offset) }
                r += 1
            }
            v += 4
        }
        while v < vectors {
            for r in 0..<rows { tile1x1(row: r, vector: v, pairs: pairs, panel: panel, a: a, lda: lda, w: w, c: c, ldc: ldc, offset: offset) }
            v += 1
        }
    }

    @inline(__always)
    static func tile4x4(row r: Int, vector v: Int, pairs: Int, panel: Int, a: UnsafePointer<Int16>, lda: Int,
                        w: UnsafePointer<Int16>, c: UnsafeMutablePointer<Int32>, ldc: Int, offset: Bool) {
        var c00 = SIMD16<Int32>(), c01 = SIMD16<Int32>(), c02 = SIMD16<Int32>(), c03 = SIMD16<Int32>()
        var c10 = SIMD16<Int32>(), c11 = SIMD16<Int32>(), c12 = SIMD16<Int32>(), c13 = SIMD16<Int32>()
        var c20 = SIMD16<Int32>(), c21 = SIMD16<Int32>(), c22 = SIMD16<Int32>(), c23 = SIMD16<Int32>()
        var c30 = SIMD16<Int32>(), c31 = SIMD16<Int32>(), c32 = SIMD16<Int32>(), c33 = SIMD16<Int32>()
        let w0 = UnsafeRawPointer(w + v * panel), w1 = UnsafeRawPointer(w + (v + 1) * panel)
        let w2 = UnsafeRawPointer(w + (v + 2) * panel), w3 = UnsafeRawPointer(w + (v + 3) * panel)
        let a0 = UnsafeRawPointer(a + r * lda), a1 = UnsafeRawPointer(a + (r + 1) * lda)
        let a2 = UnsafeRawPointer(a + (r + 2) * lda), a3 = UnsafeRawPointer(a + (r + 3) * lda)
        for p in 0..<pairs {
            let o = p * 64
            let b0 = w0.loadUnaligned(fromByteOffset: o, as: SIMD16<Int32>.self)
            let b1 = w1.loadUnaligned(fromByteOffset: o, as: SIMD16<Int32>.self)
            let b2 = w2.loadUnaligned(fromByteOffset: o, as: SIMD16<Int32>.self)
            let b3 = w3.loadUnaligned(fromByteOffset: o, as: SIMD16<Int32>.self)
            let l0 = low(b0), h0 = high(b0), l1 = low(b1), h1 = high(b1)
            let l2 = low(b2), h2 = high(b2), l3 = low(b3), h3 = high(b3)
            let (x0, y0) = halves(a0.loadUnaligned(fromByteOffset: p * 4, as: Int32.self), offset: offset)
            c00 &+= l0 &* x0 &+ h0 &* y0; c01 &+= l1 &* x0 &+ h1 &* y0
            c02 &+= l2 &* x0 &+ h2 &* y0; c03 &+= l3 &* x0 &+ h3 &* y0
            let (x1, y1) = halves(a1.loadUnaligned(fromByteOffset: p * 4, as: Int32.self), offset: offset)
            c10 &+= l0 &* x1 &+ h0 &* y1; c11 &+= l1 &* x1 &+ h1 &* y1
            c12 &+= l2 &* x1 &+ h2 &* y1; c13 &+= l3 &* x1 &+ h3 &* y1
            let (x2, y2) = halves(a2.loadUnaligned(fromByteOffset: p * 4, as: Int32.self), offset: offset)
            c20 &+= l0 &* x2 &+ h0 &* y2; c21 &+= l1 &* x2 &+ h1 &* y2
            c22 &+= l2 &* x2 &+ h2 &* y2; c23 &+= l3 &* x2 &+ h3 &* y2
            let (x3, y3) = halves(a3.loadUnaligned(fromByteOffset: p * 4, as: Int32.self), offset: offset)
            c30 &+= l0 &* x3 &+ h0 &* y3; c31 &+= l1 &* x3 &+ h1 &* y3
            c32 &+= l2 &* x3 &+ h2 &* y3; c33 &+= l3 &* x3 &+ h3 &* y3
        }
        let out = UnsafeMutableRawPointer(c + v * 16)
        let s = ldc * 4
        out.storeBytes(of: c00, toByteOffset: r * s, as: SIMD16<Int32>.self)
        out.storeBytes(of: c01, toByteOffset: r * s + 64, as: SIMD16<Int32>.self)
        out.storeBytes(of: c02, toByteOffset: r * s + 128, as: SIMD16<Int32>.self)
        out.storeBytes(of: c03, toByteOffset: r * s + 192, as: SIMD16<Int32>.self)
        out.storeBytes(of: c10, toByteOffset: (r + 1) * s, as: SIMD16<Int32>.self)
        out.storeBytes(of: c11, toByteOffset: (r + 1) * s + 64, as: SIMD16<Int32>.self)
        out.storeBytes(of: c12, toByteOffset: (r + 1) * s + 128, as: SIMD16<Int32>.self)
        out.storeBytes(of: c13, toByteOffset: (r + 1) * s + 192, as: SIMD16<Int32>.self)
        out.storeBytes(of: c20, toByteOffset: (r + 2) * s, as: SIMD16<Int32>.self)
        out.storeBytes(of: c21, toByteOffset: (r + 2) * s + 64, as: SIMD16<Int32>.self)
        out.storeBytes(of: c22, toByteOffset: (r + 2) * s + 128, as: SIMD16<Int32>.self)
        out.storeBytes(of: c23, toByteOffset: (r + 2) * s + 192, as: SIMD16<Int32>.self)
        out.storeBytes(of: c30, toByteOffset: (r + 3) * s, as: SIMD16<Int32>.self)
        out.storeBytes(of: c31, toByteOffset: (r + 3) * s + 64, as: SIMD16<Int32>.self)
        out.storeBytes(of: c32, toByteOffset: (r + 3) * s + 128, as: SIMD16<Int32>.self)
        out.storeBytes(of: c33, toByteOffset: (r + 3) * s + 192, as: SIMD16<Int32>.self)
    }

    @inline(__always)
    static func tile1x1(row r: Int, vector v: Int, pairs: Int, panel: Int, a: UnsafePointer<Int16>, lda: Int,
                        w: UnsafePointer<Int16>, c: UnsafeMutablePointer<Int32>, ldc: Int, offset: Bool) {
        var acc = SIMD16<Int32>()
        let wv = UnsafeRawPointer(w + v * panel)
        let ar = UnsafeRawPointer(a + r * lda)
        for p in 0..<pairs {
            let b = wv.loadUnaligned(fromByteOffset: p * 64, as: SIMD16<Int32>.self)
            let (x, y) = halves(ar.loadUnaligned(fromByteOffset: p * 4, as: Int32.self), offset: offset)
            acc &+= low(b) &* x &+ high(b) &* y
        }
        UnsafeMutableRawPointer(c + r * ldc + v * 16).storeBytes(of: acc, as: SIMD16<Int32>.self)
    }

    /// Offset mode, compiled separately so the constant reaches every lane operation.
    @inline(never)
    static func productOffset(rows: Int, pairs: Int, vectors: Int, a: UnsafePointer<Int16>, lda: Int,
                              w: UnsafePointer<Int16>, c: UnsafeMutablePointer<Int32>, ldc: Int) {
        product(rows: rows, pairs: pairs, vectors: vectors, a: a, lda: lda, w: w, c: c, ldc: ldc, offset: true)
    }

    /// Plain signed int16 inputs (16-bit codes).
    @inline(never)
    static func productPlain(rows: Int, pairs: Int, vectors: Int, a: UnsafePointer<Int16>, lda: Int,
                             w: UnsafePointer<Int16>, c: UnsafeMutablePointer<Int32>, ldc: Int) {
        product(rows: rows, pairs: pairs, vectors: vectors, a: a, lda: lda, w: w, c: c, ldc: ldc, offset: false)
    }

    /// Packs a `columns × depth` weight matrix (row c = output column c, row-major with stride
    /// `depth`) into the layout above, with `columnsPadded` (a multiple of 16) and `depthPadded`
    /// (a multiple of `group`) zero-filled. `group` depths sit side by side per column: 2
    /// for the int16 pairs here, 4 for the byte quads of `gq_product_u8s8`.
    static func pack<Code: FixedWidthInteger>(weights: (Int, Int) -> Int16, columns: Int, depth: Int, columnsPadded: Int,
                                             depthPadded: Int, group: Int = 2, as _: Code.Type = Int16.self) -> [Code] {
        let groups = depthPadded / group, vectors = columnsPadded / 16, panel = 16 * group
        var packed = [Code](repeating: 0, count: vectors * groups * panel)
        for c in 0..<columns {
            let v = c / 16, lane = c % 16
            for k in 0..<depth {
                packed[v * groups * panel + (k / group) * panel + lane * group + k % group] = Code(truncatingIfNeeded: weights(c, k))
            }
        }
        return packed
    }
}
