import Kernels
import Testing

/// Deterministic pseudo-random values in [-1, 1) without pulling in the RNG module.
func values(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// The textbook triple loop in Double: the reference every kernel is held to.
func naive(m: Int, n: Int, k: Int, a: [Float], aT: Bool, b: [Float], bT: Bool, c: [Float]) -> [Float] {
    var out = c
    for i in 0..<m {
        for j in 0..<n {
            var sum = Double(c[i * n + j])
            for p in 0..<k {
                let av = aT ? a[p * m + i] : a[i * k + p]
                let bv = bT ? b[j * k + p] : b[p * n + j]
                sum += Double(av) * Double(bv)
            }
            out[i * n + j] = Float(sum)
        }
    }
    return out
}

let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (5, 17, 33), (4, 32, 8), (3, 16, 2), (7, 48, 300), (64, 192, 92), (2, 5, 1), (9, 33, 17), (1, 64, 64), (13, 1, 7),
]

@Suite("GEMM against a naive triple loop")
struct GEMMTests {
    @Test("C += A·B, Aᵀ·B, A·Bᵀ and Aᵀ·Bᵀ agree with the triple loop on odd shapes",
          arguments: [GEMM.Operand.plain, .transposed], [GEMM.Operand.plain, .transposed])
    func products(aOperand: GEMM.Operand, bOperand: GEMM.Operand) {
        for (index, shape) in shapes.enumerated() {
            let (m, n, k) = shape
            let a = values(m * k, seed: UInt64(index * 3 + 1))
            let b = values(k * n, seed: UInt64(index * 3 + 2))
            let c0 = values(m * n, seed: UInt64(index * 3 + 3))
            var c = c0
            GEMM.multiplyAdd(m: m, n: n, k: k, a, aOperand, b, bOperand, into: &c)
            let expected = naive(m: m, n: n, k: k, a: a, aT: aOperand == .transposed, b: b, bT: bOperand == .transposed, c: c0)
            let worst = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * Float(k).squareRoot(), "shape \(m)×\(n)×\(k): max error \(worst)")
        }
    }

    @Test("leading dimensions larger than the width address sub-matrices without touching the rest")
    func leadingDimensions() {
        let (m, n, k) = (5, 19, 11)
        let lda = 14, ldb = 23, ldc = 21
        let a = values(m * lda, seed: 7), b = values(k * ldb, seed: 8)
        var c = values(m * ldc, seed: 9)
        let before = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    GEMM.addProduct(m: m, n: n, k: k, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                    c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<ldc {
                if j >= n {
                    #expect(c[i * ldc + j] == before[i * ldc + j], "column \(j) beyond n was written")
                    continue
                }
                var sum = Double(before[i * ldc + j])
                for p in 0..<k { sum += Double(a[i * lda + p]) * Double(b[p * ldb + j]) }
                #expect(abs(Float(sum) - c[i * ldc + j]) < 1e-4)
            }
        }
    }

    @Test("GEMV y += A·x and y += Aᵀ·x agree with the triple loop")
    func gemv() {
        for (m, k) in [(1, 1), (7, 33), (64, 92), (3, 16), (10, 64)] {
            let a = values(m * k, seed: UInt64(m * 100 + k))
            let x = values(k, seed: 5), y0 = values(m, seed: 6)
            var y = y0
            GEMV.multiplyAdd(m: m, k: k, a, .plain, x, into: &y)
            let expected = naive(m: m, n: 1, k: k, a: a, aT: false, b: x, bT: false, c: y0)
            #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-4 })

            let at = values(k * m, seed: 11)
            var yt = y0
            GEMV.multiplyAdd(m: m, k: k, at, .transposed, x, into: &yt)
            let expectedT = naive(m: m, n: 1, k: k, a: at, aT: true, b: x, bT: false, c: y0)
            #expect(zip(yt, expectedT).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }
}
