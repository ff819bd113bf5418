/// One step of a packed batch as the float engine computed it: what calibration reads.
///
/// Every pointer holds `rows` rows (the sequences still running, in packed order) and is
/// valid only during the call that hands the view over.
public struct GRUStepView {
    /// The layer that ran the step (0 the first); `features` is its input width.
    public let layer: Int
    public let rows: Int, features: Int, hidden: Int
    /// The layer's input: the standardised features for the first layer, the layer below's output above it, rows × features.
    public let input: UnsafePointer<Float>
    /// `W_ih x + b_ih`, rows × G (blocks of H: r, z, n or i, f, g, o).
    public let inputGates: UnsafePointer<Float>
    /// `W_hh h + b_hh`, rows × G.
    public let hiddenGates: UnsafePointer<Float>
    /// The activated gates, rows × G.
    public let gates: UnsafePointer<Float>
    /// The state h before the step and after it, rows × H.
    public let previous: UnsafePointer<Float>, next: UnsafePointer<Float>
    /// An LSTM's cell state c before the step and after it, rows × H; nil for a GRU.
    public let previousCell: UnsafePointer<Float>?, nextCell: UnsafePointer<Float>?

    /// State vector `s` of the cell before the step (0: h, 1: an LSTM's c).
    public func previousState(_ s: Int) -> UnsafePointer<Float> {
        s == 0 ? previous : previousCell!
    }
}

/// Runs sequences through the float engine that training and inference use, a window of
/// steps at a time, showing every step to an observer.
///
/// The state is carried from one window to the next, so a caller can stop between windows
/// (to report progress, or because it was asked to) at the cost of one call per window.
public final class ObservedRun {
    private let model: GRUClassifier
    private let sequences: [[Float]]
    private let engine: GRUEngine
    private let parameters: [Float]
    /// Caller's indices in packed order, and their lengths.
    private let order: [Int], lengths: [Int]
    private var batch = PackedBatch()
    private let state = Scratch()
    /// Steps done so far, the same for every sequence still running.
    public private(set) var position = 0

    /// A run over `sequences[indices]` (flat, steps × the model's features).
    public init(model: GRUClassifier, sequences: [[Float]], indices: some Collection<Int>) {
        self.model = model
        self.sequences = sequences
        engine = GRUEngine(layout: model.layout)
        parameters = model.flatParameters
        (order, lengths) = PackedBatch.longestFirst(sequences, indices: indices, features: model.inputSize)
        state.zeroed(max(engine.carriedStateCount(rows: order.count), 1))
        parameters.withUnsafeBufferPointer { engine.prepare(parameters: $0.baseAddress!) }
    }

    /// The longest sequence's length: the run is over when `position` reaches it.
    public var steps: Int { lengths.first ?? 0 }

    /// Rows with a step at `position` or later.
    public var isFinished: Bool { position >= steps }

    /// Runs the next `count` steps of every sequence that has them, handing each step to `visit`;
    /// returns the number of sequence steps run.
    @discardableResult
    public func advance(_ count: Int, visit: (GRUStepView) -> Void) -> Int {
        guard !isFinished, count > 0 else { return 0 }
        let start = position
        let windowLengths = lengths.map { min(count, max(0, $0 - start)) }
        batch.pack(windowsOf: sequences, order: order, starts: [Int](repeating: start, count: order.count),
                   lengths: windowLengths, features: model.inputSize, standardization: model.standardization)
        let carried = UnsafePointer(state.pointer)
        parameters.withUnsafeBufferPointer { p in
            withoutActuallyEscaping(visit) { visit in
                engine.forward(batch, parameters: p.baseAddress!, training: false, initialState: carried, observe: visit)
            }
        }
        // Inference updates one state row per sequence and layer in place and leaves finished rows alone.
        engine.copyCarriedState(rows: order.count, to: state.pointer)
        position = start + count
        return windowLengths.reduce(0, +)
    }
}
