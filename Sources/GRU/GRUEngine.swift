import Kernels

/// Buffers and prepared (transposed) weights for running a GRU on packed batches.
///
/// One engine per thread of work; it is reused across batches so that the hot
/// loops never allocate. Forward, backward and inference are extensions in their
/// own files.
final class GRUEngine {
    let layout: ParameterLayout
    /// Weights transposed once per parameter update so every product is a plain A·B.
    let weightIHT = Scratch()   // F × 3H
    let weightHHT = Scratch()   // H × 3H
    let fcWeightT = Scratch()   // H × C

    /// Input projections for one block of steps, steps × B × 3H (bias included).
    let inputGates = Scratch()
    /// Recurrent projection of the current step, B × 3H (bias included).
    let hiddenGates = Scratch()
    /// Activated gates r, z, n for every step, T × B × 3H (training); one step's, B × 3H, when observed.
    let gates = Scratch()
    /// W_hn h + b_hn for every step, T × B × H (training only).
    let hiddenN = Scratch()
    /// Hidden states h_0 … h_T, (T + 1) × B × H (training); B × H (inference).
    let states = Scratch()
    /// The state before the current step, B × H, when observed.
    let previousState = Scratch()
    /// Hidden state at each row's last valid step, B × H.
    let finalState = Scratch()
    /// B × C, packed row order.
    let logits = Scratch()

    // Backward buffers.
    let logitGradient = Scratch()   // B × C
    let stateGradient = Scratch()   // B × H
    let inputGateGradient = Scratch()   // T × B × 3H
    let hiddenGateGradient = Scratch()  // T × B × 3H

    init(layout: ParameterLayout) {
        self.layout = layout
    }

    /// Transposes the weight matrices of a flat parameter vector for the products.
    func prepare(parameters p: UnsafePointer<Float>) {
        let f = layout.inputSize, h = layout.hiddenSize, g = layout.gateWidth, c = layout.classCount
        GEMM.transpose(rows: g, columns: f, source: p + layout.weightIH.lowerBound, sourceStride: f,
                       destination: weightIHT.reserve(f * g), destinationStride: g)
        GEMM.transpose(rows: g, columns: h, source: p + layout.weightHH.lowerBound, sourceStride: h,
                       destination: weightHHT.reserve(h * g), destinationStride: g)
        GEMM.transpose(rows: c, columns: h, source: p + layout.fcWeight.lowerBound, sourceStride: h,
                       destination: fcWeightT.reserve(h * c), destinationStride: c)
    }

    /// Fills `rows` rows of a `rows × width` matrix with the same bias row.
    @inline(__always)
    static func broadcast(_ bias: UnsafePointer<Float>, rows: Int, width: Int, into dst: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (dst + r * width).update(from: bias, count: width) }
    }
}
