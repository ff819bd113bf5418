import CFloatKernels

/// Single-precision matrix products for the small, row-major matrices of a GRU: packed-panel
/// C micro-kernels on AVX-512 and AVX2 (Sources/CFloatKernels), Swift SIMD elsewhere and for
/// fewer than four rows.
///
/// Every product accumulates (`C += …`), because backprop sums gradients over steps
/// and the forward pass starts from a bias. Every element is summed the same way on every
/// path: per depth block of 256, from 0, one fused multiply-add per depth in order, then added
/// to C; so the path, the tile and the rows batched with a row never change its bits. The
/// pointer API is what the GRU's hot loops call; the array API below is the checked, convenient one.
public enum GEMM {
    /// The C kernels this CPU runs: 2 AVX-512, 1 AVX2 + FMA, 0 none (Swift's run).
    public static let nativeInstructions = Int(gq_sgemm_instructions())
    /// Fewer rows than this run on Swift's kernels: a C panel would compute mostly padding.
    @usableFromInline static let nativeRows = 4

    /// Columns per wide micro-tile: two `SIMD16<Float>` accumulators per row.
    @usableFromInline static let tileWidth = 32
    /// Rows per micro-tile: 4 rows × 2 vectors = 8 independent FMA chains, enough to
    /// hide FMA latency on two ports without spilling registers.
    @usableFromInline static let tileRows = 4
    /// Depth of a cache block: a 256 × 32 panel of B (32 KB) stays in L1 while the
    /// row tiles of A stream past it.
    @usableFromInline static let depthBlock = 256

    /// `C[m×n] += A[m×k] · B[k×n]`, all row-major with leading dimensions `lda`, `ldb`, `ldc`.
    public static func addProduct(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        blocked(m: m, n: n, k: k, a: a, rowStrideA: lda, depthStrideA: 1, b: b, ldb: ldb, c: c, ldc: ldc)
    }

    /// `C[m×n] += Aᵀ · B[k×n]` where A is stored as `k × m` (leading dimension `lda`).
    public static func addTransposedProduct(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        blocked(m: m, n: n, k: k, a: a, rowStrideA: 1, depthStrideA: lda, b: b, ldb: ldb, c: c, ldc: ldc)
    }

    /// `C[m×n] += A[m×k] · Bᵀ` where B is stored as `n × k` (leading dimension `ldb`).
    ///
    /// B is transposed into scratch first: the copy is k·n against 2·m·n·k flops,
    /// and it lets one micro-kernel serve all three products.
    public static func addProductTransposed(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: k * n) { scratch in
            guard let bt = scratch.baseAddress else { return }
            transpose(rows: n, columns: k, source: b, sourceStride: ldb, destination: bt, destinationStride: n)
            blocked(m: m, n: n, k: k, a: a, rowStrideA: lda, depthStrideA: 1, b: bt, ldb: n, c: c, ldc: ldc)
        }
    }

    /// Writes the transpose of a `rows × columns` matrix: `destination[j][i] = source[i][j]`.
    public static func transpose(
        rows: Int, columns: Int,
        source: UnsafePointer<Float>, sourceStride: Int,
        destination: UnsafeMutablePointer<Float>, destinationStride: Int
    ) {
        // 8×8 blocks keep both the reads and the writes within a few cache lines.
        let block = 8
        var i0 = 0
        while i0 < rows {
            let i1 = min(i0 + block, rows)
            var j0 = 0
            while j0 < columns {
                let j1 = min(j0 + block, columns)
                for i in i0..<i1 {
                    for j in j0..<j1 {
                        destination[j * destinationStride + i] = source[i * sourceStride + j]
                    }
                }
                j0 = j1
            }
            i0 = i1
        }
    }

    // MARK: - Blocking

    /// The shared driver: A is addressed as `a[i * rowStrideA + p * depthStrideA]`, so the
    /// same loops compute `A·B` (strides lda, 1) and `Aᵀ·B` (strides 1, lda).
    @usableFromInline
    static func blocked(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, rowStrideA: Int, depthStrideA: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        if nativeInstructions > 0, m >= nativeRows {
            let instructions = Int32(nativeInstructions), panelRows = Int(gq_sgemm_panel_rows(instructions))
            let packed = (m + panelRows - 1) / panelRows * panelRows * min(k, depthBlock)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: packed) { pack in
                guard let pack = pack.baseAddress else { return }
                var p0 = 0
                while p0 < k {
                    let depth = min(depthBlock, k - p0)
                    gq_sgemm_block(instructions, Int32(m), Int32(n), Int32(depth), a + p0 * depthStrideA, rowStrideA, depthStrideA,
                                   b + p0 * ldb, ldb, c, ldc, pack)
                    p0 += depth
                }
            }
            return
        }
        let wideColumns = n / tileWidth * tileWidth
        let halfColumns = (n - wideColumns) / 16 * 16
        let tailStart = wideColumns + halfColumns
        let tail = n - tailStart
        let maxDepth = min(k, depthBlock)
        // The last < 16 columns are copied into a zero-padded 16-wide panel so that the
        // micro-kernel can load full vectors without reading past the end of B.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: tail > 0 ? maxDepth * 16 : 1) { panelBuffer in
            guard let panel = panelBuffer.baseAddress else { return }
            var p0 = 0
            while p0 < k {
                let depth = min(depthBlock, k - p0)
                let aBlock = a + p0 * depthStrideA
                let bBlock = b + p0 * ldb
                var j = 0
                while j < wideColumns {
                    var i = 0
                    while i < m {
                        let rows = min(tileRows, m - i)
                        if rows == 1 {
                            kernel1x32(depth: depth, a: aBlock + i * rowStrideA, depthStrideA: depthStrideA,
                                       b: bBlock + j, ldb: ldb, c: c + i * ldc + j)
                        } else {
                            kernel4x32(rows: rows, depth: depth, a: aBlock + i * rowStrideA, rowStrideA: rowStrideA,
                                       depthStrideA: depthStrideA, b: bBlock + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc)
                        }
                        i += tileRows
                    }
                    j += tileWidth
                }
                if halfColumns > 0 {
                    var i = 0
                    while i < m {
                        let rows = min(tileRows, m - i)
                        kernel4x16(rows: rows, columns: 16, depth: depth, a: aBlock + i * rowStrideA, rowStrideA: rowStrideA,
                                   depthStrideA: depthStrideA, b: bBlock + wideColumns, ldb: ldb, c: c + i * ldc + wideColumns, ldc: ldc)
                        i += tileRows
                    }
                }
                if tail > 0 {
                    for p in 0..<depth {
                        let row = bBlock + p * ldb + tailStart
                        let dst = panel + p * 16
                        for q in 0..<16 { dst[q] = q < tail ? row[q] : 0 }
                    }
                    var i = 0
                    while i < m {
                        let rows = min(tileRows, m - i)
                        kernel4x16(rows: rows, columns: tail, depth: depth, a: aBlock + i * rowStrideA, rowStrideA: rowStrideA,
                                   depthStrideA: depthStrideA, b: UnsafePointer(panel), ldb: 16, c: c + i * ldc + tailStart, ldc: ldc)
                        i += tileRows
                    }
                }
                p0 += depth
            }
        }
    }

    // MARK: - Micro-kernels

    @inline(__always) @usableFromInline
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) @usableFromInline
    static func accumulate(_ v: SIMD16<Float>, into p: UnsafeMutablePointer<Float>) {
        let sum = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) + v
        UnsafeMutableRawPointer(p).storeBytes(of: sum, as: SIMD16<Float>.self)
    }

    /// Up to 4 rows × 32 columns. Missing rows (m not a multiple of 4) re-read row 0 so the
    /// loop stays branch-free; their results are simply not stored.
    @inline(__always) @usableFromInline
    static func kernel4x32(
        rows: Int, depth: Int,
        a: UnsafePointer<Float>, rowStrideA: Int, depthStrideA: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let a0 = a
        let a1 = rows > 1 ? a + rowStrideA : a
        let a2 = rows > 2 ? a + 2 * rowStrideA : a
        let a3 = rows > 3 ? a + 3 * rowStrideA : a
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var pb = b
        var pa = 0
        for _ in 0..<depth {
            let b0 = load(pb), b1 = load(pb + 16)
            let x0 = SIMD16<Float>(repeating: a0[pa])
            c00 = c00.addingProduct(x0, b0); c01 = c01.addingProduct(x0, b1)
            let x1 = SIMD16<Float>(repeating: a1[pa])
            c10 = c10.addingProduct(x1, b0); c11 = c11.addingProduct(x1, b1)
            let x2 = SIMD16<Float>(repeating: a2[pa])
            c20 = c20.addingProduct(x2, b0); c21 = c21.addingProduct(x2, b1)
            let x3 = SIMD16<Float>(repeating: a3[pa])
            c30 = c30.addingProduct(x3, b0); c31 = c31.addingProduct(x3, b1)
            pb += ldb
            pa += depthStrideA
        }
        accumulate(c00, into: c); accumulate(c01, into: c + 16)
        if rows > 1 { accumulate(c10, into: c + ldc); accumulate(c11, into: c + ldc + 16) }
        if rows > 2 { accumulate(c20, into: c + 2 * ldc); accumulate(c21, into: c + 2 * ldc + 16) }
        if rows > 3 { accumulate(c30, into: c + 3 * ldc); accumulate(c31, into: c + 3 * ldc + 16) }
    }

    /// One row × 32 columns: the GEMV-shaped case (a single sequence), without the
    /// fourfold redundant work the clamped 4-row kernel would do. It sums in the same
    /// order as the 4-row kernel, so a row's result never depends on the rows batched
    /// with it: a sequence alone and the same sequence in a batch give identical bits.
    @inline(__always) @usableFromInline
    static func kernel1x32(
        depth: Int, a: UnsafePointer<Float>, depthStrideA: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>
    ) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>()
        var pb = b
        var pa = 0
        for _ in 0..<depth {
            let x = SIMD16<Float>(repeating: a[pa])
            c0 = c0.addingProduct(x, load(pb)); c1 = c1.addingProduct(x, load(pb + 16))
            pb += ldb
            pa += depthStrideA
        }
        accumulate(c0, into: c); accumulate(c1, into: c + 16)
    }

    @inline(__always) @usableFromInline
    static func store(_ v: SIMD16<Float>, columns: Int, into row: UnsafeMutablePointer<Float>) {
        if columns == 16 {
            accumulate(v, into: row)
        } else {
            for q in 0..<columns { row[q] += v[q] }
        }
    }

    /// Up to 4 rows × 16 columns, storing only the first `columns` (≤ 16) of each row.
    @inline(__always) @usableFromInline
    static func kernel4x16(
        rows: Int, columns: Int, depth: Int,
        a: UnsafePointer<Float>, rowStrideA: Int, depthStrideA: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let a0 = a
        let a1 = rows > 1 ? a + rowStrideA : a
        let a2 = rows > 2 ? a + 2 * rowStrideA : a
        let a3 = rows > 3 ? a + 3 * rowStrideA : a
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
        var pb = b
        var pa = 0
        for _ in 0..<depth {
            let b0 = load(pb)
            c0 = c0.addingProduct(SIMD16<Float>(repeating: a0[pa]), b0)
            c1 = c1.addingProduct(SIMD16<Float>(repeating: a1[pa]), b0)
            c2 = c2.addingProduct(SIMD16<Float>(repeating: a2[pa]), b0)
            c3 = c3.addingProduct(SIMD16<Float>(repeating: a3[pa]), b0)
            pb += ldb
            pa += depthStrideA
        }
        store(c0, columns: columns, into: c)
        if rows > 1 { store(c1, columns: columns, into: c + ldc) }
        if rows > 2 { store(c2, columns: columns, into: c + 2 * ldc) }
        if rows > 3 { store(c3, columns: columns, into: c + 3 * ldc) }
    }
}
