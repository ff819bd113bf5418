import GRU
import Quantization
import Search

/// Every speed figure `bench` prints, from the libraries' own benchmarks and the
/// application's (a real search, a real training epoch), under one flat set of keys.
public enum ApplicationBenchmark {
    /// `quick` runs fewer trials on fewer sequences, for a smoke test.
    public static func run(quick: Bool) -> [String: Double] {
        var figures = GRUBenchmark.run(quick: quick)
        figures.merge(integer(quick: quick)) { _, new in new }
        for (key, value) in SearchBenchmark.run(generations: quick ? 60 : 500, repeats: quick ? 2 : 5) {
            figures["search_" + key] = value
        }
        figures.merge(EvolveBenchmark.run(quick: quick)) { _, new in new }
        figures.merge(GenerationCostBenchmark.run(quick: quick)) { _, new in new }
        figures.merge(TaskTrainingBenchmark.run(quick: quick)) { _, new in new }
        return figures
    }

    /// The integer engine's figures alone (`bench integer`), keyed `quant_…` as in `run`, the
    /// same for a stack of two layers, keyed `quant_2_layers_…`, and for one LSTM layer, keyed `quant_lstm_…`.
    public static func integer(quick: Bool) -> [String: Double] {
        var figures: [String: Double] = [:]
        for (layers, cell) in [(1, CellKind.gru), (2, .gru), (1, .lstm)] {
            let quant = QuantizationBenchmark.run(sequences: quick ? 200 : 1000, layers: layers, cell: cell, repeats: quick ? 2 : 7)
            let prefix = cell == .lstm ? "quant_lstm_" : layers == 1 ? "quant_" : "quant_\(layers)_layers_"
            for (key, value) in quant where !["steps", "features", "hidden", "layers"].contains(key) {
                figures[prefix + key] = value
            }
        }
        return figures
    }
}
