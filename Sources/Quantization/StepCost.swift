import GRU

/// The work of one time step of the integer network, counted from the cell's description
/// (docs/quantization.md's step), so a user can estimate latency on a device from its cycles
/// per operation.
public struct StepCost: Sendable, Equatable {
    /// Multiply-accumulates of the linear operators: G·H·F + G·H·H for the first layer and
    /// 2·G·H·H for each layer above, G the gate blocks (a GRU's 3, an LSTM's 4).
    public var multiplyAccumulates: Int
    /// Elementwise products of the multiplications: H per multiplication per layer (a GRU's 3, an LSTM's 3).
    public var products: Int
    /// σ and tanh lookups: H per table per layer (a GRU's 3, an LSTM's 5).
    public var tableReads: Int
    /// Requantizations per layer: H per linear output, 2 per element of each addition, H per
    /// one-minus and per product (a GRU's 18·H, an LSTM's 21·H).
    /// (The instructions and RAM the C export needs come from its cost model, `DeviceCost` in Export.)
    public var requantizations: Int

    public init(inputSize f: Int, hiddenSize h: Int, layers: Int = 1, cell: CellKind = .gru) {
        multiplyAccumulates = ParameterLayout(inputSize: f, hiddenSize: h, classCount: 1, layers: layers, cell: cell).stepMultiplyAccumulates
        let nodes = cell.description.step
        func count(_ kind: OperatorKind) -> Int { nodes.filter { $0.kind == kind }.count }
        let additions = nodes.filter { if case .add = $0 { return true } else { return false } }.count
        let oneMinus = count(.addition) - additions
        products = count(.multiplication) * h * layers
        tableReads = count(.activation) * h * layers
        requantizations = (count(.linear) + 2 * additions + oneMinus + count(.multiplication)) * h * layers
    }

    /// One line: `per step: 13824 multiply-accumulates, 192 products, 192 table reads, 1152 requantizations`.
    public var summary: String {
        "per step: \(multiplyAccumulates) multiply-accumulates, \(products) products, \(tableReads) table reads, \(requantizations) requantizations"
    }
}

extension QuantizedGRU {
    /// The work of one time step (the head adds `classCount · hiddenSize` MACs once per sequence).
    public var stepCost: StepCost { StepCost(inputSize: inputSize, hiddenSize: hiddenSize, layers: layers.count, cell: bits.network.cell) }
}
