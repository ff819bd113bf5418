import Export
import GRU
import Quantization
import Randomness
import TestSupport
import Testing

private let golden = GoldenFiles()

@Suite("export c: golden files (rewrite with GQ_UPDATE_GOLDEN=1)")
struct GoldenCTests {
    /// A small seeded model whose mixed widths reach every form the export writes: 2-, 4- and
    /// 8-bit weight containers, a 16-bit operator, unsigned and nibble tables, per-row rescales.
    static func model() throws -> QuantizedGRU {
        try model(cell: .gru, ["r.wx=2", "z.wh=4", "n.wh=3", "gate.r=4", "gate.n=5", "h.add=6", "n.mul=16", "h.sub=3", "fc=5"])
    }

    static func model(cell: CellKind, _ assignments: [String]) throws -> QuantizedGRU {
        var generator = SeededGenerator(seed: 11)
        var float = GRUClassifier(inputSize: 2, hiddenSize: 3, classCount: 2, cell: cell, seed: 4)
        let sequences = (0..<8).map { _ in (0..<(2 * 6)).map { _ in Float.random(in: -2...2, using: &generator) } }
        float.standardization = Standardization.fit(sequences: sequences, featureCount: 2)
        let options = QuantizationOptions(range: .maxAbs)
        let calibration = Calibration.calibrate(model: float, trainingSequences: sequences, options: options)
        var bits = BitWidths(uniform: 8, network: float.network)
        try bits.apply(assignments)
        return QuantizedGRU(model: float, calibration: calibration, bits: bits, options: options)
    }

    @Test("the header and source of a small mixed configuration are as reviewed")
    func mixed() throws {
        let export = try CExport(try Self.model(), name: "net", description: ["golden"])
        try golden.check(export.header, against: "net-mixed.h")
        try golden.check(export.source, against: "net-mixed.c")
    }

    @Test("an LSTM's header and source, h and c in their own code types, are as reviewed")
    func lstm() throws {
        let model = try Self.model(cell: .lstm, ["i.wx=2", "f.wh=4", "gate.f=4", "c.add=12", "c.tanh=5", "h.mul=6", "c.mul_i=16", "fc=5"])
        let export = try CExport(model, name: "net", description: ["golden"])
        try golden.check(export.header, against: "net-lstm.h")
        try golden.check(export.source, against: "net-lstm.c")
    }
}
