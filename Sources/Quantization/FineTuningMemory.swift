import GRU

/// What a fine-tuning run holds in memory, known before it starts.
///
/// The fake-quant engine keeps every step of a batch for back-propagation. Per sequence and
/// step that is the standardised and quantized inputs (2F), both linear pre-values (6H),
/// the state (H), the three gates before and after their rounding (6H), eight operators'
/// values and four saturation flags (12H): 2F + 25H floats (`FakeQuantEngine`'s per-step
/// stores). Measured on ACSF1 (1,460 steps; hidden 32 at batch 8, 16 and 32, hidden 64 at
/// 16), the resident size grew by 2F + 29 to 30H floats per row and step, so the estimate
/// takes 2F + 30H. Each 16-row chunk's engine keeps its buffers at the largest size it
/// met, so a batch costs as if every row were as long as the longest training sequence.
///
/// Truncated (`FineTuningOptions.bptt` shorter than the longest sequence), only the last
/// `bptt` steps are kept, and the earlier ones are packed a block of `bptt` steps at a time
/// (F more floats per step): 4 × batch × bptt × (30H + 3F) bytes, whatever the length.
///
/// A stack keeps every layer's stores (30H each) and, above the first, the gradient reaching
/// each layer's input (H).
///
/// Another cell's step (`FakeQuantEngine+Described.swift`) keeps, per operator, its value, its
/// output, a saturation flag and an activation (4H each: 84H for an LSTM's 21), the linear
/// pre-values and their gradients (4G, G = 4 gate blocks), its states (2H): 4·ops + 4G + S in H
/// per layer.
public struct FineTuningMemory: BackpropagationMemory, Sendable, Equatable {
    /// Sequences per batch, clamped to the training split.
    public var batchSize: Int
    /// Steps of the longest training sequence.
    public var longestSequence: Int
    /// Steps kept per sequence for back-propagation: the longest sequence's, or `bptt` when shorter.
    public var keptSteps: Int
    /// Bytes the run's per-step buffers take at most.
    public var bytes: Int
    /// Layers the fake-quant engine runs.
    public var layers: Int
    /// Their cell.
    public var cell: CellKind

    /// The estimate for a batch of `batchSize` on training sequences of these step counts,
    /// back-propagating through the last `bptt` steps (whole sequences when nil).
    public init(lengths: [Int], featureCount: Int, hiddenSize: Int, batchSize: Int, bptt: Int? = nil, layers: Int = 1, cell: CellKind = .gru) {
        self.layers = layers
        self.cell = cell
        self.batchSize = max(1, min(batchSize, lengths.count))
        longestSequence = lengths.max() ?? 0
        keptSteps = min(longestSequence, bptt ?? longestSequence)
        bytes = TrainingMemory.bytes(batch: self.batchSize, steps: keptSteps, floatsPerStep: Self.floatsPerStep(
            featureCount: featureCount, hiddenSize: hiddenSize, layers: layers, cell: cell, truncated: keptSteps < longestSequence))
    }

    public func floatsPerStep(featureCount: Int, hiddenSize: Int, truncated: Bool) -> Int {
        Self.floatsPerStep(featureCount: featureCount, hiddenSize: hiddenSize, layers: layers, cell: cell, truncated: truncated)
    }

    public static func floatsPerStep(featureCount: Int, hiddenSize: Int, layers: Int, cell: CellKind = .gru, truncated: Bool) -> Int {
        let perLayer = cell == .gru ? 30 : 4 * cell.description.operators.count + 4 * cell.gateBlocks + cell.stateVectors
        return perLayer * hiddenSize * layers + (layers - 1) * hiddenSize + (truncated ? 3 : 2) * featureCount
    }

    /// Bytes of the buffers for `batch` rows of `steps` steps, every step kept (saturating).
    public static func bytes(batch: Int, steps: Int, featureCount: Int, hiddenSize: Int) -> Int {
        TrainingMemory.bytes(batch: batch, steps: steps, floatsPerStep: floatsPerStep(featureCount: featureCount, hiddenSize: hiddenSize, layers: 1, truncated: false))
    }
}
