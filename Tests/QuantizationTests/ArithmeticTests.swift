import Foundation
import GRU
import Quantization
import Testing

@Suite("Requantization, saturation, packing and lookup tables")
struct ArithmeticTests {
    @Test("a multiplier and shift round half up, exactly")
    func requantizeRounding() {
        let r = Requantizer(factor: 0.75, mode: .multiplierShift)
        #expect(r.multiplier == 24576 && r.shift == 15)
        #expect(r.apply(10) == 8)      // 7.5 → 8
        #expect(r.apply(-10) == -7)    // −7.5 → −7 (ties toward +∞)
        #expect(r.apply(3) == 2)       // 2.25 → 2
        #expect(r.apply(-3) == -2)     // −2.25 → −2
        #expect(r.apply(-5) == -4)     // −3.75 → −4
        #expect(r.apply(0) == 0)
        let third = Requantizer(factor: 1.0 / 3, mode: .multiplierShift)
        #expect(third.multiplier == 21845 && third.shift == 16)
        // The 15-bit multiplier is 1/3 to 2^−15: 300000 · 21845 / 2^16 = 99998.47 → 99998.
        #expect(third.apply(300_000) == 99998)
        #expect(third.apply(3) == 1)       // 0.99998 → 1
    }

    @Test("factors near a power of two and extreme factors")
    func requantizeEdges() {
        // 0.99999 rounds to M = 2^15, renormalised to 2^14 with one less shift.
        let r = Requantizer(factor: 0.99999, mode: .multiplierShift)
        #expect(r.multiplier == 16384 && r.shift == 14)
        #expect(r.apply(1000) == 1000)
        let big = Requantizer(factor: 40_000, mode: .multiplierShift)
        #expect(big.shift < 0)
        #expect(big.apply(2) == 2 * Int64(big.multiplier) << Int64(-big.shift))
        let tiny = Requantizer(factor: 1e-30, mode: .multiplierShift)
        #expect(tiny.multiplier == 0 && tiny.apply(1 << 40) == 0)
    }

    @Test("power-of-two requantization is a rounding shift")
    func powerOfTwo() {
        let quarter = Requantizer(factor: 0.25, mode: .powerOfTwo)
        #expect(quarter.multiplier == 1 && quarter.shift == 2)
        #expect(quarter.apply(6) == 2)     // 1.5 → 2
        #expect(quarter.apply(-6) == -1)   // −1.5 → −1
        #expect(quarter.apply(-7) == -2)   // −1.75 → −2
        let four = Requantizer(factor: 4, mode: .powerOfTwo)
        #expect(four.shift == -2 && four.apply(-3) == -12)
    }

    @Test("code ranges: signed ±(2^(b−1) − 1), unsigned 0 … 2^b − 1")
    func codeRanges() {
        #expect(CodeRange.bounds(of: .rWx, bits: 8) == (-127, 127))
        #expect(CodeRange.bounds(of: .hAdd, bits: 2) == (-1, 1))
        #expect(CodeRange.bounds(of: .gateZ, bits: 4) == (0, 15))
        #expect(CodeRange.bounds(of: .hSub, bits: 16) == (0, 65535))
    }

    @Test("codes pack into a little-endian bit stream and unpack again")
    func packing() {
        let codes: [Int64] = [-1, 1, 0, -2, 1]
        let packed = CodePacking.pack(codes, bits: 2)
        // fields 11 01 00 10 | 01 → byte 0 = 0b10_00_01_11, byte 1 = 0b01
        #expect(packed == [0b1000_0111, 0b01])
        #expect(CodePacking.unpack(packed, count: 5, bits: 2, signed: true) == codes)
        let wide: [Int64] = [-300, 1200, 7, -1]
        #expect(CodePacking.unpack(CodePacking.pack(wide, bits: 12), count: 4, bits: 12, signed: true) == wide)
        #expect(CodePacking.pack([Int64(-128), 127], bits: 8) == [0x80, 0x7F])
    }
}
