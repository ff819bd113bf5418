import FileWriting
import Foundation
import Workbench

/// `save model`, `load model` and `show model`: the float model as a safetensors file.
enum ModelFileCommands {
    static let recurrentModule = Option<String>(spec: OptionSpec("gru", .text, "the module holding the recurrent layers (GRU or LSTM), where the file has more than one"), convert: { $0 }).valueNamed("NAME")
    static let headModule = Option<String>(spec: OptionSpec("fc", .text, "the module holding the linear head, where the file has more than one"), convert: { $0 }).valueNamed("NAME")

    static var commands: [Command] {
        [
            Command(
                name: "save model", operands: "FILE [tuned]",
                summary: "Save the float model as safetensors (PyTorch nn.GRU or nn.LSTM names)",
                details: "Tensors gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0 (lstm.… for an LSTM; _l1, … for the layers of a stack), fc.weight and fc.bias, as PyTorch names them, plus input.mean and input.scale for the input standardisation. With 'tuned', the fine-tuned weights in use instead of the float model's (without their learned ranges: 'save config' keeps everything). Written to a temporary file and renamed, so a failure never leaves half a file.",
                examples: ["save model digits.safetensors", "finetune; save model digits-qat.safetensors tuned"],
                completion: .paths,
                parse: { arguments -> (FileArgument, Bool) in
                    try arguments.expectCount(1...2)
                    if arguments.count == 2, arguments[1] != "tuned" {
                        throw CommandError("expected 'tuned' or nothing after the file, got '\(arguments[1])'", argument: 1)
                    }
                    return (FileArgument(word: arguments[0], path: arguments.path(0)), arguments.count == 2)
                },
                run: { interpreter, request in
                    let (file, tuned) = request
                    let workspace = interpreter.session.workspace
                    let model: GRUClassifier
                    do {
                        model = try workspace.saveModel(to: URL(fileURLWithPath: file.path), tuned: tuned)
                    } catch let error as WorkbenchError {
                        throw error
                    } catch {
                        throw file.failure(error, writing: true, argument: 0)
                    }
                    let io = interpreter.session.io
                    io.out("saved the \(tuned ? "fine-tuned" : "float") model (\(model.parameterCount) parameters) to \(file.word)")
                    if !tuned, workspace.tuned != nil {
                        io.out("note: 'eval' uses fine-tuned weights, which this file does not hold; 'save model \(file.word) tuned' saves them, 'save config FILE' saves them with their bits and ranges")
                    }
                }
            ),
            Command(
                name: "load model", operands: "FILE",
                summary: "Load a float model from safetensors (gq's own or PyTorch's, under any module names) or ONNX",
                details: "Reads the tensors 'save model' writes, or a PyTorch state_dict saved with safetensors.torch.save_file: an nn.GRU or nn.LSTM (batch_first, 1 to 4 layers, one direction) and an nn.Linear head from its hidden state to the classes, whatever the modules are called ('rnn', 'encoder.gru', 'classifier'). gq finds them by their tensors' shapes: the recurrent module by its weight_hh_l0 (3H × H for a GRU, 4H × H for an LSTM), the head by a weight of classes × H with its bias, and says what it matched; where more than one fits, 'gru NAME' and 'fc NAME' choose. Any other tensor is refused by name, since the model would not be the one in the file. Without input.mean/input.scale the model runs on raw inputs. A .pt/.pth pickle is refused with the command that converts it: gq never unpickles. An .onnx file from torch.onnx.export (either exporter) or tf2onnx loads from its GRU or LSTM nodes (1 to 4) and the Gemm or MatMul + Add head on the last step, the gates reordered from ONNX's order to PyTorch's; another direction, linear_before_reset = 0, peepholes, clip, other activations, a given initial state or a head on anything but the last step are refused, naming the node.",
                examples: ["load model digits.safetensors", "load model torch.safetensors gru encoder.rnn fc classifier", "load model exported.onnx"],
                options: [recurrentModule, headModule],
                completion: .paths,
                parse: { arguments -> (FileArgument, String?, String?) in
                    guard arguments.count >= 1 else { throw CommandError("'load model' needs a file") }
                    let parsed = try arguments.options(from: 1)
                    return (FileArgument(word: arguments[0], path: arguments.path(0)), parsed[recurrentModule], parsed[headModule])
                },
                run: { interpreter, request in
                    let (file, recurrent, head) = request
                    let loaded: (model: GRUClassifier, note: String?)
                    do {
                        loaded = try interpreter.session.workspace.loadModel(from: URL(fileURLWithPath: file.path), named: file.word,
                                                                             recurrent: recurrent, head: head)
                    } catch {
                        throw file.failure(error, writing: false, argument: 0)
                    }
                    let model = loaded.model
                    interpreter.session.io.out("loaded \(model.layerCount == 1 ? model.cell.withArticle : "a \(model.layerCount)-layer \(model.cell.displayName)") with hidden size \(model.hiddenSize) (\(model.inputSize) features, \(model.classCount) classes\(model.standardization == nil ? ", raw inputs" : "")) from \(file.word)")
                    if let note = loaded.note { interpreter.session.io.out(note) }
                }
            ),
            Command(
                name: "show model",
                summary: "Describe the current model: sizes, parameters, origin",
                examples: ["show model"],
                run: { interpreter in
                    let workspace = interpreter.session.workspace
                    let model = try workspace.requireModel()
                    let io = interpreter.session.io
                    let layers = model.layerCount == 1 ? "one layer" : "\(model.layerCount) stacked layers (num_layers=\(model.layerCount))"
                    io.out("model       \(model.cell.displayName), \(layers), PyTorch gate order (\(model.cell.gateNames.joined(separator: ", "))), linear head on the last step")
                    let hidden = Array(repeating: "hidden \(model.hiddenSize)", count: model.layerCount).joined(separator: " → ")
                    io.out("sizes       \(model.inputSize) features → \(hidden) → \(model.classCount) classes")
                    io.out("parameters  \(model.parameterCount) (\(model.parameterCount * 4) bytes as float32)")
                    io.out("inputs      \(model.standardization == nil ? "raw (no standardisation)" : "standardised per feature (fitted on the training split)")")
                    if let origin = workspace.modelOrigin { io.out("origin      \(origin)") }
                }
            ),
        ]
    }

    /// A single file argument: as typed (for messages) and with `~` expanded.
    struct FileArgument {
        var word: String
        var path: String

        /// Writes `text` whole (a temporary file, then a rename) or fails naming the file,
        /// at argument `argument` of the command.
        func write(_ text: String, argument: Int?) throws {
            try write(data: Data(text.utf8), argument: argument)
        }

        func write(data: Data, argument: Int?) throws {
            do {
                try FileWriting.replace(path, with: data)
            } catch {
                throw failure(error, writing: true, argument: argument)
            }
        }

        /// The error of a failed read or write of this file, naming it and the reason in plain words.
        func failure(_ error: Error, writing: Bool, argument: Int?) -> CommandError {
            if let reason = FileErrorText.reason(for: error) {
                return CommandError("cannot \(writing ? "write" : "read") \(word): \(reason)", argument: argument)
            }
            return CommandError(Interpreter.message(for: error), argument: argument)
        }
    }

    /// Reads one file argument.
    static func file() -> (Arguments) throws -> FileArgument {
        { arguments in
            try arguments.expectCount(1...1)
            return FileArgument(word: arguments[0], path: arguments.path(0))
        }
    }
}
