import Foundation
import Testing
import Datasets

/// `gzip.compress(b"hello, gq\n" * 3, mtime=0)` from Python: real compressed (Huffman) blocks.
private let helloGzip: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 215, 81, 72, 47, 228,
                                  202, 192, 194, 2, 0, 110, 49, 16, 17, 30, 0, 0, 0]
private let hello = String(repeating: "hello, gq\n", count: 3)

@Suite("gzip and deflate through zlib")
struct GzipTests {
    @Test("gunzip restores what gzip compressed")
    func roundTrip() throws {
        #expect(try String(decoding: gunzip(Data(helloGzip)), as: UTF8.self) == hello)
        #expect(isGzip(Data(helloGzip)))
        #expect(!isGzip(Data("hello".utf8)))
    }

    @Test("concatenated gzip members inflate to their joined contents, as gzip -d does")
    func members() throws {
        let joined = Data(helloGzip + gzipped(Array("and more\n".utf8)))
        #expect(try String(decoding: gunzip(joined), as: UTF8.self) == hello + "and more\n")
    }

    @Test("output larger than the first guess grows the buffer")
    func largeOutput() throws {
        let big = (0 ..< 300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(try gunzip(Data(gzipped(big))) == Data(big))
    }

    @Test("data that is not a compressed stream is reported as corrupt, with zlib's reason")
    func notCompressed() {
        #expect(throws: InflateError.corrupt("incorrect header check")) { try gunzip(Data("plain text, not gzip".utf8)) }
        #expect(InflateError.corrupt("incorrect header check").description == "corrupt compressed data (incorrect header check)")
    }

    @Test("a damaged checksum is reported as corrupt")
    func badChecksum() {
        var damaged = helloGzip
        damaged[damaged.count - 8] ^= 0xFF  // first CRC byte of the trailer
        #expect(throws: InflateError.corrupt("incorrect data check")) { try gunzip(Data(damaged)) }
    }

    @Test("a stream cut short is reported as truncated")
    func truncated() {
        #expect(throws: InflateError.truncated) { try gunzip(Data(helloGzip.prefix(20))) }
        #expect(throws: InflateError.truncated) { try gunzip(Data()) }
        #expect(InflateError.truncated.description == "compressed data ends early (truncated file?)")
    }

    @Test("bytes after the end of the stream that are not another member are corrupt")
    func trailingGarbage() {
        #expect(throws: InflateError.corrupt("3 unexpected bytes after the end of the stream")) {
            try gunzip(Data(helloGzip + [1, 2, 3]))
        }
    }

    @Test("raw deflate (zip members) inflates and is checked against the promised size")
    func raw() throws {
        // zlib.compressobj(9, DEFLATED, -15) of "abc" * 6
        let deflated = Data([75, 76, 74, 78, 68, 69, 0])
        #expect(try String(decoding: inflateRaw(deflated), as: UTF8.self) == String(repeating: "abc", count: 6))
        #expect(throws: InflateError.sizeMismatch(expected: 5, actual: 18)) { try inflateRaw(deflated, expectedSize: 5) }
        #expect(InflateError.sizeMismatch(expected: 5, actual: 18).description == "compressed data inflates to 18 bytes, expected 5")
    }
}
