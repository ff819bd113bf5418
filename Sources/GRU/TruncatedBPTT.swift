import Kernels

/// How a batch is split for back-propagation through each sequence's last `bptt` steps: the
/// one description of the windowing that float training (`BatchGradient`) and fake-quant
/// fine-tuning share.
///
/// Truncated, the state after each sequence's earlier steps is carried forward a block of
/// `bptt` steps at a time, without keeping them, and enters the last block as a constant
/// (PyTorch's `h.detach()`): no gradient flows back past it. The classifier's one loss sits
/// on the last step, so that last block is the only one with a gradient, and counting blocks
/// back from the end gives every sequence min(length, `bptt`) steps of it. Memory follows
/// `bptt`, not the sequence length (`TrainingMemory`, `FineTuningMemory`).
public struct BPTTWindows {
    /// Caller's indices in packed order (longest first, ties in their given order).
    public let order: [Int]
    /// Whole lengths in packed order.
    public let lengths: [Int]
    /// The window, when shorter than the longest sequence; nil for whole sequences.
    public let window: Int?

    public init(_ sequences: [[Float]], indices: some Collection<Int>, features: Int, bptt: Int?) {
        let (order, lengths) = PackedBatch.longestFirst(sequences, indices: indices, features: features)
        self.order = order
        self.lengths = lengths
        window = bptt.flatMap { $0 < (lengths.first ?? 0) ? $0 : nil }
    }

    /// Rows of the batch.
    public var count: Int { order.count }

    /// Steps before each row's last window (packed order), none when not truncated.
    var before: [Int] { lengths.map { max(0, $0 - (window ?? $0)) } }

    /// Packs the earlier steps one block of `window` steps at a time into `block` and hands
    /// each to `carry`, first to last; nothing when not truncated. Rows whose earlier steps
    /// are done have no steps in later blocks, so a forward that leaves such rows alone
    /// carries every row's state to the start of its last window.
    public func forEachEarlierBlock(of sequences: [[Float]], into block: inout PackedBatch, features: Int,
                                    standardization: Standardization?, _ carry: (PackedBatch) -> Void) {
        guard let window else { return }
        let before = before
        var t0 = 0
        while t0 < (before.first ?? 0) {
            block.pack(windowsOf: sequences, order: order, starts: [Int](repeating: t0, count: count),
                       lengths: before.map { min(window, max(0, $0 - t0)) }, features: features, standardization: standardization)
            carry(block)
            t0 += window
        }
    }

    /// Packs each row's last window (its whole sequence when not truncated) into `batch`.
    public func packLast(of sequences: [[Float]], into batch: inout PackedBatch, features: Int, standardization: Standardization?) {
        batch.pack(windowsOf: sequences, order: order, starts: before, lengths: lengths.map { min($0, window ?? $0) },
                   features: features, standardization: standardization)
    }
}

/// One thread's loss and gradient of a batch: back-propagation through whole sequences, or
/// truncated to each sequence's last `bptt` steps (`BPTTWindows`).
final class BatchGradient {
    let engine: GRUEngine
    private var batch = PackedBatch()
    private var earlier = PackedBatch()
    private let carried = Scratch()

    init(layout: ParameterLayout) {
        engine = GRUEngine(layout: layout)
    }

    /// Adds the gradient of `lossScale · Σ loss` over `sequences[indices]` to `gradient`
    /// (`labels` indexed like `sequences`); returns the unscaled loss sum and the correct count.
    /// Runs with subnormal floats flushed to zero (`Subnormals`, docs/training.md).
    func run(_ sequences: [[Float]], indices: some Collection<Int>, labels: [Int], standardization: Standardization?,
             bptt: Int?, parameters p: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
             lossScale: Float) -> (loss: Double, correct: Int) {
        Subnormals.flushed {
            pass(sequences, indices: indices, labels: labels, standardization: standardization, bptt: bptt,
                 parameters: p, gradient: gradient, lossScale: lossScale)
        }
    }

    @inline(never)
    private func pass(_ sequences: [[Float]], indices: some Collection<Int>, labels: [Int], standardization: Standardization?,
                      bptt: Int?, parameters p: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                      lossScale: Float) -> (loss: Double, correct: Int) {
        // Every layer's state is carried (h, and an LSTM's c), as inference leaves it.
        let f = engine.layout.inputSize
        engine.prepare(parameters: p)
        let windows = BPTTWindows(sequences, indices: indices, features: f, bptt: bptt)
        let b = windows.count
        let labels = windows.order.map { labels[$0] }
        var state: UnsafeMutablePointer<Float>?
        if windows.window != nil {
            let carriedState = carried.zeroed(max(engine.carriedStateCount(rows: b), 1))
            windows.forEachEarlierBlock(of: sequences, into: &earlier, features: f, standardization: standardization) { block in
                // Inference keeps one state row per sequence and leaves rows without steps here alone.
                engine.forward(block, parameters: p, training: false, initialState: carriedState)
                engine.copyCarriedState(rows: b, to: carriedState)
            }
            state = carriedState
        }
        windows.packLast(of: sequences, into: &batch, features: f, standardization: standardization)
        engine.forward(batch, parameters: p, training: true, initialState: state)
        return engine.backward(batch, labels: labels, parameters: p, gradient: gradient, lossScale: lossScale)
    }
}
