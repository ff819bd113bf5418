/// Per-feature affine input normalisation `x' = (x − mean) / scale`, owned by the model.
public struct Standardization: Sendable, Equatable {
    /// One mean per input feature.
    public var mean: [Float]
    /// One scale (standard deviation) per input feature.
    public var scale: [Float]

    /// A standardisation with the given per-feature mean and scale (same length).
    public init(mean: [Float], scale: [Float]) {
        precondition(mean.count == scale.count, "Standardization: \(mean.count) means but \(scale.count) scales")
        self.mean = mean
        self.scale = scale
    }

    /// Mean and standard deviation of each feature over all steps of all sequences
    /// (each sequence flat, steps × featureCount). A feature that is constant in training
    /// gets scale 1, not a tiny one: any later value it takes is then shifted, never
    /// multiplied by millions.
    public static func fit(sequences: [[Float]], featureCount: Int) -> Standardization {
        precondition(featureCount > 0, "Standardization.fit: featureCount must be positive")
        // Double sums: thousands of steps of pixel-sized values lose digits in Float.
        var sum = [Double](repeating: 0, count: featureCount)
        var sumSquares = [Double](repeating: 0, count: featureCount)
        var steps = 0
        for sequence in sequences {
            let count = sequence.count / featureCount
            for t in 0..<count {
                for f in 0..<featureCount {
                    let v = Double(sequence[t * featureCount + f])
                    sum[f] += v
                    sumSquares[f] += v * v
                }
            }
            steps += count
        }
        guard steps > 0 else {
            return Standardization(mean: [Float](repeating: 0, count: featureCount),
                                   scale: [Float](repeating: 1, count: featureCount))
        }
        let n = Double(steps)
        var mean = [Float](repeating: 0, count: featureCount)
        var scale = [Float](repeating: 1, count: featureCount)
        for f in 0..<featureCount {
            let m = sum[f] / n
            let variance = max(0, sumSquares[f] / n - m * m)
            mean[f] = Float(m)
            let deviation = Float(variance.squareRoot())
            scale[f] = deviation > 1e-6 ? deviation : 1
        }
        return Standardization(mean: mean, scale: scale)
    }

    /// Applies the standardisation to one flat sequence (steps × featureCount).
    public func apply(to sequence: [Float]) -> [Float] {
        let features = mean.count
        var out = sequence
        for i in out.indices {
            let f = i % features
            out[i] = (out[i] - mean[f]) / scale[f]
        }
        return out
    }
}
