import Foundation
import Testing
import TestSupport
import Workbench

/// `export onnx` is checked where it matters: in onnxruntime, against gq's own integer
/// logits, sequence by sequence (scripts/onnx-run.py does the running).
@Suite("ONNX export, run by onnxruntime")
struct ONNXExportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A Python with onnxruntime and numpy: GQ_ONNX_PYTHON, the private one scripts/onnx-python
    /// makes, or python3 on the PATH; as the command and the words before the script's.
    static let python: (executable: URL, prefix: [String])? = {
        var candidates: [(URL, [String])] = [(root.appendingPathComponent(".build-onnx-venv/bin/python"), []),
                                             (URL(fileURLWithPath: "/usr/bin/env"), ["python3"])]
        if let given = ProcessInfo.processInfo.environment["GQ_ONNX_PYTHON"], !given.isEmpty {
            candidates.insert((URL(fileURLWithPath: given), []), at: 0)
        }
        return candidates.first { candidate in
            (try? ChildProcess.run(candidate.0, candidate.1 + ["-c", "import onnxruntime, numpy"]))?.status == 0
        }
    }()

    /// Exports the workspace's configuration and its test split, runs them in onnxruntime and
    /// returns what scripts/onnx-run.py says ("N sequences, 0 differ from gq's logits").
    static func compare(_ workspace: Workspace, _ bits: [String], python: (executable: URL, prefix: [String]),
                        options: QuantizationOptions? = nil) throws -> (status: Int32, output: String) {
        if let options { _ = workspace.setOptions(options) }
        var widths = BitWidths(uniform: 8, network: workspace.bits.network)
        try widths.apply(bits)
        workspace.bits = widths
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("m.onnx"), split = folder.appendingPathComponent("test.npz")
        let predictions = folder.appendingPathComponent("p.csv")
        try workspace.exportONNX().write(to: model)
        _ = try workspace.saveSplit(.test, to: split)
        try workspace.predictionsCSV(.test).text.write(to: predictions, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(python.executable, python.prefix + [root.appendingPathComponent("scripts/onnx-run.py").path,
                                                                              model.path, split.path, predictions.path])
        return (result.status, result.out + result.err)
    }

    static let configurations: [[String]] = [["all=8"], ["all=4"], ["all=6", "gate.z=3", "h.*=7", "input=5", "fc=4", "n.wx=2"]]

    @Test("onnxruntime gives gq's integer logits on every digits test sequence: 8-bit, 4-bit and a mixed configuration",
          .enabled(if: python != nil, "needs Python with onnxruntime and numpy: scripts/onnx-python installs them, or set GQ_ONNX_PYTHON"))
    func digits() throws {
        let python = try #require(Self.python)
        let workspace = try trainedWorkspace()
        for bits in Self.configurations {
            let result = try Self.compare(workspace, bits, python: python)
            #expect(result.status == 0, "\(bits): \(result.output)")
            #expect(result.output.contains("359 sequences, 0 differ"), "\(bits): \(result.output)")
        }
        // Power-of-two requantization (shifts alone) and per-tensor weight scales.
        var options = workspace.options
        options.requantization = .powerOfTwo
        options.weights = .perTensor
        let result = try Self.compare(workspace, ["all=5", "h.*=9"], python: python, options: options)
        #expect(result.output.contains("359 sequences, 0 differ"), "power of two: \(result.output)")
    }

    @Test("a variable-length task, a two-layer LSTM and 16-bit state codes run bit for bit too",
          .enabled(if: python != nil, "needs Python with onnxruntime and numpy: scripts/onnx-python installs them, or set GQ_ONNX_PYTHON"))
    func variableLength() throws {
        let python = try #require(Self.python)
        // 60 series of 5 to 16 steps, two features, padded with NaN as the UCR archive pads them.
        var rows: [String] = []
        for i in 0 ..< 60 {
            let steps = 5 + (i * 7) % 12
            var cells = [String(i % 3)]
            for t in 0 ..< 16 {
                for f in 0 ..< 2 { cells.append(t < steps ? String(format: "%.3f", sin(Double(i * (f + 1) + t) * 0.7) + Double(i % 3)) : "NaN") }
            }
            rows.append(cells.joined(separator: "\t"))
        }
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("series.tsv")
        try rows.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let workspace = Workspace(modelCache: nil)
        var load = LoadOptions()
        load.featureCount = 2
        _ = try workspace.loadTask(file.path, options: load)
        var settings = TrainingOptions()
        settings.epochs = 3
        settings.hiddenSize = 10
        settings.layers = 2
        settings.cell = .lstm
        _ = try workspace.train(settings)
        for bits in Self.configurations.map({ $0.filter { !$0.hasPrefix("gate.z") && !$0.hasPrefix("n.") } }) + [["all=5", "l1.c.*=16", "l0.h.mul=16"]] {
            let result = try Self.compare(workspace, bits, python: python)
            #expect(result.status == 0, "\(bits): \(result.output)")
            #expect(result.output.contains("12 sequences, 0 differ"), "\(bits): \(result.output)")
        }
    }
}
