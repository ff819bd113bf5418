/// A batch of variable-length sequences, sorted by length (longest first) and laid out time-major.
///
/// Sorting means that at step t exactly the first `active[t]` rows are still running,
/// so every step is one dense matrix product over a prefix of the rows, and finished
/// sequences are simply left alone: padding never reaches the hidden state.
public struct PackedBatch {
    /// Number of sequences.
    public var count = 0
    /// Longest length in the batch.
    public var steps = 0
    /// Lengths in packed (sorted) order.
    public var lengths: [Int] = []
    /// `order[row]` is the caller's index of the sequence in packed row `row`.
    public var order: [Int] = []
    /// `active[t]` rows have a step t; `active[steps] == 0`.
    public var active: [Int] = []
    /// Inputs, steps × count × features, zero beyond each length.
    public let inputs = Scratch()

    public init() {}

    /// Packs `sequences[indices]`, standardising on the way when asked.
    public mutating func pack(
        _ sequences: [[Float]], indices: some Collection<Int>, features: Int, standardization: Standardization?
    ) {
        let (order, lengths) = Self.longestFirst(sequences, indices: indices, features: features)
        pack(windowsOf: sequences, order: order, starts: [Int](repeating: 0, count: order.count), lengths: lengths,
             features: features, standardization: standardization)
    }

    /// `indices` sorted by length, longest first (ties in their given order), and those lengths.
    static func longestFirst(_ sequences: [[Float]], indices: some Collection<Int>, features: Int) -> (order: [Int], lengths: [Int]) {
        let sourceLengths = indices.map { sequences[$0].count / features }
        let rowsByLength = sourceLengths.indices.sorted {
            sourceLengths[$0] != sourceLengths[$1] ? sourceLengths[$0] > sourceLengths[$1] : $0 < $1
        }
        let indexArray = Array(indices)
        return (rowsByLength.map { indexArray[$0] }, rowsByLength.map { sourceLengths[$0] })
    }

    /// Packs steps `starts[row] ..< starts[row] + lengths[row]` of `sequences[order[row]]` as row
    /// `row`. `lengths` must not increase along the rows, so the rows still running stay a prefix.
    mutating func pack(windowsOf sequences: [[Float]], order: [Int], starts: [Int], lengths: [Int], features: Int,
                       standardization: Standardization?) {
        precondition(zip(lengths, lengths.dropFirst()).allSatisfy { $0 >= $1 }, "PackedBatch: window lengths must not increase")
        self.order = order
        self.lengths = lengths
        count = order.count
        steps = lengths.first ?? 0
        active = [Int](repeating: 0, count: steps + 1)
        var row = count
        for t in 0..<steps {
            while row > 0 && lengths[row - 1] <= t { row -= 1 }
            active[t] = row
        }
        let x = inputs.zeroed(max(steps * count * features, 1))
        let stride = count * features
        for (rowIndex, sequenceIndex) in order.enumerated() {
            sequences[sequenceIndex].withUnsafeBufferPointer { source in
                guard lengths[rowIndex] > 0, let s = source.baseAddress.map({ $0 + starts[rowIndex] * features }) else { return }
                for t in 0..<lengths[rowIndex] {
                    let dst = x + t * stride + rowIndex * features
                    let src = s + t * features
                    if let st = standardization {
                        for f in 0..<features { dst[f] = (src[f] - st.mean[f]) / st.scale[f] }
                    } else {
                        dst.update(from: src, count: features)
                    }
                }
            }
        }
    }
}
