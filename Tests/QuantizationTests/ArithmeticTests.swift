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

    @Test("weights pack into words the DSP kernels unpack: bytes, nibble pairs, 2-bit fields, halfword pairs")
    func packing() {
        // 8 bits: byte i is column i; a short row is padded with zero codes to a word.
        #expect(WeightPacking.pack([-128, 127, 1], rows: 1, columns: 3, container: 8) == [0x80, 0x7F, 0x01, 0x00])
        // 4 bits: byte i holds column i in its low nibble and column 4 + i in its high nibble.
        let four: [Int16] = [1, 2, 3, 4, -1, -2, -3, -4]
        #expect(WeightPacking.pack(four, rows: 1, columns: 8, container: 4) == [0xF1, 0xE2, 0xD3, 0xC4])
        // 2 bits: byte i holds columns i, 4 + i, 8 + i, 12 + i in bits 0-1, 2-3, 4-5, 6-7.
        var two = [Int16](repeating: 0, count: 16)
        two[0] = -1; two[4] = 1; two[13] = 1
        #expect(WeightPacking.pack(two, rows: 1, columns: 16, container: 2) == [0b0000_0111, 0b0100_0000, 0, 0])
        // 16 bits: a group of four is (w0, w2) then (w1, w3).
        #expect(WeightPacking.pack([1, 2, 3, -1], rows: 1, columns: 4, container: 16) == [1, 0, 3, 0, 2, 0, 0xFF, 0xFF])
        for container in [2, 4, 8, 16] {
            let bits = container == 2 ? 2 : container - 1
            let q = Int16((1 << (bits - 1)) - 1)
            let codes = (0..<(3 * 21)).map { Int16($0 % Int(2 * q + 1)) - q }
            let packed = WeightPacking.pack(codes, rows: 3, columns: 21, container: container)
            #expect(packed.count % 12 == 0, "\(container)-bit rows are whole words")
            #expect(WeightPacking.unpack(packed, rows: 3, columns: 21, container: container) == codes, "\(container)-bit round trip")
        }
    }
}
