import Foundation
import Workbench

/// `save split` and `save predictions`: data out of gq, in formats other tools read.
enum DataExportCommands {
    static let split = Option<SplitName>("split", "which split (default test)")

    /// A split name and a file.
    struct Request {
        var split: SplitName
        var file: ModelFileCommands.FileArgument
    }

    static var commands: [Command] {
        [
            Command(
                name: "save split", usage: "save split train|validation|test FILE.npz",
                summary: "Write one split of the task as NumPy .npz (X, lengths, y, class_names)",
                details: "X is float32 [N, T, F] as loaded, before standardisation, zero-padded to the longest sequence; lengths int32 [N]; y int64 [N]; class_names. numpy.load reads it; so do scripts that compare gq with another tool on exactly the same split. Written to a temporary file and renamed.",
                examples: ["save split test test.npz", "save split train train.npz"],
                completion: .words(SplitName.allCases.map(\.rawValue)),
                parse: { arguments -> Request in
                    try arguments.expectCount(2...2, usage: "save split train|validation|test FILE.npz")
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
                name: "save predictions", usage: "save predictions FILE.csv [split train|validation|test]",
                summary: "Write the integer model's prediction and logits for every sequence of a split as CSV",
                details: "Columns index, label, predicted, logit0 … logitC-1, the logits being the head's integer codes from the bit-exact engine with the current bits (and fine-tuned weights, if any). The default split is test. Written to a temporary file and renamed.",
                examples: ["save predictions test.csv", "save predictions val.csv split validation"],
                options: [split],
                completion: .paths,
                parse: { arguments -> Request in
                    guard arguments.count >= 1 else { throw CommandError("'save predictions' needs a file: save predictions FILE.csv [split S]") }
                    let parsed = try arguments.options([split], from: 1)
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
