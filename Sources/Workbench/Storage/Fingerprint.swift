import GRU

/// FNV-1a over integers: a stable fingerprint of weights, data and settings, the same
/// on every run and machine (unlike `hashValue`), for cache keys and checkpoint checks.
public struct Fingerprint {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add<T: FixedWidthInteger>(_ value: T) {
        var v = UInt64(truncatingIfNeeded: value)
        for _ in 0..<MemoryLayout<T>.size {
            state ^= v & 0xff
            state = state &* 0x0000_0100_0000_01B3
            v >>= 8
        }
    }

    public mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte) }
    }

    public mutating func add(_ values: [Float]) {
        for value in values { add(value.bitPattern) }
    }

    /// Every weight and bias of `model` (not its standardisation).
    public mutating func add(weightsOf model: GRUClassifier) {
        // Layer by layer, then the head: a single layer hashes as it always has.
        for layer in model.layers { for tensor in [layer.weightIH, layer.weightHH, layer.biasIH, layer.biasHH] { add(tensor) } }
        add(model.fcWeight)
        add(model.fcBias)
    }

    /// Sixteen hex digits.
    public var hex: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
