import CZlib
import Foundation

/// A read-only zip archive (what NumPy's `savez` writes): central directory parsed here,
/// deflated members inflated through zlib, zip64 records honoured.
public struct ZipArchive: Sendable {
    /// One member as the central directory describes it.
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// 0 stored, 8 deflated; others are refused when read.
        public var method: Int
        public var flags: Int
        public var compressedSize: Int
        public var uncompressedSize: Int
        public var crc32: UInt32
        public var localHeaderOffset: Int
    }

    /// Members in central-directory order.
    public let entries: [Entry]
    private let view: ByteView
    private let file: String

    /// Parses the archive's directory; `file` names it in errors.
    public init(data: Data, file: String) throws(DatasetError) {
        self.file = file
        view = ByteView(bytes: [UInt8](data))
        entries = try Self.readDirectory(view, file: file)
    }

    /// The names of all members.
    public var names: [String] { entries.map(\.name) }

    /// The first `count` bytes of a member (fewer when it is shorter), inflated no further,
    /// so its header can bound the rest before it is read.
    public func prefix(of name: String, count: Int) throws(DatasetError) -> Data {
        let (entry, stored, place) = try locate(name)
        switch entry.method {
        case 0:
            return Data(stored.prefix(count))
        case 8:
            do { return try inflateRawPrefix(Data(stored), count: count) } catch { throw .compression(place, error) }
        default:
            throw .malformed(place, problem: "compression method \(entry.method) is not supported (only stored and deflate)")
        }
    }

    /// A member's bytes, inflated and checked against its CRC-32. Inflating stops with an
    /// error past `limit`.
    public func contents(of name: String, limit: DecompressionLimit = .current()) throws(DatasetError) -> Data {
        let (entry, stored, place) = try locate(name)
        let contents: Data
        switch entry.method {
        case 0:
            contents = Data(stored)
        case 8:
            do {
                contents = try inflateRaw(Data(stored), expectedSize: entry.uncompressedSize, limit: limit)
            } catch {
                throw .compression(place, error)
            }
        default:
            throw .malformed(place, problem: "compression method \(entry.method) is not supported (only stored and deflate)")
        }
        guard contents.count == entry.uncompressedSize else {
            throw .malformed(place, problem: "member holds \(contents.count) bytes, directory says \(entry.uncompressedSize)")
        }
        let actual = contents.withUnsafeBytes { raw -> UInt32 in
            guard let base = raw.bindMemory(to: Bytef.self).baseAddress else { return 0 }
            return UInt32(CZlib.crc32(0, base, uInt(raw.count)))
        }
        guard actual == entry.crc32 else {
            throw .malformed(place, problem: String(format: "CRC-32 mismatch (stored %08x, computed %08x): corrupt archive", entry.crc32, actual))
        }
        return contents
    }

    /// A member's directory entry and stored (still compressed) bytes.
    private func locate(_ name: String) throws(DatasetError) -> (Entry, ArraySlice<UInt8>, FileLocation) {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw .missingArray(file: file, name: name, present: names)
        }
        let place = FileLocation(file: file, array: name)
        if entry.flags & 1 != 0 { throw .malformed(place, problem: "member is encrypted") }
        guard view.u32(entry.localHeaderOffset) == 0x0403_4B50,
              let nameLength = view.u16(entry.localHeaderOffset + 26),
              let extraLength = view.u16(entry.localHeaderOffset + 28) else {
            throw .malformed(place, problem: "local header missing at offset \(entry.localHeaderOffset) (truncated archive?)")
        }
        let start = entry.localHeaderOffset + 30 + nameLength + extraLength
        guard let stored = view.slice(start, entry.compressedSize) else {
            throw .malformed(place, problem: "member data runs past the end of the archive (truncated archive?)")
        }
        return (entry, stored, place)
    }

    private static func readDirectory(_ view: ByteView, file: String) throws(DatasetError) -> [Entry] {
        let here = FileLocation(file: file)
        // The end record sits in the last 22 + 65535 (maximum comment) bytes.
        var end = -1
        var offset = view.count - 22
        while offset >= max(0, view.count - 22 - 65535) {
            if view.u32(offset) == 0x0605_4B50 { end = offset; break }
            offset -= 1
        }
        guard end >= 0, var total = view.u16(end + 10), var directorySize = view.u32(end + 12),
              var directoryOffset = view.u32(end + 16) else {
            throw .malformed(here, problem: "not a zip archive (no end-of-central-directory record; truncated?)")
        }
        if total == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF,
           view.u32(end - 20) == 0x0706_4B50, let record = view.u64(end - 12) {
            guard view.u32(record) == 0x0606_4B50, let total64 = view.u64(record + 32),
                  let size64 = view.u64(record + 40), let offset64 = view.u64(record + 48) else {
                throw .malformed(here, problem: "zip64 end record is damaged")
            }
            total = total64
            directorySize = size64
            directoryOffset = offset64
        }
        guard view.slice(directoryOffset, directorySize) != nil else {
            throw .malformed(here, problem: "central directory lies past the end of the file (truncated archive?)")
        }
        var entries: [Entry] = []
        var cursor = directoryOffset
        for index in 0 ..< total {
            guard view.u32(cursor) == 0x0201_4B50,
                  let flags = view.u16(cursor + 8), let method = view.u16(cursor + 10),
                  let crc = view.u32(cursor + 16), var compressed = view.u32(cursor + 20),
                  var uncompressed = view.u32(cursor + 24), let nameLength = view.u16(cursor + 28),
                  let extraLength = view.u16(cursor + 30), let commentLength = view.u16(cursor + 32),
                  var local = view.u32(cursor + 42),
                  let nameBytes = view.slice(cursor + 46, nameLength),
                  view.slice(cursor + 46 + nameLength, extraLength + commentLength) != nil else {
                throw .malformed(here, problem: "central directory entry \(index + 1) is damaged")
            }
            // Zip64: fields saturated at 0xFFFFFFFF continue, in order, in extra block 0x0001.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd, let id = view.u16(extra), let size = view.u16(extra + 2) {
                if id == 0x0001 {
                    var field = extra + 4
                    func next() -> Int? { defer { field += 8 }; return field + 8 <= extra + 4 + size ? view.u64(field) : nil }
                    if uncompressed == 0xFFFF_FFFF, let value = next() { uncompressed = value }
                    if compressed == 0xFFFF_FFFF, let value = next() { compressed = value }
                    if local == 0xFFFF_FFFF, let value = next() { local = value }
                }
                extra += 4 + size
            }
            entries.append(Entry(name: String(decoding: nameBytes, as: UTF8.self), method: method, flags: flags,
                                 compressedSize: compressed, uncompressedSize: uncompressed,
                                 crc32: UInt32(crc), localHeaderOffset: local))
            cursor += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }
}
