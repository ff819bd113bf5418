/// Bounds-checked fixed-width reads from a byte array: every read of untrusted
/// input goes through here, so a short file becomes nil, never a crash.
struct ByteView {
    /// The element count of `shape` times `itemSize` bytes, or nil when a corrupt header makes it overflow.
    static func byteCount(shape: [Int], itemSize: Int) -> Int? {
        var total = itemSize
        for dimension in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow || dimension < 0 { return nil }
            total = product
        }
        return total
    }

    let bytes: [UInt8]

    var count: Int { bytes.count }

    func littleEndian(at offset: Int, width: Int) -> UInt64? {
        guard offset >= 0, width <= 8, offset <= bytes.count - width else { return nil }
        var value: UInt64 = 0
        for index in stride(from: width - 1, through: 0, by: -1) {
            value = value << 8 | UInt64(bytes[offset + index])
        }
        return value
    }

    func bigEndian(at offset: Int, width: Int) -> UInt64? {
        guard offset >= 0, width <= 8, offset <= bytes.count - width else { return nil }
        var value: UInt64 = 0
        for index in 0 ..< width { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    func u16(_ offset: Int) -> Int? { littleEndian(at: offset, width: 2).map { Int($0) } }
    func u32(_ offset: Int) -> Int? { littleEndian(at: offset, width: 4).map { Int($0) } }
    func u64(_ offset: Int) -> Int? {
        littleEndian(at: offset, width: 8).flatMap { $0 <= UInt64(Int.max) ? Int($0) : nil }
    }

    func slice(_ offset: Int, _ length: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, length >= 0, offset <= bytes.count - length else { return nil }
        return bytes[offset ..< offset + length]
    }
}
