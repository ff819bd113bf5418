import Datasets
import Foundation
import GRU
import Quantization

/// `eval`: float and quantized accuracy of the current configuration, and its size.
enum EvalCommand {
    static var commands: [Command] {
        [
            Command(
                name: "eval", usage: "eval",
                summary: "Measure float and quantized accuracy and the model size of the current bits",
                details: "Runs the bit-exact integer model of the current configuration ('set bits') on the validation split (used for every choice gq makes) and the test split (reported only), next to the float model. Size is the bytes of constant data the C export emits (packed weights, biases, requantizers, lookup tables), also as a percentage of homogeneous 8-bit. Sets accuracy and test_accuracy (quantized), float_accuracy and float_test_accuracy, all fractions from 0 to 1, size (bytes) and size_ratio (of 8-bit, 1 = the same).",
                examples: ["eval", "set bits gate.z=4; eval; assert accuracy >= float_accuracy - 0.01"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "eval")
                    let session = interpreter.session
                    _ = try session.quantizationInputs()  // a task, a model that fits it, a calibration
                    let (floatValidation, floatTest) = try session.floatAccuracy()
                    let bits = session.quantization.bits
                    let q = try session.evaluateQuantized(bits)
                    let io = session.io
                    io.out("float     validation \(percent(floatValidation))   test \(percent(floatTest))")
                    io.out("quantized validation \(percent(q.validation))   test \(percent(q.test))   (\(signedPoints(q.validation - floatValidation)) vs float)   bits \(bits)\(session.quantization.tuned == nil ? "" : ", fine-tuned weights")")
                    io.out("size      \(q.size) bytes = \(String(format: "%.1f", q.ratio * 100)) % of homogeneous 8-bit (\(try session.referenceSize()) bytes)")
                    let values: [(String, Double)] = [
                        ("accuracy", q.validation), ("test_accuracy", q.test),
                        ("float_accuracy", floatValidation), ("float_test_accuracy", floatTest),
                        ("size", Double(q.size)), ("size_ratio", q.ratio),
                    ]
                    for (name, value) in values { session.variables[name] = .number(value) }
                }
            ),
        ]
    }
}

/// `+0.3 points`, `-1.2 points`.
func signedPoints(_ difference: Double) -> String {
    String(format: "%+.1f points", difference * 100)
}
