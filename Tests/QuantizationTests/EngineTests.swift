import Datasets
import Foundation
import GRU
import Quantization
import Testing

@Suite("The integer engine: fast equals reference, sizes, tables")
struct EngineTests {
    static let configurations: [(String, BitWidths, QuantizationOptions)] = {
        var mixed = BitWidths()
        try! mixed.apply(["r.wx=3", "z.wh=5", "gate.*=4", "h.add=6", "n.mul=2", "input=7", "fc=5", "h.sub=3"])
        var wideState = BitWidths(uniform: 16)
        wideState[.rWx] = 4
        var plainState = BitWidths(uniform: 6)
        plainState[.hAdd] = 16
        plainState[.input] = 16
        // σ at 16 bits reaches 65,535 and n.wh ±32,767: the largest product a multiplication
        // operator meets, which the vector paths form in 32 bits.
        // In power-of-two mode h.sub's one is 2^15 at 15 bits, one past int16 (found in review).
        var wideOne = BitWidths(uniform: 8)
        wideOne[.hSub] = 15; wideOne[.gateN] = 2
        var wideGateProduct = BitWidths(uniform: 8)
        wideGateProduct[.gateR] = 16; wideGateProduct[.nWh] = 16
        return [
            ("8-bit", BitWidths(uniform: 8), QuantizationOptions()),
            ("mixed", mixed, QuantizationOptions()),
            ("2-bit", BitWidths(uniform: 2), QuantizationOptions()),
            ("16-bit (int64 accumulators)", BitWidths(uniform: 16), QuantizationOptions()),
            ("16-bit state, wide products", wideState, QuantizationOptions()),
            ("16-bit inputs to the products", plainState, QuantizationOptions()),
            ("16-bit σ times a 16-bit code", wideGateProduct, QuantizationOptions()),
            ("h.sub's one of 2^15, power of two", wideOne, QuantizationOptions(weights: .perTensor, requantization: .powerOfTwo)),
            ("power of two, per tensor", mixed, QuantizationOptions(weights: .perTensor, requantization: .powerOfTwo)),
        ]
    }()

    @Test("the batched engine matches the reference bit for bit, at any thread count, on every kernel set this CPU runs",
          arguments: [(features: 5, hidden: 20, classes: 3), (features: 8, hidden: 64, classes: 10), (features: 13, hidden: 33, classes: 4)],
          IntegerKernelSet.available)
    func fastEqualsReference(shape: (features: Int, hidden: Int, classes: Int), kernels: IntegerKernelSet) {
        let model = randomModel(features: shape.features, hidden: shape.hidden, classes: shape.classes, seed: 3)
        let sequences = randomSequences(count: 45, features: shape.features, lengths: 1...12, seed: 9)
        let calibration = Calibration.calibrate(model: model, sequences: Array(sequences.prefix(20)), method: .maxAbs)
        let evaluator = IntegerEvaluator(sequences: sequences, featureCount: shape.features, chunkRows: 8, kernels: kernels)
        for (name, bits, options) in EngineTests.configurations {
            let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
            let reference = sequences.flatMap { q.referenceLogits($0) }
            #expect(evaluator.logits(q, threads: 1) == reference, "\(name)")
            #expect(evaluator.logits(q, threads: 2) == reference, "\(name), 2 threads")
            #expect(evaluator.logits(q, threads: 5) == reference, "\(name), 5 threads")
        }
    }

    @Test("every uniform width from 2 to 16 and 60 random mixed configurations match the reference on every kernel set this CPU runs",
          arguments: IntegerKernelSet.available)
    func everyWidth(kernels: IntegerKernelSet) {
        // The row-wise MNIST shape (28 features, hidden 64) with ragged lengths, so the
        // byte-packed depths (28 = 7 quads) and partial row tiles are both exercised.
        let model = randomModel(features: 28, hidden: 64, classes: 10, seed: 11)
        let sequences = randomSequences(count: 37, features: 28, lengths: 1...9, seed: 5)
        // Calibrated on three sequences, so the others saturate often.
        let calibration = Calibration.calibrate(model: model, sequences: Array(sequences.prefix(3)), method: .maxAbs)
        let evaluator = IntegerEvaluator(sequences: sequences, featureCount: 28, kernels: kernels)
        var configurations = (2...16).map { ("uniform \($0)", BitWidths(uniform: $0), QuantizationOptions()) }
        var state: UInt64 = 0x5EED
        func draw(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
        for trial in 0..<60 {
            var bits = BitWidths()
            // Half in the search's 2–8 bits, half with a wider operator now and then.
            for op in GRUOperator.allCases { bits[op] = trial >= 30 && draw(0...9) == 0 ? draw(9...16) : draw(2...8) }
            let options = trial % 3 == 2 ? QuantizationOptions(weights: .perTensor, requantization: .powerOfTwo) : QuantizationOptions()
            configurations.append(("mixed \(trial): \(bits)", bits, options))
        }
        var paths: [String: Int] = [:]
        for (name, bits, options) in configurations {
            let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
            let reference = sequences.flatMap { q.referenceLogits($0) }
            #expect(evaluator.logits(q, threads: 2) == reference, "\(name)")
            paths[evaluator.kernelPath(for: q), default: 0] += 1
        }
        // The comparison above must have run the paths it is meant to check.
        #expect(kernels.effective == kernels)
        switch kernels {
        case .portable:
            #expect(paths["portable", default: 0] >= 30 && paths.keys.allSatisfy { $0 == "portable" || $0 == "scalar" }, "\(paths)")
        case .avx2, .avxvnni:
            // AVX2 has no 32-bit cell: outside the narrow one its int16 products run before the Swift cell.
            #expect(paths["\(kernels.rawValue) narrow", default: 0] >= 35 && paths["avx2", default: 0] >= 3
                    && paths.keys.allSatisfy { $0 == "\(kernels.rawValue) narrow" || $0 == "avx2" || $0 == "scalar" }, "\(paths)")
        case .avx512, .automatic:
            #expect(paths["avx512 narrow", default: 0] >= 35 && paths["avx512", default: 0] >= 3, "\(paths)")
        }
    }

    @Test("every uniform width from 2 to 8 runs the cell on int16 lanes, on AVX-512, on AVX-VNNI and on AVX2",
          .enabled(if: IntegerKernelSet.avx2Available, "needs a CPU with AVX2 or AVX-512"),
          arguments: [IntegerKernelSet.avx512, .avxvnni, .avx2])
    func narrowCellCoversTheSearchWidths(kernels: IntegerKernelSet) throws {
        try #require(IntegerKernelSet.available.contains(kernels), "this CPU lacks \(kernels.rawValue)")
        let model = randomModel(features: 28, hidden: 64, classes: 10, seed: 11)
        let sequences = randomSequences(count: 16, features: 28, lengths: 1...9, seed: 5)
        let calibration = Calibration.calibrate(model: model, sequences: sequences, method: .maxAbs)
        let evaluator = IntegerEvaluator(sequences: sequences, featureCount: 28, kernels: kernels)
        for bits in 2...8 {
            let q = QuantizedGRU(model: model, calibration: calibration, bits: BitWidths(uniform: bits), options: QuantizationOptions())
            #expect(evaluator.kernelPath(for: q) == "\(kernels.rawValue) narrow", "\(bits) bits")
        }
    }

    @Test("GQ_KERNELS names the kernel set: automatic or unset is the fastest this CPU runs, a set it runs is taken, and an unknown name is an error that lists the names")
    func kernelSetting() throws {
        let fastest = IntegerKernelSet.available[0]
        #expect(try IntegerKernelSet.setting([:]) == fastest)
        #expect(try IntegerKernelSet.setting(["GQ_KERNELS": "automatic"]) == fastest)
        #expect(try IntegerKernelSet.setting(["GQ_KERNELS": "Portable"]) == .portable)
        for set in IntegerKernelSet.available { #expect(try IntegerKernelSet.setting(["GQ_KERNELS": set.rawValue]) == set) }
        #expect(throws: KernelSettingError.unknown("sse9")) { try IntegerKernelSet.setting(["GQ_KERNELS": "sse9"]) }
        #expect(KernelSettingError.unknown("sse9").description == "GQ_KERNELS=sse9: no such kernel set (one of automatic, avx512, avxvnni, avx2, portable)")
        #expect(KernelSettingError.unavailable(.avx512).description.hasPrefix("GQ_KERNELS=avx512: this CPU lacks the instructions avx512 needs; it runs "))
        for set in [IntegerKernelSet.avx512, .avxvnni, .avx2] where !IntegerKernelSet.available.contains(set) {
            #expect(throws: KernelSettingError.unavailable(set)) { try IntegerKernelSet.setting(["GQ_KERNELS": set.rawValue]) }
            #expect(set.effective != set)
        }
        #expect(IntegerKernelSet.portable.effective == .portable)
    }

    @Test("σ and tanh tables hold the rounded function at every input code")
    func tables() throws {
        let model = randomModel(features: 3, hidden: 4, classes: 2, seed: 1)
        let calibration = Calibration.calibrate(model: model, sequences: randomSequences(count: 5, features: 3, lengths: 2...4, seed: 1), method: .maxAbs)
        var bits = BitWidths()
        bits[.rAdd] = 5; bits[.gateR] = 3; bits[.nAdd] = 4; bits[.gateN] = 6
        let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: QuantizationOptions())
        let r = try #require(q.tables[.gateR])
        #expect(r.entries.count == 32)
        for code in -15...15 {
            let expected = (1 / (1 + exp(-Double(code) * q.scale(.rAdd))) * 7).rounded(.toNearestOrAwayFromZero)
            #expect(r(Int64(code)) == Int64(expected))
        }
        #expect(r(0) == 4)   // σ(0)·7 = 3.5 → 4 (half away from zero)
        let n = try #require(q.tables[.gateN])
        #expect(n.entries.count == 16 && n(0) == 0)
        for code in 1...7 { #expect(n(Int64(code)) == -n(Int64(-code))) }
        #expect(q.scale(.gateN) == 1.0 / 31 && q.scale(.gateR) == 1.0 / 7)
    }

    @Test("size is the hand count on a tiny model")
    func handCount() {
        // F = 2, H = 3, C = 2.
        let model = randomModel(features: 2, hidden: 3, classes: 2, seed: 4)
        let calibration = Calibration.calibrate(model: model, sequences: randomSequences(count: 4, features: 2, lengths: 2...3, seed: 2), method: .maxAbs)
        let eight = QuantizedGRU(model: model, calibration: calibration, bits: BitWidths(uniform: 8), options: QuantizationOptions())
        // input 2·2·4 = 16; each linear operator 3 rows padded to a word of 4 bytes (12) + 12 bias
        // + 3 pre-shifted int32 multipliers (12): 6·36 = 216; additions, h.sub and products are
        // immediates (0); tables 3·256 = 768; fc 2 rows of 4 bytes + 8 bias = 16.
        #expect(eight.deviceLayout.linear.allSatisfy { $0.rescale?.storedBytes == 12 })
        #expect(eight.size.total == 16 + 216 + 768 + 16)
        var bits = BitWidths(uniform: 8)
        bits[.rWx] = 3; bits[.zAdd] = 4; bits[.gateZ] = 4
        let mixed = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: QuantizationOptions())
        // r.wx's 3-bit weights take 4-bit containers, a row of 2 padded to a word of 8: 3 · 4 bytes,
        // as at 8 bits; gate.z's table is 16 entries of a nibble = 8 bytes (was 256).
        #expect(mixed.size.total == eight.size.total - 248)
        #expect(mixed.size[.gateZ] == 8 && mixed.size[.rWx] == 12 + 12 + 12)
        let pow2 = QuantizedGRU(model: model, calibration: calibration, bits: BitWidths(uniform: 8),
                                options: QuantizationOptions(weights: .perTensor, requantization: .powerOfTwo))
        // Per tensor, a linear operator's one requantizer is an immediate: no multipliers stored.
        #expect(pow2.size.total == eight.size.total - 6 * 12)
    }

    @Test("16-bit widths need 64-bit accumulators; 8-bit ones fit in 32 bits")
    func accumulators() {
        let fx = DigitsFixture.shared
        #expect(fx.quantized(BitWidths(uniform: 8)).linear.allSatisfy { !$0.wideAccumulator })
        let wide = fx.quantized(BitWidths(uniform: 16))
        #expect(wide.linear.allSatisfy { $0.wideAccumulator })
        #expect(wide.size[.rWx] == 64 * 8 * 2 + 64 * 8 + 64 * 3)
    }
}
