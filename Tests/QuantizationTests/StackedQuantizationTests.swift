import Foundation
import GRU
import Quantization
import Testing

@Suite("Stacked layers in the integer engines")
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

    @Test("at 16 bits a two-layer stack's integer logits, GRU or LSTM, are the float stack's, to a small fraction of their spread",
          arguments: [CellKind.gru, .lstm])
    func followsFloat(cell: CellKind) throws {
        var stack = GRUClassifier(inputSize: 3, hiddenSize: 12, classCount: 4, layers: 2, cell: cell, seed: 21)
        stack.standardization = Standardization.fit(sequences: Self.sequences, featureCount: 3)
        let network = stack.network
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

    @Test("the batched engine runs stacks of 2–4 layers bit for bit as the reference, at widths that change each layer's kernels, on every kernel set this CPU runs",
          arguments: IntegerKernelSet.available)
    func batchedEqualsReference(kernels: IntegerKernelSet) throws {
        let sequences = randomSequences(count: 37, features: 5, lengths: 1...14, seed: 4)
        var state: UInt64 = 0x57AC
        var paths: [String: Int] = [:]
        for layers in 2...4 {
            let model = GRUClassifier(inputSize: 5, hiddenSize: 20, classCount: 3, layers: layers, seed: UInt64(layers))
            let network = NetworkDescription(cell: .gru, layers: layers)
            let calibration = Calibration.calibrate(model: model, sequences: Array(sequences.prefix(6)), method: .maxAbs)
            let evaluator = IntegerEvaluator(sequences: sequences, featureCount: 5, chunkRows: 8, kernels: kernels)
            // The layer below's state at 12 and 16 bits: the layer above's products go from
            // bytes to int16 codes with and without the offset, and to 64-bit sums.
            let configurations = try testConfigurations(network, assignments: [["all=8"], ["all=4"], ["l0.h.add=12"], ["l0.*=16", "l1.*=3"],
                                                                               ["l0.*=6", "l1.*=16", "input=9"]],
                                                        trials: 8, wideFrom: 4, state: &state)
            for (name, bits) in configurations {
                let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: QuantizationOptions(range: .maxAbs))
                let reference = sequences.flatMap { q.referenceLogits($0) }
                #expect(evaluator.logits(q, threads: 1) == reference, "\(layers) layers, \(name)")
                #expect(evaluator.logits(q, threads: 3) == reference, "\(layers) layers, \(name), 3 threads")
                for k in 0..<layers { paths[evaluator.kernelPath(for: q.layer(k)), default: 0] += 1 }
                if name == "l0.*=16 l1.*=3" {
                    // 64-bit sums in layer 0 only: the path is named per layer.
                    #expect(evaluator.kernelPath(for: q).hasPrefix("l0 scalar, l1 "), "\(evaluator.kernelPath(for: q))")
                }
            }
        }
        // Every layer must have run on the kernels the comparison is meant to check.
        if kernels == .portable {
            #expect(paths["portable", default: 0] >= 80 && paths.keys.allSatisfy { $0 == "portable" || $0 == "scalar" }, "\(paths)")
        } else if kernels == .avx2 || kernels == .avxvnni {
            #expect(paths["\(kernels.rawValue) narrow", default: 0] >= 60 && paths["avx2", default: 0] >= 5 && paths["portable"] == nil
                    && paths["scalar", default: 0] <= 12, "\(paths)")
        } else {
            // Layers with 64-bit sums (16-bit widths) run the scalar path on any CPU.
            #expect(paths["avx512 narrow", default: 0] >= 60 && paths["avx512", default: 0] >= 5 && paths["portable"] == nil
                    && paths["scalar", default: 0] <= 12, "\(paths)")
        }
    }

    @Test("the float reference runs stacks and LSTMs: its logits are the float engine's, and at 16 bits every operator of every layer follows the integer codes",
          arguments: [(CellKind.gru, 2), (.lstm, 1), (.lstm, 2)])
    func floatReference(cell: CellKind, layers: Int) throws {
        var stack = GRUClassifier(inputSize: 3, hiddenSize: 12, classCount: 4, layers: layers, cell: cell, seed: 21)
        stack.standardization = Standardization.fit(sequences: Self.sequences, featureCount: 3)
        let float = stack.logits(Self.sequences)
        let network = stack.network
        let q = QuantizedGRU(model: stack, calibration: Calibration.calibrate(model: stack, sequences: Self.sequences, method: .maxAbs),
                             bits: BitWidths(uniform: 16, network: network), options: QuantizationOptions(range: .maxAbs))
        for (i, sequence) in Self.sequences.enumerated() {
            var values: [[[Double]]] = []
            let logits = FloatReference.run(model: stack, sequence: sequence) { _, v in values.append(v) }
            for c in 0..<4 { #expect(abs(logits[c] - Double(float[i * 4 + c])) < 1e-4) }
            var t = 0
            q.referenceLogits(sequence) { _, codes in
                for id in network.genome {
                    let at = network.position(of: id), scale = q.scale(id: id)
                    let worst = zip(codes[at], values[t][at]).map { abs(Double($0) * scale - $1) }.max() ?? 0
                    #expect(worst < 0.02 * max(1, scale * 32767), "\(network.name(of: id)) at step \(t)")
                }
                t += 1
            }
        }
    }

    /// A two-layer stack of `cell` with a label per sequence and max-abs ranges, for fake-quant.
    static func labelledStack(_ cell: CellKind) throws -> (GRUClassifier, NetworkDescription, [Int], Calibration) {
        var stack = GRUClassifier(inputSize: 3, hiddenSize: 12, classCount: 4, layers: 2, cell: cell, seed: 21)
        stack.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
        return (stack, stack.network, sequences.indices.map { $0 % 4 },
                Calibration.calibrate(model: stack, sequences: sequences, method: .maxAbs))
    }

    /// The name of `cell`'s state output: what a layer above reads.
    static func stateName(_ cell: CellKind) -> String { cell.description.operators[cell.description.output].name }

    @Test("fake-quant runs stacks of either cell: at 16 bits its loss and every layer's weight gradient follow the float stack's, and at mixed widths it predicts as the integer engine",
          arguments: [CellKind.gru, .lstm])
    func fakeQuant(cell: CellKind) throws {
        let (stack, network, labels, calibration) = try Self.labelledStack(cell)
        let options = QuantizationOptions(range: .maxAbs)
        // Ranges with headroom: no value saturates, so the straight-through gradient is the float one up to rounding.
        var roomy = calibration
        roomy.ranges = roomy.ranges.map { $0.map { $0 * 2 } }
        let wide = FakeQuantGRU(model: stack, calibration: roomy, bits: BitWidths(uniform: 16, network: network), options: options)
        let (loss, gradient, rangeGradient) = wide.lossAndGradient(Self.sequences, labels: labels)
        let float = stack.lossAndGradient(Self.sequences, labels: labels)
        #expect(abs(loss - float.loss) < 1e-3 * max(1, abs(loss)), "loss \(loss) against \(float.loss)")
        let reference = float.gradient.flatParameters
        let layout = stack.layout
        for k in 0..<2 {
            for range in [layout.layer(k).weightIH, layout.layer(k).weightHH, layout.layer(k).biasHH] {
                let a = Array(gradient[range]), b = Array(reference[range])
                let norm = sqrt(b.reduce(0) { $0 + $1 * $1 }), error = sqrt(zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) })
                #expect(norm > 0 && error < 0.08 * norm, "layer \(k) \(range): error \(error) against norm \(norm)")
            }
        }
        #expect(rangeGradient.count == network.calibrated.count)
        // Mixed widths: the float model on the integer grids predicts as the integer engine.
        var bits = BitWidths(uniform: 6, network: network)
        try bits.apply(["l1.gate.*=4", "l0.\(Self.stateName(cell))=8"])
        let fake = FakeQuantGRU(model: stack, calibration: calibration, bits: bits, options: options).predictions(Self.sequences)
        let integer = QuantizedGRU(model: stack, calibration: calibration, bits: bits, options: options)
        let agree = zip(fake, Self.sequences).filter { QuantizedGRU.argmax(integer.referenceLogits($1)[...]) == $0 }.count
        #expect(agree >= Self.sequences.count - 2, "\(agree) of \(Self.sequences.count) agree")
    }

    @Test("fine-tuning a stack of either cell gives every layer's weights and the ranges a gradient, and never makes integer validation accuracy worse",
          arguments: [CellKind.gru, .lstm])
    func fineTuning(cell: CellKind) throws {
        let (stack, network, labels, calibration) = try Self.labelledStack(cell)
        var bits = BitWidths(uniform: 4, network: network)
        try bits.apply(["l0.\(Self.stateName(cell))=6"])
        let result = FineTuning.run(model: stack, calibration: calibration, bits: bits, options: QuantizationOptions(range: .maxAbs),
                                    train: (Self.sequences, labels), validation: (Self.sequences, labels),
                                    settings: FineTuningOptions(epochs: 3, learningRate: 1e-2, batchSize: 16))
        #expect(result.history.count == 3 && result.bestAccuracy >= result.startAccuracy)
        // Every layer's weights and the ranges get a gradient.
        let fake = FakeQuantGRU(model: stack, calibration: calibration, bits: bits, options: QuantizationOptions(range: .maxAbs))
        let (_, gradient, rangeGradient) = fake.lossAndGradient(Self.sequences, labels: labels)
        for k in 0..<2 {
            #expect(gradient[stack.layout.layer(k).weightIH].contains { $0 != 0 } && gradient[stack.layout.layer(k).weightHH].contains { $0 != 0 })
        }
        #expect(rangeGradient.contains { $0 != 0 })
    }

    @Test("range refinement runs on stacks of either cell: it never raises the logit error of homogeneous widths, and moves ranges of both layers",
          arguments: [CellKind.gru, .lstm])
    func refinement(cell: CellKind) throws {
        let (stack, network, _, measured) = try Self.labelledStack(cell)
        let options = QuantizationOptions(refine: .logits)
        let refined = try #require(RangeRefinement.refine(measured, model: stack, sequences: Self.sequences, options: options))
        let discrepancy = RangeRefinement.Discrepancy(model: stack, sequences: Self.sequences, measure: .logits)
        for bits in [3, 5] {
            let widths = BitWidths(uniform: bits, network: network)
            let before = discrepancy(QuantizedGRU(model: stack, calibration: measured, bits: widths, options: options))
            let after = discrepancy(QuantizedGRU(model: stack, calibration: refined, bits: widths, options: options))
            #expect(after <= before, "\(bits) bits: \(before) → \(after)")
        }
        let moved = network.calibrated.filter { measured.ranges[network.position(of: $0)] != refined.ranges[network.position(of: $0)] }
        #expect(moved.contains { $0.layer == 0 && $0.cellIndex != nil } && moved.contains { $0.layer == 1 }, "\(moved)")
    }
}
