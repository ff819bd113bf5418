import CFloatKernels
import Kernels
import Testing

/// C += A·B summed as every path promises: per depth block of 256, from 0, one fused
/// multiply-add per depth in order, then added to C.
func fusedInOrder(m: Int, n: Int, k: Int, a: (Int, Int) -> Float, b: [Float], c: [Float]) -> [Float] {
    var out = c
    for i in 0..<m {
        for j in 0..<n {
            var p0 = 0
            while p0 < k {
                var acc: Float = 0
                for p in p0..<min(k, p0 + 256) { acc = acc.addingProduct(a(i, p), b[p * n + j]) }
                out[i * n + j] += acc
                p0 += 256
            }
        }
    }
    return out
}

@Suite("The float GEMM's C kernels")
struct FloatKernelOrderTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [(4, 32, 8), (5, 17, 33), (8, 16, 256), (9, 33, 300), (13, 48, 7), (64, 192, 92), (6, 1, 600), (17, 100, 513)]

    @Test("every kernel set this CPU runs, and the Swift kernels, give the bits of one fused multiply-add per depth in order, for A and Aᵀ, at every row and column tail",
          .enabled(if: GEMM.nativeInstructions > 0, "needs a CPU with AVX2 and FMA or AVX-512"))
    func sameBitsOnEveryPath() {
        for instructions in 1...GEMM.nativeInstructions {
            let rowsPerPanel = Int(gq_sgemm_panel_rows(Int32(instructions)))
            for (index, shape) in Self.shapes.enumerated() {
                let (m, n, k) = shape
                let a = values(m * k, seed: UInt64(index + 11)), b = values(k * n, seed: UInt64(index + 12))
                let c0 = values(m * n, seed: UInt64(index + 13))
                for transposed in [false, true] {
                    // Aᵀ stored k × m: element (i, p) at p · m + i.
                    let expected = fusedInOrder(m: m, n: n, k: k, a: { transposed ? a[$1 * m + $0] : a[$0 * k + $1] }, b: b, c: c0)
                    var c = c0
                    var pack = [Float](repeating: .nan, count: (m + rowsPerPanel - 1) / rowsPerPanel * rowsPerPanel * 256)
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            var p0 = 0
                            while p0 < k {
                                let depth = min(256, k - p0)
                                let start = pa.baseAddress! + (transposed ? p0 * m : p0)
                                gq_sgemm_block(Int32(instructions), Int32(m), Int32(n), Int32(depth), start, transposed ? 1 : k, transposed ? m : 1,
                                               pb.baseAddress! + p0 * n, n, &c, n, &pack)
                                p0 += depth
                            }
                        }
                    }
                    #expect(c == expected, "kernels \(instructions), \(m)×\(n)×\(k)\(transposed ? ", Aᵀ" : "")")
                    var viaGEMM = c0
                    GEMM.multiplyAdd(m: m, n: n, k: k, a, transposed ? .transposed : .plain, b, .plain, into: &viaGEMM)
                    #expect(viaGEMM == expected, "GEMM, \(m)×\(n)×\(k)\(transposed ? ", Aᵀ" : "")")
                }
            }
        }
    }

    @Test("a row's result does not depend on the rows batched with it: one row alone (Swift's kernel) equals the same row in a batch (a C panel)")
    func rowAloneEqualsRowInBatch() {
        let (m, n, k) = (11, 40, 300)
        let a = values(m * k, seed: 3), b = values(k * n, seed: 4)
        var batched = [Float](repeating: 0, count: m * n)
        GEMM.multiplyAdd(m: m, n: n, k: k, a, .plain, b, .plain, into: &batched)
        for row in [0, 5, 10] {
            var alone = [Float](repeating: 0, count: n)
            GEMM.multiplyAdd(m: 1, n: n, k: k, Array(a[(row * k)..<((row + 1) * k)]), .plain, b, .plain, into: &alone)
            #expect(alone == Array(batched[(row * n)..<((row + 1) * n)]), "row \(row)")
        }
    }
}
