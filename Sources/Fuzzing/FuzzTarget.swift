import Datasets
import Foundation
import GRU
import ONNX
import Quantization
import Search
import Shell

/// One input path of gq that reads bytes a user (or an attacker) controls.
///
/// `run` feeds the bytes through the same code `gq` uses and returns the error a user
/// would see, or nil when the input was accepted. It must never crash, hang or allocate
/// without bound: that is what `scripts/fuzz` checks, with libFuzzer driving
/// `gq-fuzz`, and what the regression cases under Tests/FuzzingTests pin down.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Scanner, parser and check pass of a script; scripts that only use commands without
    /// side effects outside the session also run, stopped after a bounded amount of work.
    case script
    /// A CSV data file, plain or gzip-compressed (`TaskCatalog.load`).
    case csv
    /// A UEA/UCR `.ts` file.
    case ts
    /// A Weka `.arff` file as the UCR/UEA archives write them (numeric or relational series).
    case arff
    /// A UCR archive `.tsv` file (tabs; the label column found by looking).
    case tsv
    /// A NumPy `.npz` archive (zip directory, deflate, `.npy` headers, the arrays' meaning).
    case npz
    /// A single NumPy `.npy` array beside a valid `y.npy`.
    case npy
    /// IDX images beside valid labels.
    case idx
    /// A safetensors model file (`load model`).
    case safetensors
    /// An ONNX model file (`load model F.onnx`): protobuf, the graph's meaning, the weights.
    case onnx
    /// A configuration file (`load config`), evaluated on one sequence when it loads.
    case config
    /// An NSGA-II checkpoint (`evolve resume`), advanced one generation when it loads.
    case checkpoint

    /// The error `gq` reports for `bytes`, or nil when they were accepted. The input's
    /// temporary folder is left out of the message, so the same input gives the same words.
    public func run(_ bytes: Data) -> String? {
        message(bytes).map {
            $0.replacingOccurrences(of: #"[^ '"]*/gq-fuzz-[0-9A-F-]{36}/"#, with: "", options: .regularExpression)
        }
    }

    private func message(_ bytes: Data) -> String? {
        do {
            switch self {
            case .script: return try FuzzScript.run(bytes)
            case .csv: return try loadTask(bytes, name: isGzip(bytes) ? "input.csv.gz" : "input.csv")
            case .ts: return try loadTask(bytes, name: "input.ts")
            case .arff: return try loadTask(bytes, name: "input.arff")
            case .tsv: return try loadTask(bytes, name: "input.tsv")
            case .npz: return try loadTask(bytes, name: "input.npz")
            case .npy:
                return try withFolder { folder in
                    try Data(FuzzFixtures.labels).write(to: folder.appendingPathComponent("input_y.npy"))
                    return try load(bytes, at: folder.appendingPathComponent("input_X.npy"))
                }
            case .idx:
                return try withFolder { folder in
                    try FuzzFixtures.idxLabels.write(to: folder.appendingPathComponent("input-labels-idx1-ubyte"))
                    return try load(bytes, at: folder.appendingPathComponent("input-images-idx3-ubyte"))
                }
            case .safetensors:
                let archive = try SafeTensors.decode(bytes, file: "input.safetensors")
                _ = try GRUClassifier(archive: archive, file: "input.safetensors")
                return nil
            case .onnx:
                return try withFolder { folder in
                    let url = folder.appendingPathComponent("input.onnx")
                    try bytes.write(to: url)
                    _ = try ONNXImport.classifier(contentsOf: url)
                    return nil
                }
            case .config: return try FuzzConfiguration.run(bytes)
            case .checkpoint: return try FuzzCheckpoint.run(bytes)
            }
        } catch let error as ShellError {
            return error.formatted
        } catch let error as LocalizedError {
            return error.errorDescription ?? "\(error)"
        } catch {
            return "\(error)"
        }
    }

    private func loadTask(_ bytes: Data, name: String) throws -> String? {
        try withFolder { folder in try load(bytes, at: folder.appendingPathComponent(name)) }
    }

    private func load(_ bytes: Data, at url: URL) throws -> String? {
        try bytes.write(to: url)
        _ = try TaskCatalog.load(url.path)
        return nil
    }
}

/// A fresh folder for one input, removed afterwards.
func withFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-fuzz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
}
