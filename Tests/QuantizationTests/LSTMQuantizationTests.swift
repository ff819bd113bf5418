import Foundation
import GRU
import Quantization
import Testing

@Suite("LSTM layers in the integer model, calibration and the float reference")
struct LSTMQuantizationTests {
    static let sequences = randomSequences(count: 40, features: 3, lengths: 1...30, seed: 9)

    static func model(layers: Int = 1) -> GRUClassifier {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 12, classCount: 4, layers: layers, cell: .lstm, seed: 21)
        model.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
        return model
    }

    @Test("an LSTM network has 21 operators a layer, named as the description names them, with c.add signed and calibrated and the gates' σ unsigned")
    func operators() throws {
        let network = Self.model(layers: 2).network
        #expect(network.cell == .lstm && network.genome.count == 42 && network.operators.count == 44)
        #expect(network.names.prefix(3) == ["l0.i.wx", "l0.i.wh", "l0.f.wx"] && network.names.suffix(2) == ["input", "fc"])
        let cAdd = try #require(network.operatorNamed("l1.c.add")), gateF = try #require(network.operatorNamed("l0.gate.f"))
        #expect(network.range(of: cAdd) == .calibrated && network.range(of: gateF) == .unit)
        #expect(network.range(of: try #require(network.operatorNamed("l0.c.tanh"))) == .symmetricUnit)
        var bits = BitWidths(uniform: 8, network: network)
        try bits.apply(["c.*=12", "l1.gate.*=4"])
        #expect(bits[id: cAdd] == 12 && bits[id: .cell(12, layer: 1)] == 4 && bits[id: .cell(12, layer: 0)] == 8)
        #expect(throws: BitWidthError.self) { try bits.apply(["gate.z=4"]) }
    }

    @Test("widths carried from a GRU to an LSTM give every LSTM operator the GRU's most common width and keep input and fc")
    func carriedAcrossCells() throws {
        var gru = BitWidths(uniform: 6)
        try gru.apply(["gate.z=4", "input=9", "fc=5"])
        let lstm = gru.carried(to: NetworkDescription(cell: .lstm, layers: 1))
        #expect(lstm.genome == [Int](repeating: 6, count: 21) && lstm[id: .input] == 9 && lstm[id: .fc] == 5)
    }

    @Test("calibration measures an LSTM's cell state: the max-abs range of c.add is the largest |c| the float reference reaches")
    func calibrationSeesTheCellState() throws {
        var model = Self.model(layers: 2)
        // Forget gates held open (bias +3, f ≈ 0.95), so c accumulates past [−1, 1] as trained LSTMs' does.
        for k in 0..<2 { for j in 12..<24 { model.layers[k].biasIH[j] = 3 } }
        let network = model.network
        let calibration = Calibration.calibrate(model: model, sequences: Self.sequences, method: .maxAbs)
        #expect(calibration.network == network)
        for layer in 0..<2 {
            let cAdd = try #require(network.operatorNamed("l\(layer).c.add")), at = network.position(of: cAdd)
            var largest = 0.0
            for sequence in Self.sequences {
                FloatReference.run(model: model, sequence: sequence) { _, v in largest = max(largest, v[at].map(abs).max() ?? 0) }
            }
            let range = calibration.range(id: cAdd, bits: 8)
            #expect(abs(range - largest) <= 1e-4 * largest, "layer \(layer): range \(range), largest |c| \(largest)")
            #expect(largest > 1, "c leaves [−1, 1] somewhere, or the test shows nothing")
        }
    }

    @Test("the evaluator runs LSTMs of 1–3 layers bit for bit as the reference, at homogeneous and random mixed widths, at any thread count, on every kernel set this CPU runs",
          arguments: IntegerKernelSet.available)
    func evaluatorEqualsReference(kernels: IntegerKernelSet) throws {
        let sequences = randomSequences(count: 37, features: 5, lengths: 1...14, seed: 4)
        var state: UInt64 = 0x157, paths: [String: Int] = [:]
        for layers in 1...3 {
            let model = GRUClassifier(inputSize: 5, hiddenSize: 20, classCount: 3, layers: layers, cell: .lstm, seed: UInt64(layers))
            let network = model.network
            let calibration = Calibration.calibrate(model: model, sequences: Array(sequences.prefix(6)), method: .maxAbs)
            let evaluator = IntegerEvaluator(sequences: sequences, featureCount: 5, chunkRows: 8, kernels: kernels)
            let stacked: [[String]] = layers > 1 ? [["l0.*=2", "input=10"]] : []
            let configurations = try testConfigurations(network, assignments: [["all=8"], ["all=4"], ["all=16"], ["c.add=12", "h.mul=3"]] + stacked,
                                                        trials: 6, wideFrom: 3, state: &state)
            for (name, bits) in configurations {
                let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: QuantizationOptions(range: .maxAbs))
                let reference = sequences.flatMap { q.referenceLogits($0) }
                #expect(evaluator.logits(q, threads: 1) == reference, "\(layers) layers, \(name)")
                #expect(evaluator.logits(q, threads: 3) == reference, "\(layers) layers, \(name), 3 threads")
                let path = evaluator.kernelPath(for: q)
                paths[path, default: 0] += 1
                #expect(IntegerEvaluator.describedPaths.contains(path))
            }
        }
        // Byte products wherever the AVX-512 kernels may run and every width allows them (all=8, all=4 at least).
        switch kernels {
        case .avx512, .automatic: #expect(paths["description avx512", default: 0] >= 6, "\(paths)")
        case .avxvnni:
            #expect(paths["description avxvnni", default: 0] >= 6
                    && paths.keys.allSatisfy { ["description avxvnni", "description avx2", "description"].contains($0) }, "\(paths)")
        case .avx2:
            // Every sum in 64 bits (all=16) leaves no int16 product to run: plain "description".
            #expect(paths["description avx2", default: 0] >= 6
                    && paths.keys.allSatisfy { $0 == "description avx2" || $0 == "description" }, "\(paths)")
        case .portable: #expect(paths.keys.allSatisfy { $0 == "description" }, "\(paths)")
        }
    }

    @Test("an LSTM's configuration file, widths named by layer and cell, rebuilds the same integer model")
    func configurationFile() throws {
        let model = Self.model(layers: 2)
        var bits = BitWidths(uniform: 6, network: model.network)
        try bits.apply(["l1.c.add=10", "gate.f=4"])
        let options = QuantizationOptions(range: .maxAbs)
        let calibration = Calibration.calibrate(model: model, sequences: Self.sequences, method: .maxAbs)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-lstm-config-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigurationFile(bits: bits, options: options, calibration: calibration, tuned: false).write(model: model, to: url)
        let (file, read) = try ConfigurationFile.read(url)
        #expect(read.cell == .lstm && file.bits == bits && file.calibration == calibration && file.calibration.network == model.network)
        let before = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
        let after = QuantizedGRU(model: read, calibration: file.calibration, bits: file.bits, options: file.options)
        #expect(Self.sequences.allSatisfy { before.referenceLogits($0) == after.referenceLogits($0) })
    }

    @Test("an LSTM's size counts four gates' weights, its five tables, the input quantizer and the head")
    func size() throws {
        let model = Self.model()
        let network = model.network
        let calibration = Calibration.calibrate(model: model, sequences: Self.sequences, method: .maxAbs)
        let q8 = QuantizedGRU(model: model, calibration: calibration, bits: BitWidths(uniform: 8, network: network), options: QuantizationOptions(range: .maxAbs))
        let size = q8.size
        // 8 linear operators of 12 rows, 3 or 12 columns padded to 4 or 12 codes, a byte each; the head 4 × 12.
        #expect(size.weightBytes == 4 * 12 * 4 + 4 * 12 * 12 + 4 * 12)
        let tables = network.genome.filter { network.kind(of: $0) == .activation }
        // Five tables of 256 byte entries, each stored once (one equal to another is counted once).
        #expect(tables.count == 5 && tables.allSatisfy { size[id: $0] == 256 || size[id: $0] == 0 })
        #expect(size.tableBytes >= 3 * 256 && size.tableBytes % 256 == 0)
        #expect(size.total == size.bytes.reduce(0, +) && size[id: .input] == 8 * 3)
    }
}
