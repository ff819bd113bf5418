import Quantization
import Search

/// One width's outcome in a `sweep`.
public struct SweepPoint: Sendable, Equatable {
    public var bits: Int
    public var accuracy: SplitAccuracy
    public var size: Int
    public var sizeRatio: Double
}

/// A sweep: some operators varied over widths with the rest fixed, for `plot sweep`.
public struct SweepResult: Sendable, Equatable {
    public var pattern: String
    public var base: BitWidths
    public var points: [SweepPoint]
    public var floatAccuracy: Double
    /// The widths asked for; more than `points` when the sweep was stopped.
    public var requestedWidths: [Int]

    public var isComplete: Bool { points.count == requestedWidths.count }
}

extension Workspace {
    /// Sets the operators `pattern` matches to each width in turn, the others as they are,
    /// and measures each; the current bits stay unchanged. `shouldStop` ends it after the
    /// width under way, keeping those done. The result is also kept for `plot sweep`.
    public func sweep(_ pattern: String, widths: [Int], onPoint: (SweepPoint, _ done: Int) -> Void = { _, _ in }) throws -> SweepResult {
        _ = try quantizationInputs()  // a task, a model that fits it, a calibration
        _ = try BitWidths.resolve(pattern, in: bits.network)
        let floatValidation = try floatAccuracy().validation
        let base = bits
        var points: [SweepPoint] = []
        if let partition, partition.count > 1 {
            // Over MPI ranks: each rank measures its share of the widths, all ranks get all
            // points (in order, so the result is the one-process result); no Ctrl-C here.
            let configurations = try widths.map { width -> BitWidths in
                var configuration = base
                try configuration.set(pattern, to: width)
                return configuration
            }
            let measured = try partition.share(configurations) { slice in
                try slice.map { configuration in
                    let score = try evaluate(configuration)
                    return [score.accuracy.validation, score.accuracy.test, Double(score.size), score.sizeRatio]
                }
            }
            for (width, values) in zip(widths, measured) {
                let point = SweepPoint(bits: width, accuracy: SplitAccuracy(validation: values[0], test: values[1]),
                                       size: Int(values[2]), sizeRatio: values[3])
                points.append(point)
                onPoint(point, points.count)
            }
        } else {
            for width in widths {
                var configuration = base
                try configuration.set(pattern, to: width)
                let score = try evaluate(configuration)
                let point = SweepPoint(bits: width, accuracy: score.accuracy, size: score.size, sizeRatio: score.sizeRatio)
                points.append(point)
                onPoint(point, points.count)
                if shouldStop() { break }
            }
        }
        let result = SweepResult(pattern: pattern, base: base, points: points, floatAccuracy: floatValidation, requestedWidths: widths)
        lastSweep = result
        return result
    }
}
