import CZlib
import Foundation
import MemoryLimits

/// Why a deflate, zlib or gzip stream could not be inflated.
public enum InflateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stream is damaged; zlib's own explanation (e.g. "incorrect header check").
    case corrupt(String)
    /// The input ended before the stream did.
    case truncated
    /// The stream inflated cleanly but to a different size than its container promised.
    case sizeMismatch(expected: Int, actual: Int)
    /// The stream inflates past `limit` bytes (a decompression bomb, or data larger than allowed).
    case tooLarge(limit: Int, what: String)

    public var description: String {
        switch self {
        case .corrupt(let why): return "corrupt compressed data (\(why))"
        case .truncated: return "compressed data ends early (truncated file?)"
        case .sizeMismatch(let expected, let actual):
            return "compressed data inflates to \(actual) bytes, expected \(expected)"
        case .tooLarge(let limit, let what):
            return "compressed data inflates past \(limit) bytes, \(what)"
        }
    }
}

/// True when `data` starts with the gzip magic bytes, so callers can accept
/// `.gz` files whatever they are named.
public func isGzip(_ data: Data) -> Bool {
    data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
}

/// How many bytes a compressed file may inflate to: a bound on what a small hostile file
/// (a "decompression bomb") can make gq allocate.
public struct DecompressionLimit: Sendable, Equatable {
    public var bytes: Int
    /// The words after "inflates past N bytes, ": whose limit it is and how to raise it.
    public var what: String

    public init(bytes: Int, what: String = DecompressionLimit.advice) {
        self.bytes = bytes
        self.what = what
    }

    /// The most any file inflates to unless `GQ_MAX_DECOMPRESSED` says otherwise.
    public static let ceiling = 1 << 30

    /// The words of an error past the ceiling or the setting, saying how to raise it.
    public static let advice = "the limit for a decompressed file; set GQ_MAX_DECOMPRESSED=BYTES (e.g. 4G) to allow more"

    /// `GQ_MAX_DECOMPRESSED` (bytes, or with a K, M or G suffix) when set; otherwise 1 GiB or
    /// a quarter of what `memory` lets gq take, whichever is less. A quarter, because the
    /// inflated bytes are held twice while the buffer grows and is handed over, and the
    /// loader's numbers are built beside them. Read per file: what gq holds changes.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment,
                               memory: @autoclosure () -> MemoryLimit = .current()) -> DecompressionLimit {
        if let setting = ByteCount.parse(environment["GQ_MAX_DECOMPRESSED"]) { return DecompressionLimit(bytes: setting) }
        let memory = memory()
        let share = memory.bytes / 4
        guard share < ceiling else { return DecompressionLimit(bytes: ceiling) }
        return DecompressionLimit(bytes: share, what: "a quarter of what gq may take under \(memory.explanation); "
                                      + "\(memory.source.advice), or set GQ_MAX_DECOMPRESSED=BYTES to allow more")
    }
}

/// Inflates a gzip (or zlib) stream; concatenated gzip members are joined, as `gzip -d` does.
/// Past `limit` it stops with `.tooLarge`.
public func gunzip(_ data: Data, limit: DecompressionLimit = .current()) throws(InflateError) -> Data {
    // 15 + 32: maximum window, and let zlib detect a gzip or zlib header itself.
    try inflateStream(data, windowBits: 15 + 32, expectedSize: nil, allowMembers: true, limit: limit, prefixOnly: false)
}

/// Inflates a raw deflate stream (no header), as stored in zip members; past `limit` it
/// stops with `.tooLarge`.
public func inflateRaw(_ data: Data, expectedSize: Int? = nil, limit: DecompressionLimit = .current()) throws(InflateError) -> Data {
    try inflateStream(data, windowBits: -15, expectedSize: expectedSize, allowMembers: false, limit: limit, prefixOnly: false)
}

/// The first `count` bytes a raw deflate stream inflates to (fewer when it is shorter), so
/// a header can be read before the whole member is inflated.
public func inflateRawPrefix(_ data: Data, count: Int) throws(InflateError) -> Data {
    try inflateStream(data, windowBits: -15, expectedSize: nil, allowMembers: false, limit: DecompressionLimit(bytes: count), prefixOnly: true)
}

private func inflateStream(_ data: Data, windowBits: Int32, expectedSize: Int?, allowMembers: Bool,
                           limit bound: DecompressionLimit, prefixOnly: Bool) throws(InflateError) -> Data {
    let limit = bound.bytes, what = bound.what
    let input = [UInt8](data)
    // A container's size claim is untrusted: start from it only up to 64 MiB and grow past
    // that, never beyond one byte over the limit (the byte that proves the limit is passed).
    let ceiling = limit == Int.max ? limit : limit + 1
    let guess = min(expectedSize ?? input.count * 4, 1 << 26, ceiling)
    var output = [UInt8](repeating: 0, count: min(max(guess, 256), ceiling))
    var produced = 0
    var stream = z_stream()
    let result: Result<Int, InflateError> = input.withUnsafeBufferPointer { inBuffer in
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .failure(.corrupt("zlib could not start"))
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
        stream.avail_in = UInt32(inBuffer.count)
        while true {
            if produced >= limit, prefixOnly { return .success(limit) }
            if produced == output.count {
                if produced >= ceiling { return .failure(.tooLarge(limit: limit, what: what)) }
                output.append(contentsOf: repeatElement(0, count: min(output.count, ceiling - output.count)))
            }
            let code: Int32 = output.withUnsafeMutableBufferPointer { outBuffer in
                let room = min(outBuffer.count - produced, Int(UInt32.max))
                stream.next_out = outBuffer.baseAddress.map { $0 + produced }
                stream.avail_out = UInt32(room)
                let code = inflate(&stream, Z_NO_FLUSH)
                produced += room - Int(stream.avail_out)
                return code
            }
            switch code {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let remaining = Int(stream.avail_in)
                if remaining == 0 { return .success(produced) }
                let rest = inBuffer[(inBuffer.count - remaining)...]
                if allowMembers, rest.count >= 2, rest[rest.startIndex] == 0x1F, rest[rest.startIndex + 1] == 0x8B {
                    inflateReset(&stream)
                    continue
                }
                // Some tools pad archives with zero bytes; anything else is not ours to ignore.
                if allowMembers, rest.allSatisfy({ $0 == 0 }) { return .success(produced) }
                return .failure(.corrupt("\(remaining) unexpected bytes after the end of the stream"))
            case Z_BUF_ERROR:
                // No progress possible: either the output is full (grow it) or the input ran out.
                if stream.avail_out == 0 { continue }
                return .failure(.truncated)
            case Z_NEED_DICT:
                return .failure(.corrupt("stream needs a preset dictionary"))
            case Z_MEM_ERROR:
                return .failure(.corrupt("out of memory"))
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(code)"
                return .failure(.corrupt(message))
            }
        }
    }
    switch result {
    case .failure(let error): throw error
    case .success(let count):
        if !prefixOnly, count > limit { throw .tooLarge(limit: limit, what: what) }
        if !prefixOnly, let expectedSize, expectedSize != count {
            throw .sizeMismatch(expected: expectedSize, actual: count)
        }
        return Data(output[0 ..< (prefixOnly ? min(count, limit) : count)])
    }
}
