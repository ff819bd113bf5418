import Foundation
import Quantization
import Testing

@Suite("Quantization options and their spellings")
struct OptionsTests {
    typealias RangeMethod = QuantizationOptions.RangeMethod

    @Test("range kinds are spelled as the shell takes them")
    func rangeKindSpellings() {
        #expect(QuantizationOptions.RangeKind.allCases.map(\.rawValue) == ["max-abs", "percentile", "mse"])
        #expect(QuantizationOptions.RangeKind(rawValue: "max-abs") == .maxAbs)
        #expect(QuantizationOptions.RangeKind(rawValue: "maxabs") == nil)
    }

    @Test("a range method round-trips through its kind")
    func rangeMethodKind() {
        for kind in QuantizationOptions.RangeKind.allCases {
            #expect(RangeMethod(kind: kind, percentile: 99.9).kind == kind)
        }
        #expect(RangeMethod(kind: .percentile, percentile: 99.9) == .percentile(99.9))
        #expect(RangeMethod(kind: .mse, percentile: 99.9) == .mse)
        #expect(RangeMethod(kind: .maxAbs, percentile: 50) == .maxAbs)
        #expect(RangeMethod(kind: .percentile) == .percentile(99.99))
        #expect(QuantizationOptions.defaultPercentile == 99.99)
    }

    @Test("descriptions start with the kind's spelling")
    func rangeDescriptions() {
        #expect(RangeMethod.maxAbs.description == "max-abs")
        #expect(RangeMethod.mse.description == "mse")
        #expect(RangeMethod.percentile(99.9).description == "percentile 99.9")
        #expect(RangeMethod.percentile(99).description == "percentile 99")
    }

    @Test("weight granularity and requantization keep their spellings")
    func rawValues() {
        #expect(QuantizationOptions.WeightGranularity.allCases.map(\.rawValue) == ["channel", "tensor"])
        #expect(QuantizationOptions.Requantization.allCases.map(\.rawValue) == ["multiplier", "pow2"])
        #expect(QuantizationOptions.WeightGranularity(rawValue: "tensor") == .perTensor)
        #expect(QuantizationOptions.Requantization(rawValue: "pow2") == .powerOfTwo)
    }

    @Test("options encode and decode unchanged")
    func codable() throws {
        for range in [RangeMethod.maxAbs, .percentile(99.5), .mse] {
            let options = QuantizationOptions(range: range, weights: .perTensor, requantization: .powerOfTwo,
                                              calibrationSize: 128, calibrationSeed: 7)
            let data = try JSONEncoder().encode(options)
            #expect(try JSONDecoder().decode(QuantizationOptions.self, from: data) == options)
        }
    }
}
