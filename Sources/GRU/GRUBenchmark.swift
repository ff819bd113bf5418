import Foundation

/// Training and inference throughput of the float network on a synthetic task, for the `benchmark` command.
public enum GRUBenchmark {
    /// The standard shape (T = 28, F = 28, H = 64, batch 64), then the same for a stack of two
    /// such layers (keys ending `_2_layers`) and for one LSTM layer (keys ending `_lstm`);
    /// `quick` runs fewer, shorter trials.
    public static func run(quick: Bool) -> [String: Double] {
        let (repeats, iterations) = quick ? (3, 3) : (5, 20)
        var figures = run(repeats: repeats, iterations: iterations)
        for (layers, cell, suffix) in [(2, CellKind.gru, "_2_layers"), (1, .lstm, "_lstm")] {
            for (key, value) in run(repeats: repeats, iterations: iterations, layers: layers, cell: cell)
            where ["training_samples_per_second", "inference_samples_per_second", "inference_gmacs_per_second"].contains(key) {
                figures[key + suffix] = value
            }
        }
        return figures
    }

    /// Measures training samples/s (forward, BPTT, clipping and Adam on full batches) and
    /// float inference MAC/s (batched logits) for sequences of `steps` × `features`.
    ///
    /// Each figure is the median of `repeats` trials of `iterations` batches; inputs change
    /// between trials so no work can be hoisted out of the timing loop. MACs per sequence
    /// count `steps · (G·(F + H) + (L − 1) · 2GH)` for `layers` layers of `cell` (G = 3H for a GRU,
    /// 4H for an LSTM) plus `H·C` for the head. Keys:
    /// `training_samples_per_second`, `inference_macs_per_second`,
    /// `inference_gmacs_per_second`, `inference_samples_per_second`, and the shape.
    /// Training runs on one thread unless `parallel` (gradient chunks of 32 sequences on
    /// several cores); inference always runs on one thread.
    public static func run(
        steps: Int = 28, features: Int = 28, hidden: Int = 64, batch: Int = 64, classes: Int = 10,
        repeats: Int = 5, iterations: Int = 20, seed: UInt64 = 1, parallel: Bool = false, layers: Int = 1, cell: CellKind = .gru
    ) -> [String: Double] {
        precondition(steps > 0 && features > 0 && hidden > 0 && batch > 0 && classes > 1 && repeats > 0 && iterations > 0,
                     "GRUBenchmark.run: every size must be positive")
        let model = GRUClassifier(inputSize: features, hiddenSize: hidden, classCount: classes, layers: layers, cell: cell, seed: seed)
        let layout = model.layout
        let stepper = TrainingStepper(layout: layout, batchSize: batch, parallel: parallel)
        var parameters = model.flatParameters
        var adam = Adam(count: parameters.count, learningRate: 1e-3)

        func trialData(_ trial: Int) -> (sequences: [[Float]], labels: [Int]) {
            var state = seed &+ UInt64(trial) &* 0x9E37_79B9_7F4A_7C15 | 1
            func next() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24) - 0.5
            }
            let sequences = (0..<batch).map { _ in (0..<(steps * features)).map { _ in next() } }
            return (sequences, (0..<batch).map { ($0 + trial) % classes })
        }

        var trainingRates: [Double] = []
        var inferenceRates: [Double] = []
        var sink: Float = 0
        // One untimed batch of each first: the stepper's and the engine's scratch is allocated
        // and first touched there, which would otherwise land in the first trial.
        do {
            let data = trialData(repeats)
            var gradient = [Float](repeating: 0, count: parameters.count)
            _ = stepper.lossAndGradient(sequences: data.sequences, labels: data.labels, indices: Array(0..<batch),
                                        parameters: parameters, into: &gradient)
            sink += model.logits(data.sequences)[0]
        }
        for trial in 0..<repeats {
            let data = trialData(trial)
            let indices = Array(0..<batch)
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations {
                var gradient = [Float](repeating: 0, count: parameters.count)
                _ = stepper.lossAndGradient(sequences: data.sequences, labels: data.labels, indices: indices,
                                            parameters: parameters, into: &gradient)
                clipGlobalNorm(&gradient, maxNorm: 1)
                adam.update(&parameters, gradient: gradient)
            }
            let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            trainingRates.append(Double(batch * iterations) / trainSeconds)

            var current = model
            current.assign(flat: parameters)
            let inferenceStart = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations {
                sink += current.logits(data.sequences)[0]
            }
            let inferenceSeconds = Double(DispatchTime.now().uptimeNanoseconds - inferenceStart) / 1e9
            inferenceRates.append(Double(batch * iterations) / inferenceSeconds)
        }
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let macsPerSequence = Double(layout.multiplyAccumulates(steps: steps))
        let inferenceSamples = median(inferenceRates)
        return [
            "training_samples_per_second": median(trainingRates),
            "inference_samples_per_second": inferenceSamples,
            "inference_macs_per_second": inferenceSamples * macsPerSequence,
            "inference_gmacs_per_second": inferenceSamples * macsPerSequence / 1e9,
            "steps": Double(steps), "features": Double(features), "hidden": Double(hidden), "batch": Double(batch),
            "checksum": sink.isFinite ? 0 : 1,
        ]
    }
}
