/// The flash size of an integer recurrent network: the bytes of constant data the C export emits.
///
/// It follows `DeviceLayout`, the layout the export really uses (docs/quantization.md,
/// "Model size"): the input quantizer (mean and factor, float32 per feature); per linear
/// operator its weights in their 2-, 4-, 8- or 16-bit containers, rows padded to whole
/// words, int32 biases (int64 with a wide accumulator) and, per channel, its multipliers
/// or shifts; the lookup tables (a GRU's three, an LSTM's five) at a nibble per entry up to 4 output bits, a byte up to 8, two bytes beyond
/// (a table whose stored entries equal an earlier one's, in any layer, counted once); the
/// head's weights and biases. Requantizers shared by a whole operator, and h.sub's one,
/// are immediates in the code, not data.
///
/// A stack is counted layer by layer, each as the device layout of the layer alone lays it
/// out (`QuantizedGRU.layer`), with the input quantizer and the head counted once.
public struct ModelSize: Sendable, Equatable {
    /// Bytes per operator, by position in the network's operators (`bits.network.operators`).
    public var bytes: [Int]
    /// Weight codes alone (all linear operators and the head), bytes.
    public var weightBytes: Int
    /// Lookup tables alone, bytes.
    public var tableBytes: Int
    let network: NetworkDescription

    public var total: Int { bytes.reduce(0, +) }

    /// A first-layer operator's bytes (or the input's, the head's).
    public subscript(op: GRUOperator) -> Int { self[id: OperatorID(op)] }

    public subscript(id id: OperatorID) -> Int { bytes[network.position(of: id)] }

    public init(_ model: QuantizedGRU) {
        self.init(model, layouts: model.deviceLayouts)
    }

    /// From the layers' layouts already made (`QuantizedGRU.deviceLayouts`).
    public init(_ model: QuantizedGRU, layouts: [DeviceLayout]) {
        let network = model.bits.network
        var bytes = [Int](repeating: 0, count: network.operators.count)
        var weightBytes = 0, tableBytes = 0
        bytes[network.position(of: .input)] = 8 * model.inputSize
        let shared = DeviceLayout.sharedTables(model)
        for k in 0..<model.layers.count {
            let view = model.layer(k), layout = layouts[k]
            func at(_ op: Int) -> Int { network.position(of: .cell(op, layer: k)) }
            for layer in layout.linear {
                weightBytes += layer.weightBytes
                bytes[at(layer.index!)] = layer.weightBytes + layer.biasBytes + (layer.rescale?.storedBytes ?? 0)
            }
            for (op, table) in view.tables where shared[.cell(op, layer: k)] == nil {
                let t = DeviceLayout.tableBytes(entries: table.entries.count, outputBits: table.outputBits)
                tableBytes += t
                bytes[at(op)] = t
            }
            if k == model.layers.count - 1 {
                weightBytes += layout.head.weightBytes
                bytes[network.position(of: .fc)] = layout.head.weightBytes + layout.head.biasBytes
            }
        }
        self.network = network
        self.bytes = bytes
        self.weightBytes = weightBytes
        self.tableBytes = tableBytes
    }
}

extension QuantizedGRU {
    /// Flash bytes of this configuration, broken down.
    public var size: ModelSize { ModelSize(self) }
}
