import Foundation
import Datasets

/// A scratch folder removed when the test is done.
final class ScratchFolder {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("gq-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `data` to `name` inside the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }
}

/// Checked-in fixtures, found next to this source file until they are a package resource.
func fixturePath(_ name: String) -> String {
    ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures/\(name)")
}

/// CRC-32 (IEEE), for building gzip and zip files by hand.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0 ..< 8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// Deflate "stored" blocks: valid raw deflate with no compression, so tests need no compressor.
func storedDeflate(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var chunks = stride(from: 0, to: bytes.count, by: 65535).map { Array(bytes[$0 ..< min($0 + 65535, bytes.count)]) }
    if chunks.isEmpty { chunks = [[]] }
    for (index, chunk) in chunks.enumerated() {
        out.append(index == chunks.count - 1 ? 1 : 0)
        out += littleEndian(UInt16(chunk.count)) + littleEndian(~UInt16(chunk.count)) + chunk
    }
    return out
}

/// A gzip member holding `bytes` (stored blocks).
func gzipped(_ bytes: [UInt8]) -> [UInt8] {
    [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255] + storedDeflate(bytes) + littleEndian(crc32(bytes)) + littleEndian(UInt32(bytes.count))
}

func gzipped(_ text: String) -> Data { Data(gzipped(Array(text.utf8))) }

/// A zip archive of stored (or, with `deflate`, stored-block "deflated") members, as NumPy's `savez` writes.
func zipArchive(_ members: [(String, [UInt8])], deflate: Bool = false) -> Data {
    var out: [UInt8] = []
    var directory: [UInt8] = []
    for (name, contents) in members {
        let body = deflate ? storedDeflate(contents) : contents
        let nameBytes = Array(name.utf8)
        let offset = UInt32(out.count)
        let method: UInt16 = deflate ? 8 : 0
        let common = littleEndian(UInt16(20)) + littleEndian(UInt16(0)) + littleEndian(method)
            + littleEndian(UInt16(0)) + littleEndian(UInt16(0x21)) + littleEndian(crc32(contents))
            + littleEndian(UInt32(body.count)) + littleEndian(UInt32(contents.count))
            + littleEndian(UInt16(nameBytes.count)) + littleEndian(UInt16(0))
        out += littleEndian(UInt32(0x0403_4B50)) + common + nameBytes + body
        directory += littleEndian(UInt32(0x0201_4B50)) + littleEndian(UInt16(20)) + common
            + littleEndian(UInt16(0)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))
            + littleEndian(UInt32(0)) + littleEndian(offset) + nameBytes
    }
    let directoryOffset = UInt32(out.count)
    out += directory
    out += littleEndian(UInt32(0x0605_4B50)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))
        + littleEndian(UInt16(members.count)) + littleEndian(UInt16(members.count))
        + littleEndian(UInt32(directory.count)) + littleEndian(directoryOffset) + littleEndian(UInt16(0))
    return Data(out)
}

/// `.npy` bytes (format 1.0) for a header type string, shape and raw little-endian data.
func npy(_ descr: String, _ shape: [Int], _ data: [UInt8], fortran: Bool = false) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    return [0x93] + Array("NUMPY".utf8) + [1, 0] + littleEndian(UInt16(header.utf8.count)) + Array(header.utf8) + data
}

func npy(float32 values: [Float], shape: [Int]) -> [UInt8] {
    npy("<f4", shape, values.flatMap { littleEndian($0.bitPattern) })
}

func npy(float64 values: [Double], shape: [Int]) -> [UInt8] {
    npy("<f8", shape, values.flatMap { littleEndian($0.bitPattern) })
}

func npy(int64 values: [Int64], shape: [Int]? = nil) -> [UInt8] {
    npy("<i8", shape ?? [values.count], values.flatMap { littleEndian($0) })
}

func npy(unicode values: [String], width: Int) -> [UInt8] {
    var data: [UInt8] = []
    for value in values {
        let scalars = Array(value.unicodeScalars.map(\.value)) + Array(repeating: 0, count: width - value.unicodeScalars.count)
        data += scalars.flatMap { littleEndian(UInt32($0)) }
    }
    return npy("<U\(width)", [values.count], data)
}

/// An IDX file: magic, big-endian dimensions, unsigned-byte data.
func idx(_ shape: [Int], _ data: [UInt8]) -> [UInt8] {
    [0, 0, 0x08, UInt8(shape.count)] + shape.flatMap { bigEndian(UInt32($0)) } + data
}

/// The message a `DatasetError` prints, or nil when `body` did not throw one.
func datasetErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as DatasetError {
        return error.description
    } catch {
        return "unexpected \(error)"
    }
}
