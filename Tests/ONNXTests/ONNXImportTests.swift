import Foundation
import GRU
import ONNX
import Testing

/// Models exported by torch.onnx.export (scripts/make-onnx-fixtures.py), read back: each must
/// be the very model its PyTorch state_dict is, and what gq cannot run is refused by name.
@Suite("ONNX import")
struct ONNXImportTests {
    static func fixture(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    @Test("a GRU, a two-layer LSTM, a head on h_n under other names, and the dynamo exporter's files with external weights read as their state_dicts",
          arguments: ["gru", "lstm2", "final-state", "gru2-dynamo", "lstm-dynamo"])
    func sameAsStateDict(_ name: String) throws {
        let (model, note) = try ONNXImport.classifier(contentsOf: Self.fixture(name + ".onnx"))
        let expected = try GRUClassifier(contentsOf: Self.fixture(name + ".safetensors"))
        #expect(model == expected)
        #expect(note.contains("gates reordered from ONNX's to PyTorch's order"))
        if name == "final-state" { #expect(note.hasSuffix("the Softmax after the head is left out (it does not change the class)")) }
        if name == "lstm2" { #expect(model.cell == .lstm && model.layerCount == 2) }
    }

    @Test("a Keras LSTM converted by tf2onnx (MatMul head) gives Keras's logits within 1e-5")
    func tf2onnx() throws {
        struct Expected: Decodable { var sequence: [Float]; var logits: [Float] }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixture("tf2onnx-keras-lstm.json")))
        let (model, note) = try ONNXImport.classifier(contentsOf: Self.fixture("tf2onnx-keras-lstm.onnx"))
        #expect(model.cell == .lstm && model.inputSize == 8 && model.classCount == 4)
        #expect(note.contains("MatMul node"))
        let logits = model.logits([expected.sequence])
        for (k, want) in expected.logits.enumerated() {
            #expect(abs(logits[k] - want) <= 1e-5, "class \(k): \(logits[k]) against Keras's \(want)")
        }
    }

    @Test("what gq cannot run is refused, naming the node and the reason", arguments: [
        ("refused-bidirectional", "the GRU node '/rnn/GRU' runs direction 'bidirectional', which reads each sequence from its end"),
        ("refused-linear-before-reset", "the GRU node '/rnn/GRU' has linear_before_reset = 0"),
        ("refused-mean-pooling", "the ReduceMean node '/ReduceMean' reads every step's output, not the last step's"),
        ("refused-initial-state", "the GRU node '/rnn/GRU' starts from a given initial_h rather than zeros"),
    ])
    func refused(_ name: String, _ reason: String) throws {
        let url = Self.fixture(name + ".onnx")
        #expect(throws: ONNXImportError.self) { _ = try ONNXImport.classifier(contentsOf: url) }
        do {
            _ = try ONNXImport.classifier(contentsOf: url)
        } catch let error as ONNXImportError {
            #expect(error.description.hasPrefix("\(url.path): \(reason)"))
        }
    }

    @Test("a file that is not ONNX, and weights stored outside the file that are missing, are named")
    func damaged() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("text.onnx")
        try Data("not a model".utf8).write(to: text)
        #expect(throws: ONNXImportError.self) { _ = try ONNXImport.classifier(contentsOf: text) }
        // The dynamo exporter's model without its .data file beside it.
        let alone = folder.appendingPathComponent("alone.onnx")
        try Data(contentsOf: Self.fixture("lstm-dynamo.onnx")).write(to: alone)
        do {
            _ = try ONNXImport.classifier(contentsOf: alone)
            Issue.record("a model whose weights are missing loaded")
        } catch let error as ONNXImportError {
            #expect(error.description.contains("which cannot be read beside the model"))
        }
    }
}
