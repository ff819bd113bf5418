import FileWriting
import Foundation

/// Reading and writing the safetensors format (Hugging Face): 8-byte little-endian header
/// length, a JSON header of dtype/shape/data_offsets (plus an optional `__metadata__`
/// string map), then raw little-endian tensor data.
public enum SafeTensors {
    /// One tensor as floats, row-major.
    public struct Tensor: Sendable, Equatable {
        /// Dimensions, outermost first.
        public var shape: [Int]
        /// Row-major values; `values.count` is the product of `shape`.
        public var values: [Float]

        /// A tensor of the given shape; the value count must match.
        public init(shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "SafeTensors.Tensor: \(values.count) values for shape \(shape)")
            self.shape = shape
            self.values = values
        }
    }

    /// The contents of a safetensors file: named tensors and free-form metadata.
    public struct Archive: Sendable, Equatable {
        /// Tensors by name.
        public var tensors: [String: Tensor]
        /// The `__metadata__` string map (empty when absent).
        public var metadata: [String: String]

        /// An archive of the given tensors and metadata.
        public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// Reads a file; F64, F16 and BF16 tensors are converted to Float.
    public static func read(contentsOf url: URL) throws -> Archive {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SafeTensorsError.unreadable(file: url.path, reason: Self.reason(error))
        }
        return try decode(data, file: url.path)
    }

    /// Reads only the `__metadata__` map of a file.
    public static func metadata(contentsOf url: URL) throws -> [String: String] {
        try read(contentsOf: url).metadata
    }

    /// What `torch.save` writes: a zip archive whose first member is a pickle (`…/data.pkl`,
    /// since PyTorch 1.6), or a bare pickle (protocol 2–5), where a safetensors file would
    /// have its JSON header's `{` after 8 bytes.
    public static func isPickle(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2, bytes.count < 9 || bytes[8] != UInt8(ascii: "{") else { return false }
        if isZip(bytes) {
            // The local header's name: length at offset 26, the name from offset 30.
            guard bytes.count >= 30 else { return false }
            let length = Int(bytes[26]) | Int(bytes[27]) << 8
            guard bytes.count >= 30 + length else { return false }
            return String(decoding: bytes[30 ..< 30 + length], as: UTF8.self).hasSuffix(".pkl")
        }
        return bytes[0] == 0x80 && (2 ... 5).contains(bytes[1])
    }

    static func isZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0 ..< 4] == [0x50, 0x4B, 0x03, 0x04]
    }

    /// Parses safetensors bytes; `file` names the source in error messages.
    public static func decode(_ data: Data, file: String) throws -> Archive {
        let bytes = [UInt8](data)
        if isPickle(bytes) { throw SafeTensorsError.pickle(file: file) }
        if isZip(bytes), bytes.count < 9 || bytes[8] != UInt8(ascii: "{") {
            throw SafeTensorsError.malformedHeader(file: file, reason: "this is a zip archive (an .npz or .keras file?), not a safetensors file")
        }
        guard bytes.count >= 8 else { throw SafeTensorsError.truncated(file: file, size: bytes.count) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.headerLengthPastEnd(file: file, headerLength: headerLength, fileSize: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = bytes.count - dataStart
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]), options: [])
        } catch {
            throw SafeTensorsError.malformedHeader(file: file, reason: "not valid JSON (\(Self.reason(error)))")
        }
        guard let header = json as? [String: Any] else {
            throw SafeTensorsError.malformedHeader(file: file, reason: "the header is not a JSON object")
        }
        var archive = Archive()
        var extents: [(name: String, begin: Int, end: Int)] = []
        for (name, entry) in header {
            if name == "__metadata__" {
                guard let map = entry as? [String: Any] else {
                    throw SafeTensorsError.malformedHeader(file: file, reason: "__metadata__ is not an object of strings")
                }
                for (key, value) in map {
                    guard let string = value as? String else {
                        throw SafeTensorsError.malformedHeader(file: file, reason: "__metadata__ value for '\(key)' is not a string")
                    }
                    archive.metadata[key] = string
                }
                continue
            }
            guard let info = entry as? [String: Any],
                  let dtype = info["dtype"] as? String,
                  let shapeValues = info["shape"] as? [Any],
                  let offsetValues = info["data_offsets"] as? [Any], offsetValues.count == 2
            else {
                throw SafeTensorsError.malformedHeader(file: file, reason: "tensor '\(name)' needs dtype, shape and two data_offsets")
            }
            guard let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }),
                  let offsets = integers(offsetValues)
            else {
                throw SafeTensorsError.malformedHeader(file: file, reason: "tensor '\(name)' has a non-integer shape or data_offsets")
            }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F64": width = 8
            case "F16", "BF16": width = 2
            default: throw SafeTensorsError.wrongDType(file: file, tensor: name, dtype: dtype)
            }
            // Checked products: a hostile shape must not wrap around to a small size.
            var count = 1
            var overflow = false
            for d in shape + [width] {
                let (product, o) = count.multipliedReportingOverflow(by: d)
                count = product
                overflow = overflow || o
            }
            count = overflow ? -1 : count / width
            let (begin, end) = (offsets[0], offsets[1])
            guard !overflow, begin >= 0, end >= begin, end <= dataSize, end - begin == count * width else {
                throw SafeTensorsError.offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, dataSize: dataSize)
            }
            extents.append((name, begin, end))
            let base = dataStart + begin
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let p = base + i * width
                switch dtype {
                case "F32":
                    values[i] = Float(bitPattern: littleEndian32(bytes, p))
                case "F64":
                    let bits = UInt64(littleEndian32(bytes, p)) | UInt64(littleEndian32(bytes, p + 4)) << 32
                    values[i] = Float(Double(bitPattern: bits))
                case "F16":
                    values[i] = halfToFloat(UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8)
                default: // BF16 is the top half of an F32.
                    values[i] = Float(bitPattern: (UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8) << 16)
                }
            }
            archive.tensors[name] = Tensor(shape: shape, values: values)
        }
        // Two tensors sharing bytes is how a crafted file makes one weight alias another;
        // the format gives each tensor its own range.
        let ordered = extents.filter { $0.end > $0.begin }.sorted { ($0.begin, $0.name) < ($1.begin, $1.name) }
        for (first, second) in zip(ordered, ordered.dropFirst()) where second.begin < first.end {
            throw SafeTensorsError.overlappingTensors(file: file, first: first.name, second: second.name)
        }
        return archive
    }

    /// The bytes of a safetensors file holding `archive` as F32, tensors in name order.
    public static func encode(_ archive: Archive) -> Data {
        var header = "{"
        var entries: [String] = []
        if !archive.metadata.isEmpty {
            let pairs = archive.metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(archive.metadata[$0] ?? ""))" }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        let names = archive.tensors.keys.sorted()
        for name in names {
            guard let tensor = archive.tensors[name] else { continue }
            let size = tensor.values.count * 4
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        header += entries.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        // The reference implementation pads the header with spaces to 8-byte alignment.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count + offset)
        let length = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        out += headerBytes
        for name in names {
            guard let tensor = archive.tensors[name] else { continue }
            for v in tensor.values {
                let bits = v.bitPattern
                out.append(UInt8(truncatingIfNeeded: bits))
                out.append(UInt8(truncatingIfNeeded: bits >> 8))
                out.append(UInt8(truncatingIfNeeded: bits >> 16))
                out.append(UInt8(truncatingIfNeeded: bits >> 24))
            }
        }
        return Data(out)
    }

    /// Writes `archive` atomically (`FileWriting.replace`): an existing file is either fully
    /// replaced or untouched.
    public static func write(_ archive: Archive, to url: URL) throws {
        do {
            try FileWriting.replace(url.path, with: encode(archive))
        } catch {
            throw SafeTensorsError.writeFailed(file: url.path, reason: error.reason)
        }
    }

    // MARK: - Helpers

    static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            if let n = v as? Int { out.append(n); continue }
            if let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 9e15 {
                out.append(n.intValue); continue
            }
            return nil
        }
        return out
    }

    @inline(__always)
    static func littleEndian32(_ bytes: [UInt8], _ p: Int) -> UInt32 {
        UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
    }

    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = (h & 0x8000) != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The operating system's words for a failed read or write ("No such file or directory",
    /// "Permission denied") rather than Foundation's generic sentence.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: nsError.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
            case .fileWriteNoPermission, .fileReadNoPermission: return String(cString: strerror(EACCES))
            case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
            case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
            default: break
            }
        }
        return nsError.localizedDescription
    }
}
