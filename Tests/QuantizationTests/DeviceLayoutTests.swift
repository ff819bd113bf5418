import Foundation
import Quantization
import Randomness
import Testing

@Suite("The device layout: containers, rescale forms and size")
struct DeviceLayoutTests {
    /// Operands worth checking for a bound: both ends, zero, ones, and random values between.
    static func operands(bound: Int64, using generator: inout SeededGenerator) -> [Int32] {
        let x = Int32(min(bound, Int64(Int32.max)))
        return [0, 1, -1, x, -x, x - 1, -(x - 1), x / 2, -x / 2] + (0..<200).map { _ in Int32.random(in: -x...x, using: &generator) }
    }

    @Test("every rescale form equals the one rounding rule on its operand's whole range, for factors from 2^-40 to 4")
    func rescaleForms() {
        var generator = SeededGenerator(seed: 5)
        var seen: Set<String> = []
        for _ in 0..<4000 {
            let factor = exp2(Double.random(in: -40...2, using: &generator))
            let mode: QuantizationOptions.Requantization = Bool.random(using: &generator) ? .multiplierShift : .powerOfTwo
            let r = Requantizer(factor: mode == .powerOfTwo ? exp2(round(log2(factor))) : factor, mode: mode)
            let bound = Int64(1) << Int64.random(in: 1...31, using: &generator) - 1
            let form = Rescale(r, operandBound: bound)
            seen.insert(String(describing: form).prefix { $0 != "(" }.description)
            for x in Self.operands(bound: bound, using: &generator) {
                let expected = r.apply(Int64(x))
                #expect(form.apply(x) == expected, "\(r) as \(form) at x = \(x) (bound \(bound))")
                if form.apply(x) != expected { return }
                if case .wide = form {} else {
                    #expect(abs(expected) < Int64(1) << 30, "\(form) keeps its result below 2^30 so two add in int32")
                }
            }
        }
        #expect(seen.isSuperset(of: ["narrow", "high", "product", "wide"]), "forms exercised: \(seen.sorted())")
    }

    @Test("per-channel rescales share one shift and stay exact on every row")
    func perChannel() {
        var generator = SeededGenerator(seed: 6)
        for _ in 0..<300 {
            let base = Double.random(in: -30 ... -1, using: &generator)
            let list = (0..<8).map { _ in Requantizer(factor: exp2(base + Double.random(in: -6...6, using: &generator)), mode: .multiplierShift) }
            let bound = Int64(1) << Int64.random(in: 4...30, using: &generator)
            let rows = ChannelRescale(list, operandBound: bound)
            for (j, r) in list.enumerated() {
                for x in Self.operands(bound: bound, using: &generator).prefix(40) {
                    #expect(rows.row(j).apply(x) == r.apply(Int64(x)), "row \(j): \(r) as \(rows.row(j)) at \(x)")
                }
            }
        }
    }

    @Test("weights take 2-, 4-, 8- or 16-bit containers, 3, 5, 6 and 7 bits cost their container's flash, and tables take nibbles up to 4 bits")
    func containers() {
        #expect([2, 3, 4, 5, 6, 7, 8, 9, 12, 16].map(DeviceLayout.container(bits:)) == [2, 4, 4, 8, 8, 8, 8, 16, 16, 16])
        #expect([2, 4, 5, 8, 9, 16].map(DeviceLayout.tableEntryBits(outputBits:)) == [4, 4, 8, 8, 16, 16])
        #expect(DeviceLayout.tableBytes(entries: 4, outputBits: 3) == 2 && DeviceLayout.tableBytes(entries: 256, outputBits: 8) == 256)
    }
}


@Suite("Rescale forms at the edges found in review")
struct RescaleEdgeTests {
    @Test("a left shift whose product passes 2^63 is not taken for a 32-bit form")
    func leftShiftOverflow() {
        let r = Requantizer(multiplier: 16384, shift: -19)
        let form = Rescale(r, operandBound: 2_147_418_112)
        #expect(form.apply(1) == r.apply(1) && form.apply(2_147_418_112) == r.apply(2_147_418_112))
    }

    @Test("power-of-two factors below 2^-62 map to 0, as in multiplier mode")
    func tinyPowerOfTwo() {
        #expect(Requantizer(factor: exp2(-64), mode: .powerOfTwo) == Requantizer(multiplier: 0, shift: 0))
        #expect(Requantizer(factor: exp2(-62), mode: .powerOfTwo) == Requantizer(multiplier: 1, shift: 62))
    }
}
