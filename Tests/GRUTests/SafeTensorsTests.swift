import Foundation
import GRU
import Testing

/// A fresh directory per test, so tests can run in parallel.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-gru-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Hand-assembled safetensors bytes, for the error cases the writer can never produce.
func rawFile(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    let h = Array(header.utf8)
    let length = declaredLength ?? UInt64(h.count)
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
    bytes += h
    bytes += data
    return Data(bytes)
}

func expectError(_ expected: SafeTensorsError, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(expected), but nothing was thrown")
    } catch let error as SafeTensorsError {
        #expect(error == expected)
        #expect(error.description.contains(expected.fileName))
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

extension SafeTensorsError {
    var fileName: String {
        switch self {
        case let .unreadable(f, _), let .truncated(f, _), let .headerLengthPastEnd(f, _, _), let .malformedHeader(f, _),
             let .wrongDType(f, _, _), let .wrongShape(f, _, _, _), let .missingTensor(f, _),
             let .offsetsOutOfRange(f, _, _, _, _), let .writeFailed(f, _), let .unusedTensors(f, _, _),
             let .overlappingTensors(f, _, _), let .badValue(f, _, _, _, _), let .ambiguousModule(f, _, _, _),
             let .noSuchModule(f, _, _, _), let .pickle(f):
            return f
        }
    }
}

@Suite("safetensors")
struct SafeTensorsTests {
    @Test("a model round-trips through a file with standardisation and metadata")
    func roundTrip() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var model = GRUClassifier(inputSize: 5, hiddenSize: 9, classCount: 4, seed: 3)
        model.standardization = Standardization(mean: [1, 2, 3, 4, 5], scale: [0.5, 1, 2, 3, 1e-6])
        let url = dir.appendingPathComponent("model.safetensors")
        try model.write(to: url, metadata: ["task": "digits", "note": "quote \" and\nnewline"])
        let (loaded, metadata) = try GRUClassifier.load(contentsOf: url)
        #expect(loaded == model)
        #expect(metadata == ["task": "digits", "note": "quote \" and\nnewline"])
        #expect(try SafeTensors.metadata(contentsOf: url) == metadata)
        // Overwriting replaces the file and leaves no temporary files behind.
        model.standardization = nil
        try model.write(to: url)
        #expect(try GRUClassifier(contentsOf: url) == model)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
    }

    @Test("the header is 8-byte aligned JSON with PyTorch names and F32 tensors")
    func layout() throws {
        let model = GRUClassifier(inputSize: 2, hiddenSize: 3, classCount: 2, seed: 1)
        let data = SafeTensors.encode(model.archive())
        let bytes = [UInt8](data)
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        #expect(length % 8 == 0)
        let header = try #require(String(bytes: bytes[8..<(8 + length)], encoding: .utf8))
        for name in ["gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0", "fc.weight", "fc.bias"] {
            #expect(header.contains("\"\(name)\""))
        }
        #expect(header.contains("\"shape\":[9,2]"))
        #expect(!header.contains("input.mean"))
        #expect(data.count == 8 + length + 4 * model.parameterCount)
    }

    @Test("F64, F16 and BF16 tensors are read as Float")
    func otherDTypes() throws {
        let one64: [UInt8] = [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]        // 1.0
        let half: [UInt8] = [0x00, 0xC0]                          // -2.0 in F16
        let bf: [UInt8] = [0x40, 0x40]                            // 3.0 in BF16
        let header = #"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"c":{"dtype":"BF16","shape":[],"data_offsets":[10,12]}}"#
        let archive = try SafeTensors.decode(rawFile(header: header, data: one64 + half + bf), file: "x.safetensors")
        #expect(archive.tensors["a"]?.values == [1])
        #expect(archive.tensors["b"]?.values == [-2])
        #expect(archive.tensors["c"] == SafeTensors.Tensor(shape: [], values: [3]))
    }

    @Test("a truncated file is reported as truncated")
    func truncated() {
        expectError(.truncated(file: "t.safetensors", size: 3)) {
            _ = try SafeTensors.decode(Data([1, 2, 3]), file: "t.safetensors")
        }
    }

    @Test("a header length past the end of the file is reported with both sizes")
    func headerPastEnd() {
        expectError(.headerLengthPastEnd(file: "h.safetensors", headerLength: 1000, fileSize: 10)) {
            _ = try SafeTensors.decode(rawFile(header: "{}", declaredLength: 1000), file: "h.safetensors")
        }
    }

    @Test("a header that is not JSON is malformed")
    func malformed() {
        do {
            _ = try SafeTensors.decode(rawFile(header: "{not json"), file: "m.safetensors")
            Issue.record("no error")
        } catch let error as SafeTensorsError {
            guard case .malformedHeader(file: "m.safetensors", _) = error else { Issue.record("got \(error)"); return }
        } catch { Issue.record("got \(error)") }
    }

    @Test("an integer tensor is the wrong dtype, named in the error")
    func wrongDType() {
        let header = #"{"fc.bias":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#
        expectError(.wrongDType(file: "d.safetensors", tensor: "fc.bias", dtype: "I64")) {
            _ = try SafeTensors.decode(rawFile(header: header, data: [UInt8](repeating: 0, count: 8)), file: "d.safetensors")
        }
    }

    @Test("offsets outside the data section or disagreeing with the shape are rejected")
    func offsets() {
        let past = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        expectError(.offsetsOutOfRange(file: "o.safetensors", tensor: "w", begin: 0, end: 8, dataSize: 4)) {
            _ = try SafeTensors.decode(rawFile(header: past, data: [0, 0, 0, 0]), file: "o.safetensors")
        }
        let mismatch = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        expectError(.offsetsOutOfRange(file: "o.safetensors", tensor: "w", begin: 0, end: 8, dataSize: 8)) {
            _ = try SafeTensors.decode(rawFile(header: mismatch, data: [UInt8](repeating: 0, count: 8)), file: "o.safetensors")
        }
    }

    @Test("a missing tensor and a wrong shape are named, with expected and found shapes")
    func modelErrors() throws {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 4, classCount: 2, seed: 1)
        var archive = model.archive()
        archive.tensors["fc.bias"] = nil
        expectError(.missingTensor(file: "a.safetensors", tensor: "fc.bias")) {
            _ = try GRUClassifier(archive: archive, file: "a.safetensors")
        }
        archive = model.archive()
        archive.tensors["gru.bias_hh_l0"] = SafeTensors.Tensor(shape: [11], values: [Float](repeating: 0, count: 11))
        expectError(.wrongShape(file: "a.safetensors", tensor: "gru.bias_hh_l0", expected: [12], found: [11])) {
            _ = try GRUClassifier(archive: archive, file: "a.safetensors")
        }
        archive = model.archive()
        archive.tensors["fc.weight"] = SafeTensors.Tensor(shape: [2, 5], values: [Float](repeating: 0, count: 10))
        expectError(.wrongShape(file: "a.safetensors", tensor: "fc.weight", expected: [2, 4], found: [2, 5])) {
            _ = try GRUClassifier(archive: archive, file: "a.safetensors")
        }
        archive = model.archive()
        archive.tensors["input.mean"] = SafeTensors.Tensor(shape: [3], values: [0, 0, 0])
        expectError(.missingTensor(file: "a.safetensors", tensor: "input.scale")) {
            _ = try GRUClassifier(archive: archive, file: "a.safetensors")
        }
        // Through a real file, the error names the file's path.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("short.safetensors")
        let full = SafeTensors.encode(model.archive())
        try full.prefix(full.count - 5).write(to: url)
        do {
            _ = try GRUClassifier(contentsOf: url)
            Issue.record("a file missing its last bytes loaded")
        } catch let error as SafeTensorsError {
            #expect(error.description.contains(url.path))
        }
        let missing = dir.appendingPathComponent("none.safetensors")
        do {
            _ = try GRUClassifier(contentsOf: missing)
            Issue.record("a missing file loaded")
        } catch let error as SafeTensorsError {
            guard case .unreadable(file: missing.path, _) = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test("a failed write leaves the existing file untouched and no temporary file")
    func atomicWrite() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = GRUClassifier(inputSize: 2, hiddenSize: 3, classCount: 2, seed: 1)
        // The destination is a non-empty directory: the rename must fail.
        let target = dir.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data([1]).write(to: target.appendingPathComponent("inside"))
        #expect(throws: SafeTensorsError.self) { try model.write(to: target) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["taken"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["inside"])
    }
}

@Suite("Model files gq cannot run are refused, not half-loaded (issue 12)")
struct UnusedTensorTests {
    func refusal(adding extra: [String]) -> String? {
        var archive = GRUClassifier(inputSize: 8, hiddenSize: 32, classCount: 10, seed: 1).archive()
        for name in extra { archive.tensors[name] = SafeTensors.Tensor(shape: [96, 32], values: [Float](repeating: 0, count: 96 * 32)) }
        do {
            _ = try GRUClassifier(archive: archive, file: "m.safetensors")
            return nil
        } catch let error as SafeTensorsError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    @Test("stacked layers (num_layers=2) load as a stack; a layer of the wrong shape, a gap or a fifth layer is named")
    func stackedLayers() throws {
        let stack = GRUClassifier(inputSize: 8, hiddenSize: 32, classCount: 10, layers: 2, seed: 1)
        let loaded = try GRUClassifier(archive: stack.archive(), file: "m.safetensors")
        #expect(loaded == stack && loaded.layerCount == 2)
        #expect(refusal(adding: ["gru.weight_ih_l1", "gru.weight_hh_l1", "gru.bias_ih_l1", "gru.bias_hh_l1"])
                == "m.safetensors: tensor 'gru.bias_ih_l1' has shape [96, 32], expected [96]")
        #expect(refusal(adding: ["gru.weight_ih_l2", "gru.weight_hh_l2"])
                == "m.safetensors holds a recurrent layer above a missing one ('gru.weight_hh_l2', 'gru.weight_ih_l2'); gq runs unidirectional GRU or LSTM layers with a linear head, so it does not load this model")
        var five = GRUClassifier(inputSize: 8, hiddenSize: 32, classCount: 10, layers: 4, seed: 1).archive()
        five.tensors["gru.weight_hh_l4"] = SafeTensors.Tensor(shape: [96, 32], values: [Float](repeating: 0, count: 96 * 32))
        #expect(throws: SafeTensorsError.unusedTensors(file: "m.safetensors", tensors: ["gru.weight_hh_l4"],
                                                       meaning: "more than 4 recurrent layers (num_layers > 4)")) {
            _ = try GRUClassifier(archive: five, file: "m.safetensors")
        }
    }

    @Test("four gate blocks under the name 'gru' are an LSTM's, checked as one: the cell follows the shapes, not the name")
    func lstmUnderGRUNames() {
        var archive = GRUClassifier(inputSize: 8, hiddenSize: 16, classCount: 10, seed: 1).archive()
        archive.tensors["gru.weight_ih_l0"] = SafeTensors.Tensor(shape: [64, 8], values: [Float](repeating: 0, count: 64 * 8))
        archive.tensors["gru.weight_hh_l0"] = SafeTensors.Tensor(shape: [64, 16], values: [Float](repeating: 0, count: 64 * 16))
        #expect(throws: SafeTensorsError.wrongShape(file: "m.safetensors", tensor: "gru.bias_ih_l0", expected: [64], found: [48])) {
            _ = try GRUClassifier(archive: archive, file: "m.safetensors")
        }
    }

    @Test("a reverse direction (bidirectional=True) is named, with why a streaming device cannot run it")
    func bidirectional() {
        #expect(refusal(adding: ["gru.weight_ih_l0_reverse", "gru.weight_hh_l0_reverse"])?.contains("holds a reverse direction (bidirectional=True), which reads each sequence from its end, so a device classifying samples as they arrive cannot run it") == true)
    }

    @Test("any other tensor is named; the model's own tensors load")
    func other() {
        #expect(refusal(adding: ["embedding.weight"])?.hasPrefix("m.safetensors holds tensors gq does not use ('embedding.weight')") == true)
        #expect(refusal(adding: []) == nil)
    }
}

@Suite("Model files with values no model can hold are refused, naming the tensor (issue 12)")
struct ModelValueTests {
    @Test("tensors whose data offsets overlap (one aliasing another) are refused, naming both")
    func overlappingOffsets() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        expectError(.overlappingTensors(file: "o.safetensors", first: "a", second: "b")) {
            _ = try SafeTensors.decode(rawFile(header: header, data: [UInt8](repeating: 0, count: 12)), file: "o.safetensors")
        }
        let alias = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        expectError(.overlappingTensors(file: "o.safetensors", first: "a", second: "b")) {
            _ = try SafeTensors.decode(rawFile(header: alias, data: [UInt8](repeating: 0, count: 8)), file: "o.safetensors")
        }
    }

    @Test("a NaN or infinite weight is refused with the tensor and index")
    func nonFiniteWeights() {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 4, classCount: 2, seed: 1)
        var archive = model.archive()
        archive.tensors["gru.weight_hh_l0"]?.values[5] = .nan
        // NaN equals nothing, so the message is compared.
        #expect(throws: SafeTensorsError.self) { _ = try GRUClassifier(archive: archive, file: "w.safetensors") }
        do { _ = try GRUClassifier(archive: archive, file: "w.safetensors") } catch {
            #expect("\(error)" == "w.safetensors: tensor 'gru.weight_hh_l0' holds nan at index 5; expected finite numbers")
        }
        archive = model.archive()
        archive.tensors["fc.bias"]?.values[1] = .infinity
        expectError(.badValue(file: "w.safetensors", tensor: "fc.bias", index: 1, value: .infinity, expected: "finite numbers")) {
            _ = try GRUClassifier(archive: archive, file: "w.safetensors")
        }
    }

    @Test("an input scale of 0 or less is refused: inputs are divided by it")
    func zeroInputScale() {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 4, classCount: 2, seed: 1)
        var archive = model.archive()
        archive.tensors["input.mean"] = SafeTensors.Tensor(shape: [3], values: [0, 0, 0])
        archive.tensors["input.scale"] = SafeTensors.Tensor(shape: [3], values: [1, 0, 1])
        expectError(.badValue(file: "s.safetensors", tensor: "input.scale", index: 1, value: 0,
                              expected: "finite positive numbers (the standard deviation of each feature)")) {
            _ = try GRUClassifier(archive: archive, file: "s.safetensors")
        }
    }
}
