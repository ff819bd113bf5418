import Foundation
import Workbench

/// `save split`, `save predictions`, `export c` and `export onnx`: data and models out of gq, in formats other tools read.
enum DataExportCommands {
    static let split = Option<SplitName>("split", "which split (default test)")
    static let exportName = Option<String>(spec: OptionSpec("name", .text, "base name of the files and prefix of every C symbol (default gq_model)"), convert: { $0 })

    /// A split name and a file.
    struct Request {
        var split: SplitName
        var file: ModelFileCommands.FileArgument
    }

    static var commands: [Command] {
        [
            Command(
                name: "export c", operands: "DIR",
                summary: "Write the current configuration as C99 for a microcontroller (NAME.h, NAME.c)",
                details: "Integer-only inference exactly as gq computes it (docs/quantization.md), with the fine-tuned weights if there are any: weights in 2-, 4-, 8- or 16-bit word containers, biases, per-channel multipliers and lookup tables as const arrays, no dynamic memory, no libm, the state owned by the caller (int8_t codes up to 8 bits). The dot products use SXTB16 and SMLAD where the compiler targets a core with the DSP extension (Cortex-M4, M7, M33) and portable C99 elsewhere (Cortex-M0+, M3, a host; -DNAME_PORTABLE forces it). API: NAME_FEATURES, NAME_HIDDEN, NAME_CLASSES; NAME_input_code, NAME_state; NAME_reset, NAME_step (raw floats), NAME_input_codes and NAME_step_codes (integer codes), NAME_logits (int32), NAME_logits64, NAME_classify. The constant data is the 'size' eval reports; the header's comment gives the cost model's instructions per step on a Cortex-M4 and on a core without DSP. Build with any C99 compiler. The folder is made if missing; each file is written to a temporary file and renamed.",
                examples: ["export c out", "use front 12; export c firmware name kws"],
                options: [exportName],
                completion: .paths,
                parse: { arguments -> (ModelFileCommands.FileArgument, String) in
                    try arguments.expectCount(1...3)
                    let parsed = try arguments.options(from: 1)
                    let name = parsed[exportName] ?? "gq_model"
                    guard CExport.isIdentifier(name) else {
                        throw CommandError(CExportError.badName(name).errorDescription ?? "", argument: 2)
                    }
                    return (ModelFileCommands.FileArgument(word: arguments[0], path: arguments.path(0)), name)
                },
                run: { interpreter, request in
                    let (folder, name) = request
                    let export: CExport
                    do {
                        export = try interpreter.session.workspace.exportC(name: name)
                    } catch let error as CExportError {
                        throw CommandError(Interpreter.message(for: error), argument: 2)
                    }
                    do {
                        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
                    } catch {
                        throw folder.failure(error, writing: true, argument: 0)
                    }
                    for (suffix, text) in [(".h", export.header), (".c", export.source)] {
                        let file = ModelFileCommands.FileArgument(word: folder.word + "/" + name + suffix, path: folder.path + "/" + name + suffix)
                        try file.write(text, argument: 0)
                    }
                    // The size alone: evaluating accuracy again (exportC did, for the comment) is not needed.
                    interpreter.session.io.out("wrote \(folder.word)/\(name).h and \(folder.word)/\(name).c (\(try interpreter.session.workspace.quantizedModel().size.total) bytes of constant data)")
                }
            ),
            Command(
                name: "export onnx", operands: "FILE.onnx",
                summary: "Write the current configuration as ONNX that onnxruntime runs to exactly gq's integer logits",
                details: "Standard ONNX operators only (opset 17): the input quantizer in float32 as gq rounds it, then a Scan over the steps whose body is the cell, node for node, in int64: MatMul and Add for the linear operators, each requantization as a multiply, a rounding add and a floor division by a power of two (Mod, Sub, Div), Clip for saturation, Gather for the σ/tanh tables; the head's MatMul gives int64 logits. Input x: one sequence, float32 [steps, features], raw; output logits: int64 [classes], at the scale the metadata's gq.logit_scale gives. The configuration, options, task, classes, accuracies and size are in the model's metadata. With the fine-tuned weights if there are any. Written to a temporary file and renamed.",
                examples: ["export onnx model.onnx", "use front 12; export onnx kws-mixed.onnx"],
                completion: .paths,
                parse: ModelFileCommands.file(),
                run: { interpreter, file in
                    let data = try interpreter.session.workspace.exportONNX()
                    try file.write(data: data, argument: 0)
                    interpreter.session.io.out("wrote \(file.word) (\(data.count) bytes of ONNX; onnxruntime gives gq's integer logits bit for bit)")
                }
            ),
            Command(
                name: "save split", operands: "train|validation|test FILE.npz",
                summary: "Write one split of the task as NumPy .npz (X, lengths, y, class_names)",
                details: "X is float32 [N, T, F] as loaded, before standardisation, zero-padded to the longest sequence; lengths int32 [N]; y int64 [N]; class_names. numpy.load reads it; so do scripts that compare gq with another tool on exactly the same split. Written to a temporary file and renamed.",
                examples: ["save split test test.npz", "save split train train.npz"],
                completion: .words(SplitName.allCases.map(\.rawValue)),
                parse: { arguments -> Request in
                    try arguments.expectCount(2...2)
                    guard let name = SplitName(rawValue: arguments[0]) else {
                        throw CommandError("expected a split, one of train, validation, test, got '\(arguments[0])'", argument: 0)
                    }
                    return Request(split: name, file: ModelFileCommands.FileArgument(word: arguments[1], path: arguments.path(1)))
                },
                run: { interpreter, request in
                    let count: Int
                    do {
                        count = try interpreter.session.workspace.saveSplit(request.split, to: URL(fileURLWithPath: request.file.path))
                    } catch let error as WorkbenchError {
                        throw error
                    } catch {
                        throw request.file.failure(error, writing: true, argument: 1)
                    }
                    interpreter.session.io.out("wrote the \(request.split.rawValue) split (\(count) sequences) to \(request.file.word)")
                }
            ),
            Command(
                name: "save predictions", operands: "FILE.csv",
                summary: "Write the integer model's prediction and logits for every sequence of a split as CSV",
                details: "Columns index, label, predicted, logit0 … logitC-1, the logits being the head's integer codes from the bit-exact engine with the current bits (and fine-tuned weights, if any). The default split is test. Written to a temporary file and renamed.",
                examples: ["save predictions test.csv", "save predictions val.csv split validation"],
                options: [split],
                completion: .paths,
                parse: { arguments -> Request in
                    guard arguments.count >= 1 else { throw CommandError("'save predictions' needs a file: save predictions FILE.csv [split S]") }
                    let parsed = try arguments.options(from: 1)
                    return Request(split: parsed[split] ?? .test, file: ModelFileCommands.FileArgument(word: arguments[0], path: arguments.path(0)))
                },
                run: { interpreter, request in
                    let (text, rows) = try interpreter.session.workspace.predictionsCSV(request.split)
                    try request.file.write(text, argument: 0)
                    interpreter.session.io.out("wrote \(rows) predictions on the \(request.split.rawValue) split to \(request.file.word)")
                }
            ),
        ]
    }
}
