import Testing
import Plotting

@Suite("Nice ticks")
struct TicksTests {
    @Test("steps are 1, 2 or 5 times a power of ten, giving about the asked number of intervals", arguments: [
        (1.0, 5, 0.2), (100.0, 5, 20.0), (7.0, 5, 1.0), (0.03, 3, 0.01), (3_000.0, 4, 1_000.0),
        (12.0, 4, 2.0), (1e-4, 2, 5e-5), (9.0, 10, 1.0), (60.0, 5, 10.0), (1.1, 5, 0.2),
    ])
    func steps(span: Double, count: Int, expected: Double) {
        let step = Ticks.step(span: span, count: count)
        #expect(abs(step - expected) <= expected * 1e-12)
        let intervals = span / step
        #expect(intervals >= Double(count) / 3 && intervals <= Double(count) * 2)
    }

    @Test("tick values are multiples of the step inside the range, without rounding noise")
    func values() {
        let (ticks, step) = Ticks.values(in: -0.05 ... 1.05, count: 5)
        #expect(step == 0.2)
        #expect(ticks.map { Ticks.label($0, step: step) } == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let (bytes, byteStep) = Ticks.values(in: 1_900 ... 5_300, count: 6)
        #expect(byteStep == 500 && bytes.first == 2_000 && bytes.last == 5_000)
        #expect(Ticks.values(in: -3 ... 3, count: 3).values == [-2, 0, 2])
    }

    @Test("labels use fixed decimals, a '.' separator and never '-0'")
    func labels() {
        #expect(Ticks.label(0.30000000000000004, step: 0.1) == "0.3")
        #expect(Ticks.label(-0.0, step: 1) == "0")
        #expect(Ticks.label(2_500, step: 500) == "2500")
        #expect(Ticks.label(0.05, step: 0.05) == "0.05")
        #expect(Ticks.fixed(-0.004, decimals: 2) == "0.00")
        #expect(Ticks.fixed(-1.25, decimals: 1) == "-1.3")
        #expect(Ticks.fixed(12.5, decimals: 0) == "13")
        #expect(Ticks.fixed(.infinity, decimals: 2) == "inf")
    }

    @Test("automatic ranges: 5 % margins, a single value gets a window, no data gets 0...1")
    func autoRange() {
        #expect(Ticks.autoRange([0, 100]) == -5 ... 105)
        #expect(Ticks.autoRange([90]) == 85.5 ... 94.5)
        #expect(Ticks.autoRange([0, 0]) == -1 ... 1)
        #expect(Ticks.autoRange([]) == 0 ... 1)
        #expect(Ticks.autoRange([.nan, .infinity]) == 0 ... 1)
    }
}
