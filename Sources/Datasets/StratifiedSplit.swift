import Randomness

/// Seeded, stratified partitions of sample indices: every class is divided in the
/// same proportions, so a rare class never lands wholly in one split.
public enum StratifiedSplit {
    /// The sub-stream all splits draw from, so that other random uses of the same
    /// user seed (weight initialisation, shuffling) never shift a split.
    static let stream: UInt64 = 0x5350_4C49_54

    /// Partitions `0 ..< labels.count` into parts sized by `fractions` (which sum to 1),
    /// class by class. Each part lists its indices in ascending order. The same labels,
    /// fractions and seed always give the same parts.
    public static func partition(labels: [Int], fractions: [Double], seed: UInt64) -> [[Int]] {
        var generator = SeededGenerator(seed: seed, stream: stream)
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var parts = Array(repeating: [Int](), count: fractions.count)
        for (ordinal, label) in byClass.keys.sorted().enumerated() {
            var members = byClass[label] ?? []
            shuffle(&members, using: &generator)
            var start = 0
            for (part, size) in quotas(total: members.count, fractions: fractions, tieOffset: ordinal).enumerated() {
                parts[part].append(contentsOf: members[start ..< start + size])
                start += size
            }
        }
        return parts.map { $0.sorted() }
    }

    /// Partitions by group (e.g. subject) so that no group appears in two parts;
    /// groups are shuffled, then each goes to the part furthest below its target size.
    public static func partition(groups: [Int], fractions: [Double], seed: UInt64) -> [[Int]] {
        var generator = SeededGenerator(seed: seed, stream: stream)
        var byGroup: [Int: [Int]] = [:]
        for (index, group) in groups.enumerated() { byGroup[group, default: []].append(index) }
        var order = byGroup.keys.sorted()
        shuffle(&order, using: &generator)
        let targets = fractions.map { $0 * Double(groups.count) }
        var parts = Array(repeating: [Int](), count: fractions.count)
        for (position, group) in order.enumerated() {
            // Seed each non-empty part with one group first, so no split is left empty.
            let target: Int
            if position < parts.count, fractions[position] > 0 {
                target = position
            } else {
                target = parts.indices.max { a, b in
                    targets[a] - Double(parts[a].count) < targets[b] - Double(parts[b].count)
                } ?? 0
            }
            parts[target].append(contentsOf: byGroup[group] ?? [])
        }
        return parts.map { $0.sorted() }
    }

    /// Largest-remainder apportionment: sizes that sum to `total`. Equal remainders (validation
    /// and test at 20 % each) take turns class by class, so neither split grows systematically.
    static func quotas(total: Int, fractions: [Double], tieOffset: Int = 0) -> [Int] {
        let exact = fractions.map { $0 * Double(total) }
        var sizes = exact.map { Int($0.rounded(.down)) }
        var left = total - sizes.reduce(0, +)
        let order = exact.indices.sorted { a, b in
            let ra = exact[a] - Double(sizes[a]), rb = exact[b] - Double(sizes[b])
            if abs(ra - rb) > 1e-9 { return ra > rb }
            let n = exact.count
            return (a - tieOffset % n + n) % n < (b - tieOffset % n + n) % n
        }
        var cursor = 0
        while left > 0 {
            sizes[order[cursor % order.count]] += 1
            left -= 1
            cursor += 1
        }
        return sizes
    }

    /// Fisher–Yates with an unbiased bounded draw of our own: the standard library's
    /// `shuffle(using:)` algorithm is not promised to stay the same across Swift releases.
    static func shuffle<T>(_ items: inout [T], using generator: inout SeededGenerator) {
        guard items.count > 1 else { return }
        for index in stride(from: items.count - 1, to: 0, by: -1) {
            let bound = UInt64(index + 1)
            let threshold = (0 &- bound) % bound
            var draw = generator.next()
            while draw < threshold { draw = generator.next() }
            items.swapAt(index, Int(draw % bound))
        }
    }
}
