import Foundation
import GRU
import Quantization

/// The configuration target: a file `load config` accepts must also build an integer
/// model that runs (a bad calibration once loaded and then crashed `eval`).
enum FuzzConfiguration {
    static func run(_ bytes: Data) throws -> String? {
        try withFolder { folder in
            let url = folder.appendingPathComponent("input.safetensors")
            try bytes.write(to: url)
            let (file, model) = try ConfigurationFile.read(url)
            let quantized = QuantizedGRU(model: model, calibration: file.calibration, bits: file.bits, options: file.options)
            // Three steps of a ramp: enough to pass every operator, including the head.
            let sequence = (0..<(3 * model.inputSize)).map { Float($0 % 7) - 3 }
            _ = quantized.referenceLogits(sequence)
            _ = IntegerEvaluator(sequences: [sequence], featureCount: model.inputSize).logits(quantized, threads: 1)
            return nil
        }
    }
}
