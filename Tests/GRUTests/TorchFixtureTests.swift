import Foundation
import GRU
import Testing

/// What scripts/make-torch-fixture.py writes beside the safetensors file.
struct TorchExpectation: Decodable {
    var input_size: Int
    var hidden_size: Int
    var class_count: Int
    /// Absent in the single-layer fixture, written before stacks.
    var layers: Int?
    /// `gru` or `lstm`; absent in the GRU fixtures, written before LSTMs.
    var cell: String?
    var sequences: [[Float]]
    var lengths: [Int]
    var logits: [[Float]]
}

@Suite("PyTorch fixture")
struct TorchFixtureTests {
    @Test("a GRU or LSTM trained in PyTorch and saved with safetensors.torch.save_file gives PyTorch's logits within 1e-5",
          arguments: ["torch_gru", "torch_gru_l2", "torch_lstm", "torch_lstm_l2"])
    func torchLogits(fixture: String) throws {
        let modelURL = try #require(Bundle.module.url(forResource: fixture, withExtension: "safetensors", subdirectory: "Fixtures"))
        let expectedURL = try #require(Bundle.module.url(forResource: fixture + "_expected", withExtension: "json", subdirectory: "Fixtures"))
        let expected = try JSONDecoder().decode(TorchExpectation.self, from: Data(contentsOf: expectedURL))
        let model = try GRUClassifier(contentsOf: modelURL)
        #expect(model.inputSize == expected.input_size)
        #expect(model.hiddenSize == expected.hidden_size)
        #expect(model.classCount == expected.class_count)
        #expect(model.layerCount == (expected.layers ?? 1))
        #expect(model.cell.rawValue == (expected.cell ?? "gru"))
        #expect(model.standardization == nil, "a plain PyTorch export runs on raw inputs")
        #expect(expected.sequences.map { $0.count / model.inputSize } == expected.lengths)
        let logits = model.logits(expected.sequences)
        for (i, row) in expected.logits.enumerated() {
            for (k, want) in row.enumerated() {
                #expect(abs(logits[i * model.classCount + k] - want) <= 1e-5, "sequence \(i) class \(k)")
            }
        }
    }
}
