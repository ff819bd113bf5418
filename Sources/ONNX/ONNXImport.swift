import Foundation
import GRU
import Kernels
import SwiftProtobuf

/// Why an ONNX file could not become a gq model; every case names the file, and the node
/// or tensor at fault.
public enum ONNXImportError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case unsupported(file: String, what: String)
    case malformed(file: String, what: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read the ONNX model (\(reason))"
        case let .unsupported(file, what): return "\(file): \(what); gq runs unidirectional GRU or LSTM layers (PyTorch's cell) with a linear head on the last step, so it does not load this model"
        case let .malformed(file, what): return "\(file): \(what)"
        }
    }
}

/// Reads a float model from ONNX as `torch.onnx.export` (either exporter) and tf2onnx write
/// it: one to four `GRU` or `LSTM` nodes in a chain, and a linear head (`Gemm`, or `MatMul`
/// and `Add`) on the last step's state, with only shape plumbing between them (`Transpose`,
/// `Squeeze`, `Reshape`, `Gather`/`Slice` of the last step, …). The weights are reordered
/// from ONNX's gate order (GRU z, r, h; LSTM i, o, f, c) to PyTorch's (r, z, n; i, f, g, o),
/// which is gq's. What gq cannot run is refused by name: another direction, activations or
/// cell variant (`linear_before_reset` 0, peepholes, `clip`, `input_forget`), a non-zero
/// initial state, a head on anything but the last step, an operator with arithmetic of
/// its own between the layers or after the head (a trailing `Softmax` or `LogSoftmax`
/// is dropped: it keeps the class).
public enum ONNXImport {
    /// Operators that only move, select or describe values: allowed anywhere.
    static let plumbing: Set<String> = ["Shape", "Gather", "Constant", "ConstantOfShape", "Unsqueeze", "Squeeze", "Concat",
                                        "Transpose", "Reshape", "Slice", "Identity", "Cast", "Expand", "Flatten"]

    public static func classifier(contentsOf url: URL) throws -> (model: GRUClassifier, note: String) {
        let file = url.path
        let data: Data
        guard FileManager.default.fileExists(atPath: file) else { throw ONNXImportError.unreadable(file: file, reason: "no such file") }
        do { data = try Data(contentsOf: url) } catch { throw ONNXImportError.unreadable(file: file, reason: (error as NSError).localizedDescription) }
        let proto: Onnx_ModelProto
        do { proto = try Onnx_ModelProto(serializedBytes: data) } catch {
            throw ONNXImportError.unreadable(file: file, reason: "not an ONNX protobuf: \(error)")
        }
        if proto.producerName == "gq" {
            throw ONNXImportError.unsupported(file: file, what: "this is an integer model gq wrote ('export onnx'), not a float model to quantize; 'load config' reads a configuration with its weights")
        }
        return try Reader(proto: proto, file: file, folder: url.deletingLastPathComponent()).classifier()
    }

    struct Reader {
        let graph: Onnx_GraphProto
        let file: String
        let folder: URL
        var producers: [String: Onnx_NodeProto] = [:]
        var consumers: [String: [Onnx_NodeProto]] = [:]
        var initializers: [String: Onnx_TensorProto] = [:]

        init(proto: Onnx_ModelProto, file: String, folder: URL) {
            graph = proto.graph
            self.file = file
            self.folder = folder
            for node in graph.node {
                for output in node.output where !output.isEmpty { producers[output] = node }
                for input in node.input where !input.isEmpty { consumers[input, default: []].append(node) }
            }
            for tensor in graph.initializer { initializers[tensor.name] = tensor }
        }

        func unsupported(_ what: String) -> ONNXImportError { .unsupported(file: file, what: what) }
        func malformed(_ what: String) -> ONNXImportError { .malformed(file: file, what: what) }

        static func describe(_ node: Onnx_NodeProto) -> String {
            node.name.isEmpty ? "\(node.opType) node (output '\(node.output.first ?? "")')" : "\(node.opType) node '\(node.name)'"
        }

        /// A constant's values as floats (an initializer or a Constant node's tensor or
        /// scalar attribute); nil when `name` is not a constant.
        func floats(_ name: String) throws -> (shape: [Int], values: [Float])? {
            let tensor: Onnx_TensorProto
            if let t = initializers[name] {
                tensor = t
            } else if let node = producers[name], node.opType == "Constant" {
                if let value = node.attribute.first(where: { $0.name == "value" }) {
                    tensor = value.t
                } else if let value = node.attribute.first(where: { $0.name == "value_int" }) {
                    return ([], [Float(value.i)])
                } else if let value = node.attribute.first(where: { $0.name == "value_ints" }) {
                    return ([value.ints.count], value.ints.map(Float.init))
                } else if let value = node.attribute.first(where: { $0.name == "value_float" }) {
                    return ([], [value.f])
                } else if let value = node.attribute.first(where: { $0.name == "value_floats" }) {
                    return ([value.floats.count], value.floats)
                } else {
                    throw unsupported("the \(Self.describe(node)) holds a kind of constant gq does not read")
                }
            } else {
                return nil
            }
            let shown = tensor.name.isEmpty ? name : tensor.name
            guard tensor.dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
                throw malformed("tensor '\(shown)' has shape \(tensor.dims), which no tensor can have")
            }
            let shape = tensor.dims.map { Int($0) }
            var count = 1
            for dim in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dim)
                guard !overflow, product <= Int(Int32.max) else { throw malformed("tensor '\(shown)' has shape \(shape), too large to hold") }
                count = product
            }
            var raw = tensor.rawData
            if tensor.dataLocation == .external {
                let entries = Dictionary(tensor.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                guard let location = entries["location"], !location.contains(".."), !location.hasPrefix("/") else {
                    throw malformed("tensor '\(shown)' is stored outside the file without a usable location")
                }
                guard let whole = try? Data(contentsOf: folder.appendingPathComponent(location), options: .mappedIfSafe) else {
                    throw malformed("tensor '\(shown)' is stored in \(location), which cannot be read beside the model")
                }
                let offset = entries["offset"].map { Int($0) ?? -1 } ?? 0
                let length = entries["length"].map { Int($0) ?? -1 } ?? (whole.count - max(offset, 0))
                guard offset >= 0, offset <= whole.count, length >= 0, length <= whole.count - offset else {
                    throw malformed("tensor '\(shown)': offset \(entries["offset"] ?? "0") and length \(entries["length"] ?? "-") run past the \(whole.count) bytes of \(location)")
                }
                raw = whole.subdata(in: offset ..< offset + length)
            }
            // Fixed-width little-endian values from raw bytes, else the typed field.
            func decode<T>(_ width: Int, _ typed: [T], _ convert: (UnsafeRawBufferPointer, Int) -> Float, _ field: (T) -> Float) throws -> [Float] {
                guard !raw.isEmpty else { return typed.map(field) }
                guard raw.count == count * width else {
                    throw malformed("tensor '\(shown)' has \(raw.count) bytes for \(count) values of \(width) bytes")
                }
                return raw.withUnsafeBytes { bytes in (0 ..< count).map { convert(bytes, $0 * width) } }
            }
            let values: [Float]
            switch tensor.dataType {
            case 1:  // FLOAT
                values = try decode(4, tensor.floatData, { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt32.self))) }, { $0 })
            case 11:  // DOUBLE
                values = try decode(8, tensor.doubleData, { Float(Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt64.self)))) }, { Float($0) })
            case 7:  // INT64: indices and shapes
                values = try decode(8, tensor.int64Data, { Float(Int64(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int64.self))) }, { Float($0) })
            case 6:  // INT32: indices too
                values = try decode(4, tensor.int32Data, { Float(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int32.self))) }, { Float($0) })
            default:
                throw unsupported("tensor '\(shown)' is of ONNX data type \(tensor.dataType); gq reads float32, float64, int32 and int64 tensors")
            }
            guard values.count == count else { throw malformed("tensor '\(shown)' holds \(values.count) values for shape \(shape)") }
            return (shape, values)
        }

        /// True when `name` is absent, or a state of zeros however the exporter built it.
        func isZero(_ name: String, depth: Int = 0) throws -> Bool {
            if name.isEmpty { return true }
            if let constant = try? floats(name) { return constant.values.allSatisfy { $0 == 0 } }
            guard let node = producers[name], depth < Self.depthLimit else { return false }
            switch node.opType {
            case "ConstantOfShape":
                guard let value = node.attribute.first(where: { $0.name == "value" }) else { return true }
                let t = value.t
                return t.floatData.allSatisfy { $0 == 0 } && t.doubleData.allSatisfy { $0 == 0 } && t.int64Data.allSatisfy { $0 == 0 }
                    && t.rawData.allSatisfy { $0 == 0 }
            case "Slice", "Expand", "Reshape", "Unsqueeze", "Squeeze", "Identity", "Cast", "Transpose":
                return try isZero(input(node, 0), depth: depth + 1)
            default:
                return false
            }
        }

        func attribute(_ node: Onnx_NodeProto, _ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }

        /// Input `i` of `node` ("" when optional and absent), or an error naming the node.
        func input(_ node: Onnx_NodeProto, _ i: Int, optional: Bool = false) throws -> String {
            guard i < node.input.count else {
                if optional { return "" }
                throw malformed("the \(Self.describe(node)) has \(node.input.count) input\(node.input.count == 1 ? "" : "s"); \(node.opType) needs at least \(i + 1)")
            }
            return node.input[i]
        }

        func output(_ node: Onnx_NodeProto, _ i: Int) throws -> String {
            guard i < node.output.count, !node.output[i].isEmpty else {
                throw malformed("the \(Self.describe(node)) has no output \(i)")
            }
            return node.output[i]
        }

        /// The graph's value names are followed at most this far: a graph with a cycle in it
        /// (not a valid ONNX graph) is refused instead of followed forever.
        static let depthLimit = 256

        /// The recurrent nodes from the graph's input up, checked one by one.
        func classifier() throws -> (model: GRUClassifier, note: String) {
            let recurrent = graph.node.filter { ["GRU", "LSTM", "RNN"].contains($0.opType) && ($0.domain.isEmpty || $0.domain == "ai.onnx") }
            guard let first = recurrent.first else {
                if let loop = graph.node.first(where: { ["Loop", "Scan"].contains($0.opType) }) {
                    throw unsupported("the recurrence is a \(Self.describe(loop)) of elementary operators, not a GRU or LSTM node (tf2onnx writes a Keras GRU so when it cannot match ONNX's GRU); gq reads GRU and LSTM nodes")
                }
                throw unsupported("no GRU or LSTM node in the graph (operators: \(Set(graph.node.map(\.opType)).sorted().joined(separator: ", ")))")
            }
            if let rnn = recurrent.first(where: { $0.opType == "RNN" }) {
                throw unsupported("the \(Self.describe(rnn)) is a plain tanh RNN")
            }
            if let other = recurrent.first(where: { $0.opType != first.opType }) {
                throw unsupported("the graph mixes \(first.opType) and \(other.opType) layers")
            }
            guard recurrent.count <= GRUClassifier.allowedLayers.upperBound else {
                throw unsupported("\(recurrent.count) recurrent layers (at most \(GRUClassifier.allowedLayers.upperBound))")
            }
            let cell: CellKind = first.opType == "LSTM" ? .lstm : .gru
            // Every layer but the first reads the one below through plumbing only.
            for (below, above) in zip(recurrent, recurrent.dropFirst()) {
                guard try reaches(from: output(below, 0), to: above, input: 0) else {
                    throw unsupported("the \(Self.describe(above)) does not read the output of the \(Self.describe(below)) directly (only reshaping may stand between layers)")
                }
            }
            guard try origin(of: input(first, 0)) != nil else {
                throw unsupported("the \(Self.describe(first)) reads something computed from the input (only reshaping may stand before the first layer)")
            }
            var tensors: [String: SafeTensors.Tensor] = [:]
            var hidden = 0
            for (k, node) in recurrent.enumerated() {
                let layer = try weights(node, cell: cell)
                if k == 0 { hidden = layer.hidden } else if layer.hidden != hidden {
                    throw unsupported("layer \(k) has hidden size \(layer.hidden), layer 0 \(hidden); gq stacks layers of one size")
                }
                for (name, tensor) in zip(GRUTensorName.layer(k, cell: cell), layer.tensors) { tensors[name] = tensor }
            }
            let head = try self.head(after: recurrent.last!, hidden: hidden)
            tensors[GRUTensorName.fcWeight] = head.weight
            tensors[GRUTensorName.fcBias] = head.bias
            let model: GRUClassifier
            do {
                // The tensors carry gq's own names: no module search is needed.
                model = try GRUClassifier(archive: SafeTensors.Archive(tensors: tensors), file: file, names: .standard(cell), cell: cell)
            } catch let error as SafeTensorsError {
                // Its tensor names are gq's (gru.weight_ih_l0, fc.weight): the layer and the role.
                throw malformed("the weights do not make a model: " + error.description.replacingOccurrences(of: file + ": ", with: ""))
            }
            var note = "read \(recurrent.count == 1 ? cell.withArticle : "\(recurrent.count) \(cell.displayName) layers") (\(recurrent.map { Self.describe($0) }.joined(separator: ", "))) and the head (\(head.nodes)); gates reordered from ONNX's to PyTorch's order"
            if let dropped = head.dropped { note += "; the \(dropped) after the head is left out (it does not change the class)" }
            return (model, note)
        }

        /// The graph input `name` comes from, through plumbing only; nil when it is computed.
        func origin(of name: String, depth: Int = 0) throws -> String? {
            if graph.input.contains(where: { $0.name == name }) && initializers[name] == nil { return name }
            guard let node = producers[name], ONNXImport.plumbing.contains(node.opType), depth < Self.depthLimit else { return nil }
            for input in node.input where !input.isEmpty {
                if isConstant(input) || (producers[input].map { ["Shape", "ConstantOfShape"].contains($0.opType) } ?? false) { continue }
                if let found = try origin(of: input, depth: depth + 1) { return found }
            }
            return nil
        }

        /// An initializer or a Constant node's output: a value fixed in the file.
        func isConstant(_ name: String) -> Bool {
            initializers[name] != nil || producers[name]?.opType == "Constant"
        }

        /// Whether `target`'s input `index` is `start`, or derived from it through plumbing.
        func reaches(from start: String, to target: Onnx_NodeProto, input index: Int) throws -> Bool {
            var name = try input(target, index)
            var seen = 0
            while name != start {
                guard let node = producers[name], ONNXImport.plumbing.contains(node.opType), !node.input.isEmpty, seen < Self.depthLimit else { return false }
                seen += 1
                name = node.input[0]
            }
            return true
        }

        struct Layer {
            var hidden: Int
            var tensors: [SafeTensors.Tensor]  // weight_ih, weight_hh, bias_ih, bias_hh in PyTorch order
        }

        func weights(_ node: Onnx_NodeProto, cell: CellKind) throws -> Layer {
            let name = Self.describe(node)
            let direction = attribute(node, "direction").map { String(decoding: $0.s, as: UTF8.self) } ?? "forward"
            guard direction == "forward" else {
                throw unsupported("the \(name) runs direction '\(direction)', which reads each sequence from its end, so a device classifying samples as they arrive cannot run it")
            }
            let expected = cell == .gru ? ["Sigmoid", "Tanh"] : ["Sigmoid", "Tanh", "Tanh"]
            if let activations = attribute(node, "activations")?.strings.map({ String(decoding: $0, as: UTF8.self) }), activations != expected {
                throw unsupported("the \(name) uses activations \(activations.joined(separator: ", ")), not \(expected.joined(separator: ", "))")
            }
            if let clip = attribute(node, "clip") { throw unsupported("the \(name) clips its cell inputs at \(clip.f)") }
            if cell == .gru, (attribute(node, "linear_before_reset")?.i ?? 0) != 1 {
                throw unsupported("the \(name) has linear_before_reset = 0: the reset gate multiplies the state before its linear map (the original GRU); PyTorch's and gq's GRU apply it after (linear_before_reset = 1)")
            }
            if cell == .lstm, (attribute(node, "input_forget")?.i ?? 0) != 0 {
                throw unsupported("the \(name) couples its input and forget gates (input_forget = 1)")
            }
            if !(try input(node, 4, optional: true)).isEmpty {
                throw unsupported("the \(name) takes sequence lengths (sequence_lens): gq runs each sequence to its own end, one step at a time")
            }
            for (position, what) in [(5, "initial_h"), (6, "initial_c")] {
                guard try isZero(input(node, position, optional: true)) else {
                    throw unsupported("the \(name) starts from a given \(what) rather than zeros")
                }
            }
            if cell == .lstm, !(try isZero(input(node, 7, optional: true))) {
                throw unsupported("the \(name) has peephole connections (P)")
            }
            guard let w = try floats(input(node, 1)), let r = try floats(input(node, 2)) else {
                throw unsupported("the \(name)'s weights W and R are not constants in the file")
            }
            let blocks = cell.gateBlocks
            guard r.shape.count == 3, r.shape[0] == 1, r.shape[1] % blocks == 0, r.shape[2] == r.shape[1] / blocks else {
                throw malformed("the \(name)'s R has shape \(r.shape), expected [1, \(blocks)·H, H]")
            }
            let h = r.shape[2], g = blocks * h
            guard w.shape.count == 3, w.shape[0] == 1, w.shape[1] == g, w.shape[2] > 0 else {
                throw malformed("the \(name)'s W has shape \(w.shape), expected [1, \(g), input size]")
            }
            var bias = [Float](repeating: 0, count: 2 * g)
            if !(try input(node, 3, optional: true)).isEmpty {
                guard let b = try floats(input(node, 3)) else { throw unsupported("the \(name)'s bias B is not a constant in the file") }
                guard b.shape == [1, 2 * g] else { throw malformed("the \(name)'s B has shape \(b.shape), expected [1, \(2 * g)]") }
                bias = b.values
            }
            // ONNX block b of a tensor → PyTorch's block order.
            let order = cell == .gru ? [1, 0, 2] : [0, 2, 3, 1]
            func reorder(_ values: [Float], width: Int) -> [Float] {
                order.flatMap { block in values[(block * h * width) ..< ((block + 1) * h * width)] }
            }
            let f = w.shape[2]
            return Layer(hidden: h, tensors: [
                SafeTensors.Tensor(shape: [g, f], values: reorder(w.values, width: f)),
                SafeTensors.Tensor(shape: [g, h], values: reorder(r.values, width: h)),
                SafeTensors.Tensor(shape: [g], values: reorder(Array(bias[0 ..< g]), width: 1)),
                SafeTensors.Tensor(shape: [g], values: reorder(Array(bias[g ..< 2 * g]), width: 1)),
            ])
        }

        struct Head {
            var weight: SafeTensors.Tensor
            var bias: SafeTensors.Tensor
            var nodes: String
            var dropped: String?
        }

        /// The linear head on the last recurrent node's last step, and what follows it. The
        /// state is followed through plumbing: Y (every step) becomes the last step at a
        /// Gather or Slice of index −1; Y_h is the last step already.
        func head(after last: Onnx_NodeProto, hidden: Int) throws -> Head {
            var lastStep: [String: Bool] = [try output(last, 0): false]
            if last.output.count > 1, !last.output[1].isEmpty { lastStep[last.output[1]] = true }
            if last.output.count > 2, !last.output[2].isEmpty, consumers[last.output[2]] != nil {
                throw unsupported("the \(Self.describe(last))'s cell state Y_c is read; gq classifies from the hidden state h")
            }
            var queue = Array(lastStep.keys)
            var heads: [(node: Onnx_NodeProto, lastStep: Bool)] = []
            while let value = queue.popLast() {
                guard lastStep.count < graph.node.count + 8 else { break }
                for node in consumers[value] ?? [] {
                    if node.opType == "Shape" { continue }  // its output is a shape, not the state
                    guard ONNXImport.plumbing.contains(node.opType) else {
                        heads.append((node, lastStep[value] ?? false))
                        continue
                    }
                    guard node.input.first == value else { continue }  // an index or a shape, not the data
                    let selects = ["Gather", "Slice"].contains(node.opType) ? try selectsLast(node) : false
                    for output in node.output where !output.isEmpty && lastStep[output] == nil {
                        lastStep[output] = (lastStep[value] ?? false) || selects
                        queue.append(output)
                    }
                }
            }
            guard let head = heads.first else { throw unsupported("nothing reads the \(Self.describe(last))'s output: there is no head") }
            guard heads.allSatisfy({ $0.node.output == head.node.output }) else {
                throw unsupported("the recurrent output feeds \(heads.map { Self.describe($0.node) }.joined(separator: " and ")); gq needs one linear head")
            }
            guard heads.allSatisfy(\.lastStep) else {
                throw unsupported("the \(Self.describe(head.node)) reads every step's output, not the last step's (a Gather or Slice of index -1, or the final state Y_h)")
            }
            return try linear(head.node, hidden: hidden)
        }

        /// A Gather or Slice that keeps index −1 (the last step or the last layer's state).
        func selectsLast(_ node: Onnx_NodeProto) throws -> Bool {
            if node.opType == "Gather" {
                guard node.input.count > 1, let index = try? floats(node.input[1]) else { return false }
                return index.values == [-1]
            }
            guard node.input.count > 1, let starts = try? floats(node.input[1]) else { return false }
            return starts.values == [-1]
        }

        func linear(_ node: Onnx_NodeProto, hidden: Int) throws -> Head {
            var weight: (shape: [Int], values: [Float])
            var bias: [Float]?
            var output = try self.output(node, 0)
            var names = Self.describe(node)
            switch node.opType {
            case "Gemm":
                guard (attribute(node, "alpha")?.f ?? 1) == 1, (attribute(node, "beta")?.f ?? 1) == 1, (attribute(node, "transA")?.i ?? 0) == 0 else {
                    throw unsupported("the head \(names) scales or transposes its input (alpha, beta or transA)")
                }
                guard let w = try floats(input(node, 1)) else { throw unsupported("the head \(names)'s weight is not a constant") }
                weight = (attribute(node, "transB")?.i ?? 0) == 1 ? w : transposed(w)
                if !(try input(node, 2, optional: true)).isEmpty {
                    guard let b = try floats(input(node, 2)) else { throw unsupported("the head \(names)'s bias is not a constant") }
                    bias = b.values
                }
            case "MatMul":
                guard let w = try floats(input(node, 1)) else { throw unsupported("the head \(names)'s weight is not a constant") }
                weight = transposed(w)
                if let add = consumers[output]?.first, add.opType == "Add", consumers[output]?.count == 1 {
                    let (a, b) = (try input(add, 0), try input(add, 1))
                    guard let constant = try floats(a == output ? b : a) else { throw unsupported("the \(Self.describe(add)) after the head adds something other than a constant bias") }
                    bias = constant.values
                    output = try self.output(add, 0)
                    names += " and " + Self.describe(add)
                }
            default:
                throw unsupported("the \(Self.describe(node)) computes on the recurrent state before any linear head")
            }
            guard weight.shape.count == 2, weight.shape[1] == hidden, weight.shape[0] > 0 else {
                throw malformed("the head's weight has shape \(weight.shape), expected [classes, \(hidden)]")
            }
            let classes = weight.shape[0]
            let b = bias ?? [Float](repeating: 0, count: classes)
            guard b.count == classes else { throw malformed("the head's bias has \(b.count) values for \(classes) classes") }
            // After the head: the graph's output, perhaps through Softmax or LogSoftmax.
            var dropped: String?
            var current = output
            var steps = 0
            while !graph.output.contains(where: { $0.name == current }) {
                guard let next = consumers[current], next.count == 1, steps < Self.depthLimit else {
                    throw unsupported("the head's output feeds \(consumers[current]?.map(Self.describe).joined(separator: " and ") ?? "nothing") rather than the graph's output")
                }
                steps += 1
                let node = next[0]
                if ["Softmax", "LogSoftmax"].contains(node.opType) {
                    dropped = node.opType
                } else if !["Identity", "Cast", "Flatten", "Reshape", "Squeeze", "Unsqueeze"].contains(node.opType) {
                    // Slicing or gathering would keep some of the classes: another model than the head's.
                    throw unsupported("the \(Self.describe(node)) computes on the head's output")
                }
                current = try self.output(node, 0)
            }
            return Head(weight: SafeTensors.Tensor(shape: weight.shape, values: weight.values),
                        bias: SafeTensors.Tensor(shape: [classes], values: b), nodes: names, dropped: dropped)
        }

        func transposed(_ m: (shape: [Int], values: [Float])) -> (shape: [Int], values: [Float]) {
            guard m.shape.count == 2 else { return m }
            let (rows, columns) = (m.shape[0], m.shape[1])
            var out = [Float](repeating: 0, count: m.values.count)
            m.values.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { destination in
                    guard let s = source.baseAddress, let d = destination.baseAddress else { return }
                    GEMM.transpose(rows: rows, columns: columns, source: s, sourceStride: columns, destination: d, destinationStride: rows)
                }
            }
            return ([columns, rows], out)
        }
    }
}
