import GRU
import Quantization

/// How gq's speed scales with the model and the sequences: `bench scaling`.
public enum ScalingBenchmark {
    /// Hidden sizes measured.
    public static let hiddenSizes = [32, 64, 128, 256]
    /// Sequence lengths measured.
    public static let lengths = [28, 100, 400]
    /// Hidden sizes at which a stack of two layers is measured too (keys `l2_h{H}_t{T}_`).
    public static let stackedHiddenSizes = [64, 128]
    /// Hidden sizes at which one LSTM layer is measured too (keys `lstm_h{H}_t{T}_`).
    public static let lstmHiddenSizes = [64, 128]

    /// For every hidden size × length (28 features, 10 classes, one thread): float training
    /// samples per second (batch 64) and float inference, then one configuration's integer
    /// evaluation (all 8 bits, building the model included) and the fake-quant engine on
    /// the same sequences, as sequences per second and multiply-accumulates per second.
    /// Keys are `h{H}_t{T}_` + the figure; work is scaled so each shape takes about as long.
    /// Then the same for two stacked layers at `stackedHiddenSizes`, keyed `l2_h{H}_t{T}_`, and
    /// for one LSTM layer at `lstmHiddenSizes`, keyed `lstm_h{H}_t{T}_` (its integer model on
    /// `DescriptionEngine`, its fake-quant on the described step).
    /// `hidden` and `steps` measure that size or length alone (a single GRU layer at any size;
    /// the stack and the LSTM where the size is one of theirs), so a script can put a peer's
    /// run of the same shape right after gq's.
    /// `shouldStop` is asked before each shape: a run stopped there returns the shapes it
    /// measured, and `stoppedAfter` says how many of how many.
    public static func run(quick: Bool, hidden only: Int? = nil, steps length: Int? = nil,
                           shouldStop: () -> Bool = { false }) -> (figures: [String: Double], stoppedAfter: (done: Int, of: Int)?) {
        var figures: [String: Double] = [:]
        func sizes(_ all: [Int]) -> [Int] { only.map { all.contains($0) ? [$0] : [] } ?? all }
        let lengths = length.map { [$0] } ?? lengths
        let shapes = (only.map { [$0] } ?? hiddenSizes).flatMap { h in lengths.map { (layers: 1, cell: CellKind.gru, hidden: h, steps: $0) } }
            + sizes(stackedHiddenSizes).flatMap { h in lengths.map { (layers: 2, cell: CellKind.gru, hidden: h, steps: $0) } }
            + sizes(lstmHiddenSizes).flatMap { h in lengths.map { (layers: 1, cell: CellKind.lstm, hidden: h, steps: $0) } }
        for (done, (layers, cell, hidden, steps)) in shapes.enumerated() {
            if shouldStop() { return (figures, (done, shapes.count)) }
            let prefix = (cell == .lstm ? "lstm_" : layers == 1 ? "" : "l\(layers)_") + "h\(hidden)_t\(steps)_"
            // Keep each shape to a few seconds: fewer sequences as the work per sequence grows.
            let macs = Double(ParameterLayout(inputSize: 28, hiddenSize: hidden, classCount: 10, layers: layers, cell: cell)
                .multiplyAccumulates(steps: steps))
            let iterations = max(1, min(10, Int(4e8 / (macs * 64 * 3))))
            let float = GRUBenchmark.run(steps: steps, features: 28, hidden: hidden, batch: 64, classes: 10,
                                         repeats: quick ? 1 : 3, iterations: quick ? 1 : iterations, layers: layers, cell: cell)
            figures[prefix + "training_samples_per_second"] = float["training_samples_per_second"]
            figures[prefix + "float_inference_gmacs_per_second"] = float["inference_gmacs_per_second"]
            let count = max(32, min(1000, Int(2e9 / macs))) / (quick ? 4 : 1)
            let integer = QuantizationBenchmark.run(sequences: count, steps: steps, features: 28, hidden: hidden, classes: 10,
                                                    layers: layers, cell: cell, repeats: quick ? 1 : 3, threads: 1)
            let seconds = (integer["evaluation_ms_1_thread"] ?? .nan) / 1000
            figures[prefix + "integer_sequences_per_second"] = Double(count) / seconds
            figures[prefix + "integer_gmacs_per_second"] = Double(count) * macs / seconds / 1e9
            if let fake = integer["fake_quant_ms"] { figures[prefix + "fake_quant_sequences_per_second"] = Double(count) / (fake / 1000) }
        }
        return (figures, nil)
    }
}
