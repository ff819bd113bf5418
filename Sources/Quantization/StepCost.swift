import GRU

/// The work of one time step of the integer GRU, counted from docs/quantization.md's
/// step, so a user can estimate latency on a device from its cycles per operation.
public struct StepCost: Sendable, Equatable {
    /// Multiply-accumulates of the six linear operators: 3·H·F + 3·H·H, and 6·H·H for each layer above the first.
    public var multiplyAccumulates: Int
    /// Elementwise products of the three multiplications: 3·H per layer.
    public var products: Int
    /// σ and tanh lookups: 3·H per layer.
    public var tableReads: Int
    /// Requantizations: 6·H linear outputs, 2 per element of each of the 4 additions, H for h.sub, 3·H products, per layer.
    /// (The instructions and RAM the C export needs come from its cost model, `DeviceCost` in Export.)
    public var requantizations: Int

    public init(inputSize f: Int, hiddenSize h: Int, layers: Int = 1) {
        multiplyAccumulates = ParameterLayout(inputSize: f, hiddenSize: h, classCount: 1, layers: layers).stepMultiplyAccumulates
        products = 3 * h * layers
        tableReads = 3 * h * layers
        requantizations = (6 * h + 8 * h + h + 3 * h) * layers
    }

    /// One line: `per step: 13824 multiply-accumulates, 192 products, 192 table reads, 1152 requantizations`.
    public var summary: String {
        "per step: \(multiplyAccumulates) multiply-accumulates, \(products) products, \(tableReads) table reads, \(requantizations) requantizations"
    }
}

extension QuantizedGRU {
    /// The work of one time step (the head adds `classCount · hiddenSize` MACs once per sequence).
    public var stepCost: StepCost { StepCost(inputSize: inputSize, hiddenSize: hiddenSize, layers: layers.count) }
}
