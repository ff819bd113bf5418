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
public struct FineTuningMemory: Sendable, Equatable {
    /// Sequences per batch, clamped to the training split.
    public var batchSize: Int
    /// Steps of the longest training sequence.
    public var longestSequence: Int
    /// Bytes the run's per-step buffers take at most.
    public var bytes: Int

    /// The estimate for a batch of `batchSize` on training sequences of these step counts.
    public init(lengths: [Int], featureCount: Int, hiddenSize: Int, batchSize: Int) {
        self.batchSize = max(1, min(batchSize, lengths.count))
        longestSequence = lengths.max() ?? 0
        bytes = Self.bytes(batch: self.batchSize, steps: longestSequence, featureCount: featureCount, hiddenSize: hiddenSize)
    }

    /// Bytes of the buffers for `batch` rows of `steps` steps (saturating).
    public static func bytes(batch: Int, steps: Int, featureCount: Int, hiddenSize: Int) -> Int {
        TrainingMemory.bytes(batch: batch, steps: steps, floatsPerStep: 2 * featureCount + 30 * hiddenSize)
    }

    /// The largest batch whose buffers fit in `limit` bytes (0 when even one sequence does not).
    public func largestBatch(within limit: Int, featureCount: Int, hiddenSize: Int) -> Int {
        TrainingMemory.largestBatch(batchSize, within: limit,
                                    perSequence: Self.bytes(batch: 1, steps: longestSequence, featureCount: featureCount, hiddenSize: hiddenSize))
    }
}
