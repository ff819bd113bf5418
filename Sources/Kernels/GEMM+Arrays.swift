extension GEMM {
    /// Which operand of a product is read transposed.
    public enum Operand: Sendable, Equatable {
        /// Use the matrix as stored.
        case plain
        /// Use the transpose of the stored matrix.
        case transposed
    }

    /// `c[m×n] += op(a) · op(b)` on dense row-major arrays.
    ///
    /// `a` holds `m × k` values (stored `k × m` when transposed), `b` holds `k × n`
    /// (stored `n × k` when transposed). Sizes are checked, so this is the entry
    /// point for code that is not in a hot loop.
    public static func multiplyAdd(
        m: Int, n: Int, k: Int,
        _ a: [Float], _ aOperand: Operand = .plain,
        _ b: [Float], _ bOperand: Operand = .plain,
        into c: inout [Float]
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension")
        precondition(a.count == m * k, "GEMM: a has \(a.count) values, expected \(m)×\(k)")
        precondition(b.count == k * n, "GEMM: b has \(b.count) values, expected \(k)×\(n)")
        precondition(c.count == m * n, "GEMM: c has \(c.count) values, expected \(m)×\(n)")
        guard m > 0, n > 0, k > 0 else { return }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    guard let a = pa.baseAddress, let b = pb.baseAddress, let c = pc.baseAddress else { return }
                    switch (aOperand, bOperand) {
                    case (.plain, .plain):
                        addProduct(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c, ldc: n)
                    case (.transposed, .plain):
                        addTransposedProduct(m: m, n: n, k: k, a: a, lda: m, b: b, ldb: n, c: c, ldc: n)
                    case (.plain, .transposed):
                        addProductTransposed(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: c, ldc: n)
                    case (.transposed, .transposed):
                        // (Aᵀ·Bᵀ) is rare enough that one explicit transpose is the simple answer.
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: m * k) { scratch in
                            guard let at = scratch.baseAddress else { return }
                            transpose(rows: k, columns: m, source: a, sourceStride: m, destination: at, destinationStride: k)
                            addProductTransposed(m: m, n: n, k: k, a: UnsafePointer(at), lda: k, b: b, ldb: k, c: c, ldc: n)
                        }
                    }
                }
            }
        }
    }
}
