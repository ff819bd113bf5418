import Workbench

/// `eval`: float and quantized accuracy of the current configuration, and its size.
enum EvalCommand {
    static var commands: [Command] {
        [
            Command(
                name: "eval",
                summary: "Measure float and quantized accuracy and the model size of the current bits",
                details: "Runs the bit-exact integer model of the current configuration ('set bits') on the validation split (used for every choice gq makes) and the test split (reported only), next to the float model. Size is the bytes of constant data 'export c' emits (packed weights, biases, requantizers, lookup tables, the input quantizer's constants), also as a percentage of homogeneous 8-bit; it leaves out code (a few KB of .text, the same for every configuration) and RAM (the state and one step's scratch: 'show ops' counts them). Sets accuracy and test_accuracy (quantized), float_accuracy and float_test_accuracy, all fractions from 0 to 1, size (bytes) and size_ratio (of 8-bit, 1 = the same).",
                examples: ["eval", "set bits gate.z=4; eval; assert accuracy >= float_accuracy - 0.01"],
                publishes: ["accuracy", "test_accuracy", "float_accuracy", "float_test_accuracy", "size", "size_ratio"],
                run: { interpreter in
                    let session = interpreter.session
                    let workspace = session.workspace
                    _ = try workspace.quantizationInputs()  // a task, a model that fits it, a calibration
                    let float = try workspace.floatAccuracy()
                    let bits = workspace.bits
                    let q = try workspace.evaluate(bits)
                    let io = session.io
                    let refitNote = try workspace.requireModel().heldOut.map {
                        "   (refit on validation; held out \(percent($0.accuracy)))"
                    } ?? ""
                    io.out("float     validation \(percent(float.validation))   test \(percent(float.test))\(refitNote)")
                    io.out("quantized validation \(percent(q.accuracy.validation))   test \(percent(q.accuracy.test))   (\(signedPoints(q.accuracy.validation - float.validation)) vs float)   bits \(bits)\(workspace.tuned == nil ? "" : ", fine-tuned weights")")
                    io.out("size      \(q.size) bytes = \(String(format: "%.1f", q.sizeRatio * 100)) % of homogeneous 8-bit (\(try workspace.referenceSize()) bytes)")
                    session.publish([
                        ("accuracy", q.accuracy.validation), ("test_accuracy", q.accuracy.test),
                        ("float_accuracy", float.validation), ("float_test_accuracy", float.test),
                        ("size", Double(q.size)), ("size_ratio", q.sizeRatio),
                    ])
                }
            ),
        ]
    }
}

/// `+0.3 points`, `-1.2 points`.
func signedPoints(_ difference: Double) -> String {
    String(format: "%+.1f points", difference * 100)
}
