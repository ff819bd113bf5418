import Foundation
import Kernels
import Testing

/// x86-64 and arm64 have a flush-to-zero mode; elsewhere `Subnormals.flushed` only runs its body.
private let flushes: Bool = {
    #if arch(x86_64) || arch(arm64)
    true
    #else
    false
    #endif
}()

/// `values[2] = values[0] * values[1]`, through memory the float-mode call could have changed,
/// so the compiler cannot move the product across it (it does move arithmetic on values).
@inline(never)
private func multiply(_ values: UnsafeMutablePointer<Float>) {
    values[2] = values[0] * values[1]
}

@Suite("Subnormal floats in training")
struct SubnormalsTests {
    @Test("a subnormal result is zero inside flushed and subnormal again after it",
          .enabled(if: flushes, "this architecture has no flush-to-zero mode"))
    func flushesAndRestores() {
        var values: [Float] = [1e-20, 1e-20, -1]
        values.withUnsafeMutableBufferPointer { v in
            multiply(v.baseAddress!)
            #expect(v[2].isSubnormal)
            Subnormals.flushed { multiply(v.baseAddress!) }
            #expect(v[2] == 0)
            multiply(v.baseAddress!)
            #expect(v[2].isSubnormal, "the thread's float mode was not restored")
        }
    }

    @Test("a subnormal operand reads as zero inside flushed", .enabled(if: flushes, "this architecture has no flush-to-zero mode"))
    func operandsReadAsZero() {
        // 2¹²⁶ times a subnormal is a normal number, unless the subnormal was read as 0.
        var values: [Float] = [Float.leastNormalMagnitude / 1024, 0x1p126, -1]
        values.withUnsafeMutableBufferPointer { v in
            #expect(v[0].isSubnormal)
            Subnormals.flushed { multiply(v.baseAddress!) }
            #expect(v[2] == 0)
            multiply(v.baseAddress!)
            #expect(v[2].isNormal)
        }
    }

    @Test("flushed calls nest, and the outer mode survives the inner one's restore",
          .enabled(if: flushes, "this architecture has no flush-to-zero mode"))
    func nests() {
        var values: [Float] = [1e-20, 1e-20, -1]
        values.withUnsafeMutableBufferPointer { v in
            Subnormals.flushed {
                Subnormals.flushed { multiply(v.baseAddress!) }
                v[2] = -1
                multiply(v.baseAddress!)
            }
            #expect(v[2] == 0)
            multiply(v.baseAddress!)
            #expect(v[2].isSubnormal)
        }
    }
}
