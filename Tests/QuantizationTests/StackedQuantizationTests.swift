import Foundation
import GRU
import Quantization
import Testing

@Suite("Stacked layers in the integer reference engine")
struct StackedQuantizationTests {
    static let sequences = randomSequences(count: 40, features: 3, lengths: 1...30, seed: 9)

    /// A two-layer stack and the single layer made of its first layer and its head, calibrated alike.
    static func models() throws -> (stack: GRUClassifier, single: GRUClassifier) {
        var stack = GRUClassifier(inputSize: 3, hiddenSize: 12, classCount: 4, layers: 2, seed: 21)
        stack.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
        let single = try #require(GRUClassifier(inputSize: 3, hiddenSize: 12, classCount: 4, layers: [stack.layers[0]],
                                                fcWeight: stack.fcWeight, fcBias: stack.fcBias, standardization: stack.standardization))
        return (stack, single)
    }

    @Test("a stack's first layer computes exactly the codes of the same layer alone, at mixed widths")
    func firstLayerAsAlone() throws {
        let (stack, single) = try Self.models()
        let network = NetworkDescription(cell: .gru, layers: 2)
        var bits = BitWidths(uniform: 8, network: network), alone = BitWidths(uniform: 8)
        try bits.apply(["gate.*=5", "l0.h.add=6", "l1.n.mul=4", "input=7"])
        try alone.apply(["gate.*=5", "h.add=6", "input=7"])
        let options = QuantizationOptions(range: .maxAbs)
        let q2 = QuantizedGRU(model: stack, calibration: Calibration.calibrate(model: stack, sequences: Self.sequences, method: .maxAbs),
                              bits: bits, options: options)
        let q1 = QuantizedGRU(model: single, calibration: Calibration.calibrate(model: single, sequences: Self.sequences, method: .maxAbs),
                              bits: alone, options: options)
        for sequence in Self.sequences.prefix(10) {
            var first: [[[Int64]]] = [], layered: [[[Int64]]] = []
            q1.referenceLogits(sequence) { _, codes in first.append(Array(codes.prefix(17))) }
            q2.referenceLogits(sequence) { _, codes in layered.append(Array(codes.prefix(17))) }
            #expect(first == layered)
        }
    }

    @Test("the second layer saturates at its own widths: at l1.*=3 its codes stay within ±3 (or 0…7) and reach the bounds, and the logits differ from l1.*=8")
    func secondLayerWidths() throws {
        let (stack, _) = try Self.models()
        let network = NetworkDescription(cell: .gru, layers: 2)
        let calibration = Calibration.calibrate(model: stack, sequences: Self.sequences, method: .maxAbs)
        let options = QuantizationOptions(range: .maxAbs)
        var narrow = BitWidths(uniform: 8, network: network)
        try narrow.apply(["l1.*=3"])
        let q3 = QuantizedGRU(model: stack, calibration: calibration, bits: narrow, options: options)
        let q8 = QuantizedGRU(model: stack, calibration: calibration, bits: BitWidths(uniform: 8, network: network), options: options)
        var reached = Set<Int>(), differs = false
        for sequence in Self.sequences {
            q3.referenceLogits(sequence) { _, codes in
                for i in 0..<17 {
                    let id = OperatorID.cell(i, layer: 1), (low, high) = q3.bounds(id: id)
                    #expect(high == (GRUOperator(cellIndex: i).isUnsigned ? 7 : 3))
                    let values = codes[network.position(of: id)]
                    #expect(values.allSatisfy { (low...high).contains($0) }, "l1.\(GRUOperator(cellIndex: i).name)")
                    if values.contains(where: { $0 == high || $0 == low }) { reached.insert(i) }
                }
            }
            differs = differs || q3.referenceLogits(sequence) != q8.referenceLogits(sequence)
        }
        #expect(reached.count >= 10, "few operators of layer 1 reach their bounds: \(reached.sorted())")
        #expect(differs)
    }

    @Test("at 16 bits a two-layer stack's integer logits are the float stack's, to a small fraction of their spread")
    func followsFloat() throws {
        let (stack, _) = try Self.models()
        let network = NetworkDescription(cell: .gru, layers: 2)
        let calibration = Calibration.calibrate(model: stack, sequences: Self.sequences, method: .maxAbs)
        let q = QuantizedGRU(model: stack, calibration: calibration, bits: BitWidths(uniform: 16, network: network),
                             options: QuantizationOptions(range: .maxAbs))
        let float = stack.logits(Self.sequences)
        let scale = q.scale(id: .fc)
        var agree = 0, worst = 0.0, spread = 0.0
        for (i, sequence) in Self.sequences.enumerated() {
            let integer = q.referenceLogits(sequence).map { Double($0) * scale }
            let reference = (0..<4).map { Double(float[i * 4 + $0]) }
            worst = max(worst, zip(integer, reference).map { abs($0 - $1) }.max() ?? 0)
            spread = max(spread, (reference.max() ?? 0) - (reference.min() ?? 0))
            if QuantizedGRU.argmax(integer[...]) == QuantizedGRU.argmax(reference[...]) { agree += 1 }
        }
        #expect(worst < 0.01 * spread, "largest logit error \(worst) against a spread of \(spread)")
        #expect(agree >= Self.sequences.count - 1)
    }
}
