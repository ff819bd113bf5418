import Kernels

/// Buffers and prepared (transposed) weights for running a GRU on packed batches.
///
/// One engine per thread of work; it is reused across batches so that the hot
/// loops never allocate. Forward, backward and inference are extensions in their
/// own files.
final class GRUEngine {
    let layout: ParameterLayout
    /// Each layer's weights transposed once per parameter update so every product is a plain
    /// A·B: I × 3H (I the layer's input width) and H × 3H.
    let weightIHT: [Scratch]
    let weightHHT: [Scratch]
    let fcWeightT = Scratch()   // H × C

    /// Input projections for one block of steps, steps × B × 3H (bias included).
    let inputGates = Scratch()
    /// Recurrent projection of the current step, B × 3H (bias included).
    let hiddenGates = Scratch()
    /// Activated gates (r, z, n or i, f, g, o) for every layer and step, L × T × B × G
    /// (training); one step's, B × G, when observed.
    let gates = Scratch()
    /// A GRU's W_hn h + b_hn for every layer and step, L × T × B × H (training only).
    let hiddenN = Scratch()
    /// Each layer's hidden states h_0 … h_T, L × (T + 1) × B × H (training); L × B × H (inference).
    let states = Scratch()
    /// An LSTM's cell states c_0 … c_T, laid out as `states`.
    let cellStates = Scratch()
    /// The state before the current step, B × H (an LSTM's c after it, B × H more), when observed.
    let previousState = Scratch()
    /// In inference with stacked layers, one block's outputs of a layer and of the layer
    /// below it (its input), 2 × block × B × H.
    let blockOutputs = Scratch()
    /// The top layer's state at each row's last valid step, B × H.
    let finalState = Scratch()
    /// B × C, packed row order.
    let logits = Scratch()

    // Backward buffers.
    let logitGradient = Scratch()   // B × C
    let stateGradient = Scratch()   // B × H
    let inputGateGradient = Scratch()   // T × B × 3H
    let hiddenGateGradient = Scratch()  // T × B × 3H
    /// With stacked layers, the gradient reaching a layer's output at every step from the layer above, T × B × H.
    let outputGradient = Scratch()
    /// An LSTM's ∂L/∂c at the step being back-propagated, B × H.
    let cellGradient = Scratch()

    init(layout: ParameterLayout) {
        self.layout = layout
        weightIHT = (0..<layout.layers).map { _ in Scratch() }
        weightHHT = (0..<layout.layers).map { _ in Scratch() }
    }

    /// Transposes the weight matrices of a flat parameter vector for the products.
    func prepare(parameters p: UnsafePointer<Float>) {
        let h = layout.hiddenSize, g = layout.gateWidth, c = layout.classCount
        for k in 0..<layout.layers {
            let ranges = layout.layer(k), i = ranges.inputWidth
            GEMM.transpose(rows: g, columns: i, source: p + ranges.weightIH.lowerBound, sourceStride: i,
                           destination: weightIHT[k].reserve(i * g), destinationStride: g)
            GEMM.transpose(rows: g, columns: h, source: p + ranges.weightHH.lowerBound, sourceStride: h,
                           destination: weightHHT[k].reserve(h * g), destinationStride: g)
        }
        GEMM.transpose(rows: c, columns: h, source: p + layout.fcWeight.lowerBound, sourceStride: h,
                       destination: fcWeightT.reserve(h * c), destinationStride: c)
    }

    /// Values of the state carried between calls in inference, for `rows` rows: every layer's
    /// h (L × B × H), then for an LSTM every layer's c (L × B × H). `forward`'s
    /// `initialState` takes this layout.
    func carriedStateCount(rows b: Int) -> Int { layout.cell.stateVectors * layout.layers * b * layout.hiddenSize }

    /// Copies the state an inference `forward` of `rows` rows left into `destination`, in the
    /// layout `initialState` takes.
    func copyCarriedState(rows b: Int, to destination: UnsafeMutablePointer<Float>) {
        let count = layout.layers * b * layout.hiddenSize
        destination.update(from: states.pointer, count: count)
        if layout.cell == .lstm { (destination + count).update(from: cellStates.pointer, count: count) }
    }

    /// Fills `rows` rows of a `rows × width` matrix with the same bias row.
    @inline(__always)
    static func broadcast(_ bias: UnsafePointer<Float>, rows: Int, width: Int, into dst: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (dst + r * width).update(from: bias, count: width) }
    }
}
