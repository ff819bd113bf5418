import Foundation

/// What a training run holds in memory, known before it starts, and the most it may hold.
///
/// Back-propagation through time keeps every step of a batch: per sequence and step the
/// activated gates (3H), W_hn·h (H), the hidden state (H), the input projections (3H),
/// both gate gradients (3H + 3H) and the packed input (F), 14H + F floats in all
/// (`GRUEngine`'s buffers). Each of a batch's 32-row chunks keeps its buffers at the
/// largest size it met, so over an epoch a batch costs as if every row were as long as the
/// longest sequence. Measured on 4,000- and 40,000-step sets, the resident size stays
/// within this estimate plus ~40 MB of program.
///
/// Truncated (`TrainingOptions.bptt` shorter than the longest sequence), only the last
/// `bptt` steps are kept, and the earlier ones are packed a block of `bptt` steps at a time
/// (F more floats per step): 4 × batch × bptt × (14H + 2F) bytes, whatever the length.
public struct TrainingMemory: BackpropagationMemory, Sendable, Equatable {
    /// Sequences per batch, after clamping to the training split.
    public var batchSize: Int
    /// Steps of the longest training sequence.
    public var longestSequence: Int
    /// Steps kept per sequence for back-propagation: the longest sequence's, or `bptt` when shorter.
    public var keptSteps: Int
    /// Bytes the run's buffers take at most.
    public var bytes: Int
    /// Stacked layers: each above the first keeps its own states, gates and W_hn·h.
    public var layers: Int
    /// The cell trained: an LSTM keeps four gate blocks and the cell state c.
    public var cell: CellKind

    /// The estimate for `options` on training sequences of these step counts.
    public init(lengths: [Int], featureCount: Int, options: TrainingOptions) {
        batchSize = GRUTrainer.effectiveBatchSize(options.batchSize, trainingCount: lengths.count)
        longestSequence = lengths.max() ?? 0
        keptSteps = min(longestSequence, options.bptt ?? longestSequence)
        layers = options.layers
        cell = options.cell
        bytes = Self.bytes(batch: batchSize, steps: keptSteps, floatsPerStep: Self.floatsPerStep(
            featureCount: featureCount, hiddenSize: options.hiddenSize, layers: layers, cell: cell, truncated: keptSteps < longestSequence))
    }

    /// With G gate blocks and S state vectors per layer (a GRU 3 and 1, an LSTM 4 and 2): the
    /// first layer keeps the activated gates, the input projections and both gate gradients
    /// (4G·H), its states (S·H), a GRU's W_hn·h (H) and the packed input F (2F truncated):
    /// 14H + F for a GRU, 18H + F for an LSTM. Each layer above keeps its gates, states and
    /// W_hn·h again (5H; 6H), and a stack one gradient of H at each layer's outputs.
    public static func floatsPerStep(featureCount: Int, hiddenSize: Int, layers: Int, cell: CellKind = .gru, truncated: Bool) -> Int {
        let kept = cell.gateBlocks + cell.stateVectors + (cell == .gru ? 1 : 0)
        return (kept + 3 * cell.gateBlocks) * hiddenSize + (truncated ? 2 : 1) * featureCount
            + (layers - 1) * kept * hiddenSize + (layers > 1 ? hiddenSize : 0)
    }

    public func floatsPerStep(featureCount: Int, hiddenSize: Int, truncated: Bool) -> Int {
        Self.floatsPerStep(featureCount: featureCount, hiddenSize: hiddenSize, layers: layers, cell: cell, truncated: truncated)
    }

    /// Bytes of the buffers for `batch` rows of `steps` steps (full back-propagation).
    public static func bytes(batch: Int, steps: Int, featureCount: Int, hiddenSize: Int, layers: Int = 1, cell: CellKind = .gru) -> Int {
        bytes(batch: batch, steps: steps, floatsPerStep: floatsPerStep(featureCount: featureCount, hiddenSize: hiddenSize, layers: layers,
                                                                     cell: cell, truncated: false))
    }

    /// 4 bytes × batch × steps × floats per row and step; saturating, so a hostile size
    /// gives a huge estimate, never a wrapped small one. Shared with fine-tuning's estimate.
    public static func bytes(batch: Int, steps: Int, floatsPerStep: Int) -> Int {
        let (a, o1) = batch.multipliedReportingOverflow(by: steps)
        let (b, o2) = a.multipliedReportingOverflow(by: floatsPerStep)
        let (c, o3) = b.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        return o1 || o2 || o3 ? Int.max : c
    }

    /// The largest batch up to `batchSize` whose buffers fit in `limit` bytes, when one
    /// sequence takes `perSequence` (0 when even one does not fit).
    public static func largestBatch(_ batchSize: Int, within limit: Int, perSequence: Int) -> Int {
        perSequence == 0 ? batchSize : min(batchSize, limit / perSequence)
    }


    /// The longest window below `longestSequence` steps whose buffers fit in `limit` bytes when
    /// a step of the batch takes `perStep` (0 when not even one step fits). Shared with fine-tuning.
    public static func largestWindow(below longestSequence: Int, within limit: Int, perStep: Int) -> Int {
        perStep == 0 ? max(longestSequence - 1, 0) : min(max(longestSequence - 1, 0), limit / perStep)
    }
}

/// An estimate of the buffers one back-propagation run keeps, per row and step, so the
/// batch and window that fit a limit follow from one rule for training and fine-tuning.
public protocol BackpropagationMemory {
    /// Sequences per batch, clamped to the training split.
    var batchSize: Int { get }
    /// Steps of the longest training sequence.
    var longestSequence: Int { get }
    /// Steps kept per sequence for back-propagation.
    var keptSteps: Int { get }
    /// Bytes the run's buffers take at most.
    var bytes: Int { get }
    /// Recurrent layers of the model trained.
    var layers: Int { get }
    /// Floats one row keeps per step, whole or truncated, for the model trained.
    func floatsPerStep(featureCount: Int, hiddenSize: Int, truncated: Bool) -> Int
}

extension BackpropagationMemory {
    /// Whether back-propagation is truncated (`keptSteps` shorter than the longest sequence).
    public var truncated: Bool { keptSteps < longestSequence }

    /// The largest batch whose buffers fit in `limit` bytes (0 when even one sequence does not).
    public func largestBatch(within limit: Int, featureCount: Int, hiddenSize: Int) -> Int {
        TrainingMemory.largestBatch(batchSize, within: limit, perSequence: TrainingMemory.bytes(
            batch: 1, steps: keptSteps,
            floatsPerStep: floatsPerStep(featureCount: featureCount, hiddenSize: hiddenSize, truncated: truncated)))
    }

    /// The window a run that asked for none truncates to because whole sequences pass
    /// `limit` bytes; nil when they fit, a window was asked for, or not even one step fits.
    public func automaticWindow(asked: Int?, within limit: Int, featureCount: Int, hiddenSize: Int) -> Int? {
        guard bytes > limit, asked == nil else { return nil }
        let window = largestWindow(within: limit, featureCount: featureCount, hiddenSize: hiddenSize)
        return window >= 1 ? window : nil
    }

    /// The longest truncation window whose buffers fit in `limit` bytes at this batch, below the
    /// longest sequence (0 when not even one step fits).
    public func largestWindow(within limit: Int, featureCount: Int, hiddenSize: Int) -> Int {
        TrainingMemory.largestWindow(below: longestSequence, within: limit, perStep: TrainingMemory.bytes(
            batch: batchSize, steps: 1, floatsPerStep: floatsPerStep(featureCount: featureCount, hiddenSize: hiddenSize, truncated: true)))
    }
}
