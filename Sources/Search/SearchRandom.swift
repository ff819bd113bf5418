import Randomness

/// The random draws of one generation.
///
/// Each generation gets its own stream of the user's seed, so the random state
/// to checkpoint is just the generation number, and resuming at generation g
/// draws exactly what the uninterrupted run drew. Bounded integers and unit
/// doubles are computed here rather than by the standard library so that the
/// numbers never depend on its implementation.
struct SearchRandom {
    private var generator: SeededGenerator

    init(seed: UInt64, generation: Int) {
        generator = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: generation))
    }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func unit() -> Double {
        Double(generator.next() >> 11) * 0x1p-53
    }

    /// Uniform in 0 ..< bound without modulo bias (Lemire's multiply-and-reject).
    mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "index(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = generator.next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = generator.next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A uniformly random permutation of 0 ..< count (Fisher–Yates).
    mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0 ..< count)
        var i = count - 1
        while i > 0 {
            let j = index(below: i + 1)
            result.swapAt(i, j)
            i -= 1
        }
        return result
    }
}
