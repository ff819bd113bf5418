import Foundation
import GRU
import ONNX
import Quantization

extension Workspace {
    /// Writes the float model as safetensors (temporary file, then rename).
    /// With `tuned`, the fine-tuned weights in use instead (their ranges stay behind: `save config` keeps those).
    public func saveModel(to url: URL, tuned wantsTuned: Bool = false) throws -> GRUClassifier {
        var model = try requireModel()
        if wantsTuned {
            guard let tuned else { throw WorkbenchError.noFineTunedWeights }
            model = tuned.model
        }
        try model.write(to: url)
        return model
    }

    /// Reads a float model and makes it current, after checking it fits the loaded task.
    /// `recurrent` and `head` name the file's modules where it holds more than one that
    /// fits; the note says which modules were matched when they are not gq's own names.
    public func loadModel(from url: URL, named name: String, recurrent: String? = nil, head: String? = nil) throws -> (model: GRUClassifier, note: String?) {
        let (model, note): (GRUClassifier, String?)
        if url.pathExtension.lowercased() == "onnx" {
            guard recurrent == nil, head == nil else { throw WorkbenchError.modulesInONNX }
            (model, note) = try ONNXImport.classifier(contentsOf: url)
        } else {
            (model, _, note) = try GRUClassifier.load(contentsOf: url, recurrent: recurrent, head: head)
        }
        try adopt(model: model, origin: "loaded from \(name)", describedAs: name + " holds a model that")
        return (model, note)
    }

    /// Writes the bits, options, ranges and weights in use, so `loadConfiguration` rebuilds the same integer model.
    public func saveConfiguration(to url: URL) throws -> ConfigurationFile {
        let inputs = try quantizationInputs()
        let file = ConfigurationFile(bits: bits, options: options, calibration: inputs.calibration, tuned: tuned != nil)
        try file.write(model: inputs.model, to: url)
        return file
    }

    /// Reads a configuration file: its bits, options, ranges and weights become the ones in use;
    /// its weights become the float model too when there is none.
    public func loadConfiguration(from url: URL, named name: String) throws -> ConfigurationFile {
        let loaded = try ConfigurationFile.read(url)
        try checkFits(loaded.model, describedAs: name + " holds a model that")
        adopt(configuration: loaded.file, model: loaded.model, origin: "loaded from \(name)")
        return loaded.file
    }
}
