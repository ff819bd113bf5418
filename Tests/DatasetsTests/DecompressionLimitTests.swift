import Datasets
import Foundation
import MemoryLimits
import Testing

/// A small file must not make gq allocate gigabytes (issue 12, item 5).
@Suite("Decompression bombs stop at a stated, settable limit")
struct DecompressionLimitTests {
    @Test("a gzip stream that inflates past the limit stops there, naming the limit and how to raise it")
    func gzipPastLimit() {
        let data = Data(gzipped([UInt8](repeating: 0x41, count: 5000)))
        #expect(throws: InflateError.tooLarge(limit: 4096, what: DecompressionLimit.advice)) { try gunzip(data, limit: DecompressionLimit(bytes: 4096)) }
        #expect(InflateError.tooLarge(limit: 4096, what: DecompressionLimit.advice).description
            == "compressed data inflates past 4096 bytes, the limit for a decompressed file; set GQ_MAX_DECOMPRESSED=BYTES (e.g. 4G) to allow more")
    }

    @Test("the bound is 1 GiB or a quarter of what the memory limit leaves, whichever is less, naming that limit; GQ_MAX_DECOMPRESSED overrides both")
    func boundFromMemoryLimit() {
        let roomy = MemoryLimit(source: .physicalMemory, limit: 64 << 30)
        #expect(DecompressionLimit.current(environment: [:], memory: roomy) == DecompressionLimit(bytes: 1 << 30))
        let tight = MemoryLimit(source: .addressSpace, limit: 600_000 * 1024, inUse: 80 << 20)
        let bound = DecompressionLimit.current(environment: [:], memory: tight)
        #expect(bound.bytes == tight.bytes / 4)
        #expect(bound.what == "a quarter of what gq may take under RLIMIT_AS (ulimit -v) of 614 MB, 84 MB of it in use, less headroom; raise 'ulimit -v' (or set it to unlimited), or set GQ_MAX_DECOMPRESSED=BYTES to allow more")
        #expect(DecompressionLimit.current(environment: ["GQ_MAX_DECOMPRESSED": "64K"], memory: tight) == DecompressionLimit(bytes: 65536))
    }

    @Test("a stream exactly at the limit inflates whole")
    func gzipAtLimit() throws {
        let bytes = [UInt8](repeating: 0x41, count: 5000)
        #expect(try gunzip(Data(gzipped(bytes)), limit: DecompressionLimit(bytes: 5000)) == Data(bytes))
    }

    @Test("a prefix is exactly the bytes asked for, even when the stream is one byte longer")
    func prefixLength() throws {
        let bytes = (0..<256).map { UInt8($0) }
        #expect(try inflateRawPrefix(Data(storedDeflate(bytes)), count: 255) == Data(bytes.prefix(255)))
        #expect(try inflateRawPrefix(Data(storedDeflate(bytes)), count: 1000) == Data(bytes))
    }

    @Test("the limit reads bytes or K, M, G suffixes and refuses anything else")
    func parsing() {
        #expect(ByteCount.parse("100000") == 100_000)
        #expect(ByteCount.parse("512M") == 512 << 20)
        #expect(ByteCount.parse("4g") == 4 << 30)
        #expect(ByteCount.parse("4GB") == 4 << 30 && ByteCount.parse("4GiB") == 4 << 30 && ByteCount.parse("100B") == 100)
        #expect(ByteCount.parse("0") == nil)
        #expect(ByteCount.parse("-3G") == nil)
        #expect(ByteCount.parse("lots") == nil)
        #expect(ByteCount.parse("99999999999T") == nil)
        #expect(ByteCount.parse(nil) == nil)
    }

    @Test("an .npz member that inflates past what its .npy header declares stops at the declared size")
    func npzMemberPastItsHeader() throws {
        let folder = try ScratchFolder()
        let x = npy(float32: [1, 2, 3, 4], shape: [2, 2])
        // 64 KiB of padding after the data: the directory's size agrees, the header does not.
        let padded = x + [UInt8](repeating: 0, count: 1 << 16)
        let path = try folder.write("bomb.npz", zipArchive([("X.npy", padded), ("y.npy", npy(int64: [0, 1]))], deflate: true))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): array 'X.npy': compressed data inflates past \(x.count) bytes, the size its .npy header declares")
    }

    @Test("an .npz member whose header declares more than the limit is refused before it is inflated")
    func npzHeaderPastLimit() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("big.npz", zipArchive([("X.npy", npy("<f4", [1 << 20, 1 << 10, 4], [])), ("y.npy", npy(int64: [0]))], deflate: true))
        let declared = 128 + (1 << 34)
        let limit = DecompressionLimit.current()
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): array 'X': the array's header declares \(declared) bytes, past \(limit.bytes) bytes, \(limit.what)")
    }

    @Test("a FIFO, /dev/zero and /dev/null given as data are refused as not regular files")
    func specialFiles() throws {
        let folder = try ScratchFolder()
        let fifo = (folder.path as NSString).appendingPathComponent("pipe.csv")
        try #require(mkfifo(fifo, 0o600) == 0)
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(fifo) }?.hasSuffix("is a named pipe (FIFO), not a regular file; save the data to a file first") == true)
        let zero = (folder.path as NSString).appendingPathComponent("zero.csv")
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(zero) }?.hasSuffix("is a device, not a regular file") == true)
        let null = (folder.path as NSString).appendingPathComponent("null.npz")
        try FileManager.default.createSymbolicLink(atPath: null, withDestinationPath: "/dev/null")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(null) }?.hasSuffix("is a device, not a regular file") == true)
    }
}

/// Data that used to load silently and then train to nonsense (issue 12, item 11).
@Suite("Data that cannot be trained or scored is refused at load")
struct UnusableDataTests {
    @Test("an IDX file holding NaN, Inf or 1e300 names the sequence")
    func idxNonFinite() throws {
        let folder = try ScratchFolder()
        for (index, bad) in [Double.nan, .infinity, 1e300].enumerated() {
            var values = [Double](repeating: 1, count: 20 * 4)
            values[4 * 3 + 1] = bad
            let header: [UInt8] = [0, 0, 0x0E, 3] + [20, 2, 2].flatMap { bigEndian(UInt32($0)) }
            let data = header + values.flatMap { bigEndian($0.bitPattern) }
            let images = try folder.write("set\(index)-images-idx3-ubyte", Data(data))
            try folder.write("set\(index)-labels-idx1-ubyte", Data(idx([20], (0..<20).map { UInt8($0 % 2) })))
            #expect(datasetErrorMessage { _ = try TaskCatalog.load(images) }
                == "\(images): sequence 4 holds a NaN or infinite value (or one too large for a 32-bit float); missing values are not supported")
        }
    }

    @Test("a split that would leave validation or test empty is refused, saying why")
    func emptySplit() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("tiny.csv", "a,b,label\n1,2,x\n3,4,y\n5,6,z\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): the validation split is empty: 3 samples in 3 classes are too few to give every split a share; gq needs a few samples per class")
    }

    @Test("a single group cannot fill three splits, and the error says so")
    func singleGroup() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("g.npz", zipArchive([
            ("X.npy", npy(float32: (0 ..< 12).map(Float.init), shape: [12, 1])),
            ("y.npy", npy(int64: (0 ..< 12).map { Int64($0 % 2) })),
            ("groups.npy", npy(int64: [Int64](repeating: 7, count: 12))),
        ]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }?
            .hasPrefix("\(path): the ") == true)
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }?
            .hasSuffix("split is empty: 1 group cannot fill three splits, since each group stays in one; gq needs samples from more groups") == true)
    }
}
