import Foundation
import ONNX
import Quantization

extension Workspace {
    /// The current configuration (with its fine-tuned weights, if any) as an ONNX graph of
    /// standard integer operators that onnxruntime runs to exactly gq's integer logits
    /// (`ONNXExport`); the configuration, task and accuracy go into its metadata.
    public func exportONNX() throws -> Data {
        let task = try requireTask()
        let quantized = try quantizedModel()
        let score = try evaluate(bits)
        let logitScale = quantized.scales[quantized.bits.network.position(of: .fc)]
        let metadata: [(String, String)] = [
            ("gq.configuration", bits.description),
            ("gq.options", options.description),
            ("gq.weights", tuned.map { "fine-tuned (\($0.note))" } ?? "the float model's, post-training"),
            ("gq.cell", "\(quantized.layers.count) × \(quantized.bits.network.cell.displayName), hidden \(quantized.hiddenSize)"),
            ("gq.task", task.name),
            // A JSON array: class names may hold commas (an ARFF nominal value can).
            ("gq.classes", String(decoding: (try? JSONSerialization.data(withJSONObject: task.classNames)) ?? Data("[]".utf8), as: UTF8.self)),
            ("gq.validation_accuracy", String(score.accuracy.validation)),
            ("gq.test_accuracy", String(score.accuracy.test)),
            ("gq.size_bytes", String(score.size)),
            ("gq.logit_scale", String(logitScale)),
        ]
        return try ONNXExport.data(quantized, name: task.name, metadata: metadata)
    }
}
