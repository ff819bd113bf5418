/// Single-precision matrix–vector products (`y += A·x`, `y += Aᵀ·x`) in SIMD16.
public enum GEMV {
    /// `y[m] += A[m×k] · x[k]`, A row-major with leading dimension `lda`.
    public static func addProduct(
        m: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) {
        let vectorEnd = k / 16 * 16
        for i in 0..<m {
            let row = a + i * lda
            var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
            var p = 0
            while p + 32 <= vectorEnd {
                acc0 = acc0.addingProduct(GEMM.load(row + p), GEMM.load(x + p))
                acc1 = acc1.addingProduct(GEMM.load(row + p + 16), GEMM.load(x + p + 16))
                p += 32
            }
            if p < vectorEnd {
                acc0 = acc0.addingProduct(GEMM.load(row + p), GEMM.load(x + p))
                p += 16
            }
            var sum = (acc0 + acc1).sum()
            while p < k {
                sum += row[p] * x[p]
                p += 1
            }
            y[i] += sum
        }
    }

    /// `y[n] += Aᵀ · x` where A is `k × n` row-major (leading dimension `lda`) and x has k values.
    public static func addTransposedProduct(
        n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) {
        // This is the one-row GEMM; the blocked kernel already handles it well.
        GEMM.addProduct(m: 1, n: n, k: k, a: x, lda: k, b: a, ldb: lda, c: y, ldc: n)
    }

    /// `y += op(A) · x` on arrays; A holds `m × k` values (`k × m` when transposed).
    public static func multiplyAdd(
        m: Int, k: Int, _ a: [Float], _ aOperand: GEMM.Operand = .plain, _ x: [Float], into y: inout [Float]
    ) {
        precondition(a.count == m * k, "GEMV: a has \(a.count) values, expected \(m)×\(k)")
        precondition(x.count == k, "GEMV: x has \(x.count) values, expected \(k)")
        precondition(y.count == m, "GEMV: y has \(y.count) values, expected \(m)")
        guard m > 0, k > 0 else { return }
        a.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    guard let a = pa.baseAddress, let x = px.baseAddress, let y = py.baseAddress else { return }
                    switch aOperand {
                    case .plain: addProduct(m: m, k: k, a: a, lda: k, x: x, y: y)
                    case .transposed: addTransposedProduct(n: m, k: k, a: a, lda: m, x: x, y: y)
                    }
                }
            }
        }
    }
}
