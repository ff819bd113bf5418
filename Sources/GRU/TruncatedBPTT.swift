/// One thread's loss and gradient of a batch: back-propagation through whole sequences, or
/// truncated to each sequence's last `bptt` steps.
///
/// Truncated, the state after each sequence's earlier steps is carried forward a block of
/// `bptt` steps at a time, without keeping them, and enters the last block as a constant
/// (PyTorch's `h.detach()`): no gradient flows back past it. The classifier's one loss sits
/// on the last step, so that last block is the only one with a gradient, and counting blocks
/// back from the end gives every sequence min(length, `bptt`) steps of it. Memory follows
/// `bptt`, not the sequence length (`TrainingMemory`).
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
    func run(_ sequences: [[Float]], indices: some Collection<Int>, labels: [Int], standardization: Standardization?,
             bptt: Int?, parameters p: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
             lossScale: Float) -> (loss: Double, correct: Int) {
        let f = engine.layout.inputSize, h = engine.layout.hiddenSize
        engine.prepare(parameters: p)
        let (order, lengths) = PackedBatch.longestFirst(sequences, indices: indices, features: f)
        let b = order.count
        let labels = order.map { labels[$0] }
        guard let window = bptt, window < (lengths.first ?? 0) else {
            batch.pack(windowsOf: sequences, order: order, starts: [Int](repeating: 0, count: b), lengths: lengths,
                       features: f, standardization: standardization)
            engine.forward(batch, parameters: p, training: true)
            return engine.backward(batch, labels: labels, parameters: p, gradient: gradient, lossScale: lossScale)
        }
        let state = carried.zeroed(b * h)
        let before = lengths.map { max(0, $0 - window) }
        var t0 = 0
        while t0 < (before.first ?? 0) {
            earlier.pack(windowsOf: sequences, order: order, starts: [Int](repeating: t0, count: b),
                         lengths: before.map { min(window, max(0, $0 - t0)) }, features: f, standardization: standardization)
            // Inference keeps one state row per sequence and leaves rows without steps here alone.
            engine.forward(earlier, parameters: p, training: false, initialState: state)
            state.update(from: engine.states.pointer, count: b * h)
            t0 += window
        }
        batch.pack(windowsOf: sequences, order: order, starts: before, lengths: lengths.map { min($0, window) },
                   features: f, standardization: standardization)
        engine.forward(batch, parameters: p, training: true, initialState: state)
        return engine.backward(batch, labels: labels, parameters: p, gradient: gradient, lossScale: lossScale)
    }
}
