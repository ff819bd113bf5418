/// Batched logits for arbitrary collections of sequences.
enum GRUInference {
    /// Rows per packed batch: large enough for full-width products, small enough that
    /// the per-step buffers stay in cache.
    static let chunk = 256

    static func logits(model: GRUClassifier, sequences: [[Float]]) -> [Float] {
        let c = model.classCount, f = model.inputSize
        var result = [Float](repeating: 0, count: sequences.count * c)
        guard !sequences.isEmpty else { return result }
        let engine = GRUEngine(layout: model.layout)
        let parameters = model.flatParameters
        // Globally sorted by length so each chunk has little padding.
        let byLength = sequences.indices.sorted {
            sequences[$0].count != sequences[$1].count ? sequences[$0].count > sequences[$1].count : $0 < $1
        }
        var batch = PackedBatch()
        parameters.withUnsafeBufferPointer { pp in
            guard let p = pp.baseAddress else { return }
            engine.prepare(parameters: p)
            var start = 0
            while start < byLength.count {
                let end = min(start + chunk, byLength.count)
                batch.pack(sequences, indices: byLength[start..<end], features: f, standardization: model.standardization)
                engine.forward(batch, parameters: p, training: false)
                let out = engine.logits.pointer
                for (row, index) in batch.order.enumerated() {
                    for k in 0..<c { result[index * c + k] = out[row * c + k] }
                }
                start = end
            }
        }
        return result
    }
}
