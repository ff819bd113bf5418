import Foundation
import Quantization
import SwiftProtobuf

/// An integer model as an ONNX graph of standard operators that computes exactly what
/// `QuantizedGRU.referenceLogits` computes: onnxruntime's CPU provider gives the same int64
/// logits, bit for bit (docs/quantization.md, "ONNX").
///
/// Input `x`: one sequence, float32 [steps, features], raw as the task holds it. Output
/// `logits`: int64 [classes], at the scale `gq.logit_scale` in the metadata says. The graph:
///
/// 1. the input quantizer in float32, as gq does it: `(x − mean) · factor`, rounded half away
///    from zero (`Floor`, `Sign` and a comparison, since ONNX's `Round` rounds half to even),
///    saturated, cast to int64;
/// 2. a `Scan` over the steps whose body is the cell's description, node for node, for every
///    layer: integer `MatMul` and bias `Add` for a linear operator; every requantization as
///    `(v · M + 2^(s−1))` floor-divided by `2^s` (`Mod`, `Sub`, `Div`: ONNX's integer `Div`
///    truncates, the rule floors); `Max`/`Min` for saturation; `Gather` into the σ/tanh tables;
/// 3. the head: `MatMul` and `Add` on the last layer's final state.
///
/// Everything after the quantizer is int64, so no product or sum can overflow where gq's does not.
public enum ONNXExport {
    /// The graph's opset: Scan, Mod and int64 Clip/Max/Min are all older.
    public static let opset: Int64 = 17

    /// `model` as ONNX, with `metadata` (configuration, task, accuracy) in `metadata_props`.
    public static func model(_ model: QuantizedGRU, name: String, metadata: [(String, String)]) -> Onnx_ModelProto {
        var graph = GraphBuilder(name: name)
        let f = model.inputSize, h = model.hiddenSize
        let cell = model.bits.network.cell.description
        graph.input("x", .float, [.symbol("steps"), .value(f)])
        let codes = graph.quantizeInput("x", mean: model.inputMean, factor: model.inputFactor,
                                        limit: Float(CodeRange.signedMax(model.bits[.input])))

        // The recurrent state of every layer, in the order the Scan carries it.
        var stateNames: [String] = []
        var initial: [String] = []
        for k in 0..<model.layers.count {
            for state in cell.states {
                let zero = graph.constant("l\(k).\(state.name).zero", [Int64](repeating: 0, count: h), shape: [h])
                initial.append(zero)
                stateNames.append("l\(k).\(state.name)")
            }
        }
        let body = stepGraph(model, stateNames: stateNames)
        let finals = stateNames.map { $0 + ".final" }
        var scan = Onnx_NodeProto()
        scan.opType = "Scan"
        scan.name = "steps"
        scan.input = initial + [codes]
        scan.output = finals
        scan.attribute = [.int("num_scan_inputs", 1), .graph("body", body)]
        graph.nodes.append(scan)

        let last = finals[(model.layers.count - 1) * cell.states.count]
        let logits = graph.linear(model.head, input: last, name: "fc")
        graph.output(logits, as: "logits", .int64, [.value(model.classCount)])

        var proto = Onnx_ModelProto()
        proto.irVersion = 8
        proto.producerName = "gq"
        proto.modelVersion = 1
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Self.opset
        proto.opsetImport = [opset]
        proto.graph = graph.proto
        proto.docString = "gq integer model: one sequence x [steps, features] in, int64 logits out; bit-exact with gq's integer engine"
        proto.metadataProps = metadata.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return proto
    }

    /// The serialized file.
    public static func data(_ model: QuantizedGRU, name: String, metadata: [(String, String)]) throws -> Data {
        try Self.model(model, name: name, metadata: metadata).serializedData()
    }

    /// One step of every layer: the Scan's body. Inputs: the states, then the step's input
    /// codes; outputs: the new states.
    static func stepGraph(_ model: QuantizedGRU, stateNames: [String]) -> Onnx_GraphProto {
        let network = model.bits.network, cell = network.cell.description
        let h = model.hiddenSize
        var graph = GraphBuilder(name: "step")
        for name in stateNames { graph.input(name, .int64, [.value(h)]) }
        graph.input("x_t", .int64, [.value(model.inputSize)])
        var input = "x_t"
        var outputs: [String] = []
        for (k, layer) in model.layers.enumerated() {
            var produced: [Int: String] = [:]
            func state(_ s: Int) -> String { stateNames[k * cell.states.count + s] }
            func value(_ operand: CellDescription.Operand) -> String {
                switch operand {
                case .op(let i): return produced[i]!
                case .state(let s): return state(s)
                }
            }
            for node in cell.step {
                let op = node.output
                let name = "l\(k).\(cell.operators[op].name)"
                let (low, high) = model.bounds(id: .cell(op, layer: k))
                let result: String
                switch node {
                case .linear(_, .input, _):
                    result = graph.saturate(graph.linear(layer.linear[op], input: input, name: name), low, high, name: name)
                case .linear(_, .state(let s), _):
                    result = graph.saturate(graph.linear(layer.linear[op], input: state(s), name: name), low, high, name: name)
                case .add(_, let a, let b):
                    let (ra, rb) = layer.addRescalers[op]!
                    let sum = graph.node("Add", [graph.requantize(value(a), [ra], name: name + ".a"),
                                                 graph.requantize(value(b), [rb], name: name + ".b")], name + ".sum")
                    result = graph.saturate(sum, low, high, name: name)
                case .multiply(_, let a, let b):
                    let product = graph.node("Mul", [value(a), value(b)], name + ".product")
                    result = graph.saturate(graph.requantize(product, [layer.mulRequantizers[op]!], name: name), low, high, name: name)
                case .oneMinus(_, let a):
                    let (one, rescaler) = layer.oneMinus[op]!
                    let difference = graph.node("Sub", [graph.constant(name + ".one", [one], shape: []),
                                                        graph.requantize(value(a), [rescaler], name: name)], name + ".difference")
                    result = graph.saturate(difference, low, high, name: name)
                case .table(_, _, let a):
                    let table = layer.tables[op]!
                    let entries = graph.constant(name + ".table", table.entries.map(Int64.init), shape: [table.entries.count])
                    let index = graph.node("Add", [value(a), graph.constant(name + ".offset", [Int64(1) << (table.inputBits - 1)], shape: [])], name + ".index")
                    result = graph.node("Gather", [entries, index], name)
                }
                produced[op] = result
            }
            for (s, state) in cell.states.enumerated() {
                let out = graph.node("Identity", [produced[state.producedBy]!], stateNames[k * cell.states.count + s] + ".next")
                outputs.append(out)
            }
            input = produced[cell.states[0].producedBy]!
        }
        for name in outputs { graph.output(name, as: name, .int64, [.value(h)]) }
        return graph.proto
    }
}

/// Nodes, constants and value declarations of one graph, with fresh names for every value.
struct GraphBuilder {
    enum ElementType: Int32 {
        case float = 1
        case int64 = 7
    }

    enum Dimension {
        case value(Int)
        case symbol(String)
    }

    var proto = Onnx_GraphProto()
    var nodes: [Onnx_NodeProto] {
        get { proto.node }
        set { proto.node = newValue }
    }
    private var used: Set<String> = []

    init(name: String) { proto.name = name }

    /// `hint`, or `hint` with a number when the name is taken.
    mutating func fresh(_ hint: String) -> String {
        var name = hint
        var k = 1
        while used.contains(name) { k += 1; name = "\(hint)_\(k)" }
        used.insert(name)
        return name
    }

    static func valueInfo(_ name: String, _ type: ElementType, _ shape: [Dimension]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = type.rawValue
        tensor.shape.dim = shape.map { dimension in
            var dim = Onnx_TensorShapeProto.Dimension()
            switch dimension {
            case .value(let n): dim.dimValue = Int64(n)
            case .symbol(let s): dim.dimParam = s
            }
            return dim
        }
        info.type.tensorType = tensor
        return info
    }

    mutating func input(_ name: String, _ type: ElementType, _ shape: [Dimension]) {
        used.insert(name)
        proto.input.append(Self.valueInfo(name, type, shape))
    }

    /// Declares `value` as a graph output named `name` (through an Identity when they differ).
    mutating func output(_ value: String, as name: String, _ type: ElementType, _ shape: [Dimension]) {
        var source = value
        if value != name {
            used.insert(name)
            var identity = Onnx_NodeProto()
            identity.opType = "Identity"
            identity.input = [value]
            identity.output = [name]
            proto.node.append(identity)
            source = name
        }
        proto.output.append(Self.valueInfo(source, type, shape))
    }

    mutating func constant(_ hint: String, _ values: [Int64], shape: [Int]) -> String {
        initializer(hint, .int64, shape) { $0.int64Data = values }
    }

    mutating func constant(_ hint: String, floats values: [Float], shape: [Int]) -> String {
        initializer(hint, .float, shape) { $0.floatData = values }
    }

    private mutating func initializer(_ hint: String, _ type: ElementType, _ shape: [Int], values: (inout Onnx_TensorProto) -> Void) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = fresh(hint)
        tensor.dataType = type.rawValue
        tensor.dims = shape.map(Int64.init)
        values(&tensor)
        proto.initializer.append(tensor)
        return tensor.name
    }

    /// One node with one output, named after `hint`.
    mutating func node(_ op: String, _ inputs: [String], _ hint: String, attributes: [Onnx_AttributeProto] = []) -> String {
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = inputs
        let output = fresh(hint)
        node.output = [output]
        node.name = output
        node.attribute = attributes
        proto.node.append(node)
        return output
    }

    /// gq's input quantizer: round_half_away((x − mean) · factor), saturated to ±limit, as int64.
    mutating func quantizeInput(_ x: String, mean: [Float], factor: [Float], limit: Float) -> String {
        let f = mean.count
        let scaled = node("Mul", [node("Sub", [x, constant("input.mean", floats: mean, shape: [f])], "input.centred"),
                                  constant("input.factor", floats: factor, shape: [f])], "input.scaled")
        // |p| = whole + fraction exactly in float32; ONNX's Round would send ties to even.
        let magnitude = node("Abs", [scaled], "input.magnitude")
        let whole = node("Floor", [magnitude], "input.whole")
        let fraction = node("Sub", [magnitude, whole], "input.fraction")
        let up = node("Cast", [node("GreaterOrEqual", [fraction, constant("input.half", floats: [0.5], shape: [])], "input.tie_or_more")],
                      "input.up", attributes: [.int("to", Int64(ElementType.float.rawValue))])
        let rounded = node("Mul", [node("Sign", [scaled], "input.sign"), node("Add", [whole, up], "input.rounded_magnitude")], "input.rounded")
        let clipped = node("Clip", [rounded, constant("input.low", floats: [-limit], shape: []), constant("input.high", floats: [limit], shape: [])], "input.clipped")
        return node("Cast", [clipped], "input.codes", attributes: [.int("to", Int64(ElementType.int64.rawValue))])
    }

    /// `Requantizer.apply` on every element (one requantizer) or row (one a row):
    /// floor((v · M + 2^(s−1)) / 2^s) for s > 0, v · M · 2^(−s) otherwise.
    mutating func requantize(_ value: String, _ requantizers: [Requantizer], name: String) -> String {
        let shape = requantizers.count == 1 ? [] : [requantizers.count]
        let multipliers = requantizers.map { r in Int64(r.multiplier) << Int64(max(0, -r.shift)) }
        let scaled = node("Mul", [value, constant(name + ".multiplier", multipliers, shape: shape)], name + ".scaled")
        guard requantizers.contains(where: { $0.shift > 0 }) else { return scaled }
        let divisors = requantizers.map { r in r.shift > 0 ? Int64(1) << Int64(r.shift) : 1 }
        let rounding = requantizers.map { r in r.shift > 0 ? Int64(1) << Int64(r.shift - 1) : 0 }
        let divisor = constant(name + ".divisor", divisors, shape: shape)
        let biased = node("Add", [scaled, constant(name + ".rounding", rounding, shape: shape)], name + ".biased")
        // Integer Div truncates toward zero; taking off the (non-negative) remainder first makes it floor.
        let exact = node("Sub", [biased, node("Mod", [biased, divisor], name + ".remainder")], name + ".floored")
        return node("Div", [exact, divisor], name + ".requantized")
    }

    mutating func saturate(_ value: String, _ low: Int64, _ high: Int64, name: String) -> String {
        node("Clip", [value, constant(name + ".low", [low], shape: []), constant(name + ".high", [high], shape: [])], name)
    }

    /// W · input + bias, requantized row by row and saturated (the head: the int64 sums as they are).
    mutating func linear(_ layer: QuantizedLinear, input: String, name: String) -> String {
        let weights = constant(name + ".weight", layer.weights.map(Int64.init), shape: [layer.rows, layer.columns])
        let sum = node("Add", [node("MatMul", [weights, input], name + ".product"), constant(name + ".bias", layer.bias, shape: [layer.rows])],
                       layer.requantizers.isEmpty ? name + ".logits" : name + ".sum")
        guard !layer.requantizers.isEmpty else { return sum }
        let rows = (0..<layer.rows).map(layer.requantizer(row:))
        return requantize(sum, rows.allSatisfy { $0 == rows[0] } ? [rows[0]] : rows, name: name)
    }
}

extension Onnx_AttributeProto {
    static func int(_ name: String, _ value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = value
        return attribute
    }

    static func graph(_ name: String, _ value: Onnx_GraphProto) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .graph
        attribute.g = value
        return attribute
    }
}
