import CZlib
import Foundation

/// Writes NumPy `.npz` archives (what `numpy.load` reads): each array a `.npy` member
/// of an uncompressed zip, so any NumPy, or anything that reads zip, can open them.
public enum NpzWriter {
    /// One array to write: its name, shape and little-endian values.
    public struct Array: Sendable {
        public var name: String
        public var shape: [Int]
        /// The NumPy type string (`<f4`, `<i4`, `<i8`, `<U12`).
        public var dtype: String
        public var bytes: [UInt8]

        public static func float32(_ name: String, shape: [Int], _ values: [Float]) -> Array {
            Array(name: name, shape: shape, dtype: "<f4", bytes: values.flatMap { littleEndian($0.bitPattern) })
        }

        public static func int32(_ name: String, _ values: [Int32]) -> Array {
            Array(name: name, shape: [values.count], dtype: "<i4", bytes: values.flatMap { littleEndian(UInt32(bitPattern: $0)) })
        }

        public static func int64(_ name: String, _ values: [Int64]) -> Array {
            Array(name: name, shape: [values.count], dtype: "<i8", bytes: values.flatMap { littleEndian(UInt64(bitPattern: $0)) })
        }

        /// Fixed-width UTF-32 strings, as NumPy stores `str` arrays.
        public static func strings(_ name: String, _ values: [String]) -> Array {
            let width = max(1, values.map { $0.unicodeScalars.count }.max() ?? 1)
            var bytes: [UInt8] = []
            for value in values {
                let scalars = value.unicodeScalars.map(\.value)
                for index in 0..<width { bytes += littleEndian(index < scalars.count ? scalars[index] : 0) }
            }
            return Array(name: name, shape: [values.count], dtype: "<U\(width)", bytes: bytes)
        }

        private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
            withUnsafeBytes(of: value.littleEndian) { [UInt8]($0) }
        }

        /// The `.npy` file: magic, version 1.0, the header padded to 64 bytes, then the data.
        var npy: [UInt8] {
            let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
            var header = "{'descr': '\(dtype)', 'fortran_order': False, 'shape': \(shapeText), }"
            let unpadded = 10 + header.utf8.count + 1
            header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
            let length = UInt16(header.utf8.count)
            return [0x93] + Swift.Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Swift.Array(header.utf8) + bytes
        }
    }

    /// The archive's bytes.
    public static func archive(_ arrays: [Array]) -> Data {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff)] }
        func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)] }
        for array in arrays {
            let name = Swift.Array((array.name + ".npy").utf8)
            let body = array.npy
            let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            let offset = UInt32(out.count)
            let common = le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(UInt32(body.count)) + le32(UInt32(body.count)) + le16(name.count) + le16(0)
            out += le32(0x0403_4b50) + common + name + body
            central += le32(0x0201_4b50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let directoryOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(arrays.count) + le16(arrays.count) + le32(UInt32(central.count)) + le32(directoryOffset) + le16(0)
        return Data(out)
    }
}

extension SequenceSet {
    /// The split as NumPy arrays: `X` float32 [N, T, F] zero-padded to the longest
    /// sequence, `lengths` int32 [N], `y` int64 [N], and `class_names`.
    public func npzArrays(classNames: [String]) -> [NpzWriter.Array] {
        let lengths = (0..<count).map { length(of: $0) }
        let steps = lengths.max() ?? 0
        var x = [Float](repeating: 0, count: count * steps * featureCount)
        for (index, sequence) in sequences.enumerated() {
            let start = index * steps * featureCount
            for (offset, value) in sequence.enumerated() { x[start + offset] = value }
        }
        return [
            .float32("X", shape: [count, steps, featureCount], x),
            .int32("lengths", lengths.map { Int32($0) }),
            .int64("y", labels.map { Int64($0) }),
            .strings("class_names", classNames),
        ]
    }
}
