/// The flash size of an integer GRU: the bytes of constant data the C export emits.
///
/// It follows `DeviceLayout`, the layout the export really uses (docs/quantization.md,
/// "Model size"): the input quantizer (mean and factor, float32 per feature); per linear
/// operator its weights in their 2-, 4-, 8- or 16-bit containers, rows padded to whole
/// words, int32 biases (int64 with a wide accumulator) and, per channel, its multipliers
/// or shifts; the three lookup tables at a nibble per entry up to 4 output bits, a byte up to 8, two bytes beyond
/// (gate.z's counted once with gate.r's when the two are identical); the
/// head's weights and biases. Requantizers shared by a whole operator, and h.sub's one,
/// are immediates in the code, not data.
public struct ModelSize: Sendable, Equatable {
    /// Bytes per operator, by `GRUOperator.rawValue`.
    public var bytes: [Int]
    /// Weight codes alone (all linear operators and the head), bytes.
    public var weightBytes: Int
    /// Lookup tables alone, bytes.
    public var tableBytes: Int

    public var total: Int { bytes.reduce(0, +) }

    public subscript(op: GRUOperator) -> Int { bytes[op.rawValue] }

    public init(_ model: QuantizedGRU) {
        self.init(model, layout: DeviceLayout(model))
    }

    public init(_ model: QuantizedGRU, layout: DeviceLayout) {
        var bytes = [Int](repeating: 0, count: GRUOperator.allCases.count)
        var weightBytes = 0, tableBytes = 0
        bytes[GRUOperator.input.rawValue] = 8 * model.inputSize
        for layer in layout.linear + [layout.head] {
            weightBytes += layer.weightBytes
            bytes[layer.op.rawValue] = layer.weightBytes + layer.biasBytes + (layer.rescale?.storedBytes ?? 0)
        }
        let shared = DeviceLayout.sharesGateTables(model)
        for (op, table) in model.tables where !(shared && op == .gateZ) {
            let t = DeviceLayout.tableBytes(entries: table.entries.count, outputBits: table.outputBits)
            tableBytes += t
            bytes[op.rawValue] = t
        }
        self.bytes = bytes
        self.weightBytes = weightBytes
        self.tableBytes = tableBytes
    }
}

extension QuantizedGRU {
    /// Flash bytes of this configuration, broken down.
    public var size: ModelSize { ModelSize(self) }
}
