/// FNV-1a over integers: a stable fingerprint of the training data for the cache key.
struct Hasher64 {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add<T: FixedWidthInteger>(_ value: T) {
        var v = UInt64(truncatingIfNeeded: value)
        for _ in 0..<MemoryLayout<T>.size {
            state ^= v & 0xff
            state = state &* 0x0000_0100_0000_01B3
            v >>= 8
        }
    }

    var hex: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
