/// The cells a recurrent layer can be, with what the float engine needs to know of each:
/// how many gate blocks its stacked tensors hold and how many state vectors it carries.
/// What each cell computes, operator by operator, is its `CellDescription` (Quantization).
public enum CellKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// PyTorch's `nn.GRU`: gate blocks r, z, n; state h.
    case gru
    /// PyTorch's `nn.LSTM`: gate blocks i, f, g, o; states h and the cell state c.
    case lstm

    /// Blocks of H rows in `weight_ih`, `weight_hh` and the biases.
    public var gateBlocks: Int {
        switch self {
        case .gru: return 3
        case .lstm: return 4
        }
    }

    /// The gates of the blocks, in the order the framework stacks them.
    public var gateNames: [String] {
        switch self {
        case .gru: return ["r", "z", "n"]
        case .lstm: return ["i", "f", "g", "o"]
        }
    }

    /// Vectors of H values carried from one step to the next: h, or h and c.
    public var stateVectors: Int {
        switch self {
        case .gru: return 1
        case .lstm: return 2
        }
    }

    /// The module name PyTorch state dicts use for the layer (`gru.weight_ih_l0`, `lstm.weight_ih_l0`).
    public var moduleName: String { rawValue }

    /// `GRU`, `LSTM`: as a user reads it.
    public var displayName: String { rawValue.uppercased() }

    /// The display name with its article, as a sentence says it: "a GRU", "an LSTM".
    public var withArticle: String { (self == .lstm ? "an " : "a ") + displayName }
}
