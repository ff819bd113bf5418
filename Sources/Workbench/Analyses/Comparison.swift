import Search

/// Mixed against homogeneous precision, as `compare` reports it: hypervolumes, and the
/// smallest configurations within a tolerance of homogeneous 8-bit's validation accuracy.
public struct Comparison: Sendable {
    /// One configuration's size and validation accuracy.
    public struct Pick: Sendable, Equatable {
        public var size: Double
        public var accuracy: Double
    }

    /// Why no size comparison could be made.
    public enum Limitation: Sendable, Equatable {
        case noEightBit
        case sizeNotMinimised
    }

    public var hypervolume: Double
    public var homogeneousHypervolume: Double
    /// How far below 8-bit accuracy a pick may be (0.005 = half a point).
    public var tolerance: Double
    public var limitation: Limitation?
    public var eightBit: Pick?
    /// The smallest homogeneous configuration below 8 bits within the tolerance.
    public var smallestHomogeneous: (bits: Int, pick: Pick)?
    /// The smallest mixed configuration (at least two widths) of the front within the tolerance.
    public var best: (position: Int, pick: Pick)?

    /// The pick's size reduction against 8-bit (0 when there is none).
    public var sizeReduction: Double {
        guard let best, let eightBit, eightBit.size > 0 else { return 0 }
        return 1 - best.pick.size / eightBit.size
    }

    /// The 0.5-point rule of the paper's comparison.
    public static let defaultTolerance = 0.005
}

extension QuantizationSearch {
    /// Compares the front with homogeneous precision on validation accuracy.
    public func comparison(tolerance: Double = Comparison.defaultTolerance) -> Comparison {
        var result = Comparison(hypervolume: hypervolume, homogeneousHypervolume: homogeneousHypervolume, tolerance: tolerance)
        guard let eight = homogeneous.first(where: { $0.bits == 8 }) else {
            result.limitation = .noEightBit
            return result
        }
        guard let sizeIndex = problem.index(of: .size) else {
            result.limitation = .sizeNotMinimised
            return result
        }
        func pick(_ values: [Double]) -> Comparison.Pick {
            Comparison.Pick(size: values[sizeIndex], accuracy: problem.accuracy(values))
        }
        result.eightBit = pick(eight.objectives)
        let target = problem.accuracy(eight.objectives) - tolerance
        if let smallest = homogeneous.filter({ problem.accuracy($0.objectives) >= target }).min(by: { $0.objectives[sizeIndex] < $1.objectives[sizeIndex] }),
           smallest.bits < 8 {
            result.smallestHomogeneous = (smallest.bits, pick(smallest.objectives))
        }
        let front = self.front
        // Mixed means at least two different widths; homogeneous points are compared above.
        let candidates = front.enumerated().filter { problem.accuracy($0.element.objectives) >= target && Set($0.element.genome).count > 1 }
        if let best = candidates.min(by: { $0.element.objectives[sizeIndex] < $1.element.objectives[sizeIndex] }) {
            result.best = (best.offset + 1, pick(best.element.objectives))
        }
        return result
    }
}
