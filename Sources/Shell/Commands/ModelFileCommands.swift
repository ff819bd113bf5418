import Foundation
import GRU

/// `save model`, `load model` and `show model`: the float model as a safetensors file.
enum ModelFileCommands {
    static var commands: [Command] {
        [
            Command(
                name: "save model", usage: "save model FILE",
                summary: "Save the float model as safetensors (PyTorch nn.GRU names)",
                details: "Tensors gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0, fc.weight and fc.bias, as PyTorch names them, plus input.mean and input.scale for the input standardisation. Written to a temporary file and renamed, so a failure never leaves half a file.",
                examples: ["save model digits.safetensors"],
                completion: .paths,
                run: { interpreter, arguments in
                    try arguments.expectCount(1...1, usage: "save model FILE")
                    let model = try interpreter.session.requireModel()
                    let url = URL(fileURLWithPath: arguments.path(0))
                    do {
                        try model.write(to: url)
                    } catch {
                        throw CommandError(Interpreter.message(for: error), argument: 0)
                    }
                    interpreter.session.io.out("saved the model (\(model.parameterCount) parameters) to \(arguments[0])")
                }
            ),
            Command(
                name: "load model", usage: "load model FILE",
                summary: "Load a float model from safetensors (gq's own or PyTorch's)",
                details: "Reads the tensors 'save model' writes. A file from PyTorch's safetensors.torch.save_file with an nn.GRU named 'gru' (batch_first, one layer) and an nn.Linear named 'fc' loads as it is; without input.mean/input.scale the model runs on raw inputs.",
                examples: ["load model digits.safetensors"],
                completion: .paths,
                run: { interpreter, arguments in
                    try arguments.expectCount(1...1, usage: "load model FILE")
                    let session = interpreter.session
                    let model: GRUClassifier
                    do {
                        model = try GRUClassifier(contentsOf: URL(fileURLWithPath: arguments.path(0)))
                    } catch {
                        throw CommandError(Interpreter.message(for: error), argument: 0)
                    }
                    if let task = session.task, model.inputSize != task.featureCount || model.classCount != task.classCount {
                        throw CommandError("\(arguments[0]) holds a model for \(model.inputSize) features and \(model.classCount) classes, but task \(task.name) has \(task.featureCount) features and \(task.classCount) classes", argument: 0)
                    }
                    session.model = model
                    session.modelOrigin = "loaded from \(arguments[0])"
                    session.io.out("loaded a GRU with hidden size \(model.hiddenSize) (\(model.inputSize) features, \(model.classCount) classes\(model.standardization == nil ? ", raw inputs" : "")) from \(arguments[0])")
                }
            ),
            Command(
                name: "show model", usage: "show model",
                summary: "Describe the current model: sizes, parameters, origin",
                examples: ["show model"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "show model")
                    let session = interpreter.session
                    let model = try session.requireModel()
                    let io = session.io
                    io.out("model       GRU, one layer, PyTorch gate order (r, z, n), linear head on the last step")
                    io.out("sizes       \(model.inputSize) features → hidden \(model.hiddenSize) → \(model.classCount) classes")
                    io.out("parameters  \(model.parameterCount) (\(model.parameterCount * 4) bytes as float32)")
                    io.out("inputs      \(model.standardization == nil ? "raw (no standardisation)" : "standardised per feature (fitted on the training split)")")
                    if let origin = session.modelOrigin { io.out("origin      \(origin)") }
                }
            ),
        ]
    }
}
