import Foundation
import Testing

/// The limits the README states, as a user meets them (issue 12).
@Suite("Stated limits, met from the command line")
struct LimitsEndToEndTests {
    @Test("GQ_MAX_DECOMPRESSED bounds what a compressed data file may inflate to, and the error says how to raise it")
    func decompressedLimitFromEnvironment() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bomb.csv.gz").path
        let script = "head -c 200000 /dev/zero | gzip -c > '\(file)' && GQ_MAX_DECOMPRESSED=64K exec \"$0\" -q -c 'load task \(file)'"
        let result = try GQProcess.run(["-c", script, GQProcess.binary.path], executable: URL(fileURLWithPath: "/bin/bash"), cache: folder)
        #expect(result.status == 1)
        #expect(result.err.contains("\(file): compressed data inflates past 65536 bytes, the limit for a decompressed file; set GQ_MAX_DECOMPRESSED=BYTES (e.g. 4G) to allow more"))
    }

    /// `ulimit -v` bounds a process's address space on Linux; macOS accepts the setting
    /// without enforcing it, so there the tests would prove nothing.
    static let addressSpaceIsEnforced: Bool = {
        #if os(Linux)
        return FileManager.default.isExecutableFile(atPath: "/bin/sh")
        #else
        return false
        #endif
    }()

    static let canMakeBombs = addressSpaceIsEnforced
        && ["/bin/gzip", "/usr/bin/gzip"].contains { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `gq -q -c SCRIPT` under `ulimit -v KIB`, with the shell replaced by gq so a
    /// kill by a signal shows as one.
    static func runLimited(kibibytes: Int, _ script: String, prepare: String = "", cache: URL) throws -> GQProcess.Result {
        let shell = "\(prepare)ulimit -v \(kibibytes) && exec \"$0\" -q -c \"$1\""
        return try GQProcess.run(["-c", shell, GQProcess.binary.path, script], executable: URL(fileURLWithPath: "/bin/sh"), cache: cache)
    }

    /// Twelve short series and one of 100,000 steps: with the default batch and hidden size,
    /// back-propagation through the whole long one needs about 3.9 GB (batch 11: the refit
    /// on training + validation that a small training split gets).
    static func longSeries(in folder: URL) throws -> String {
        var lines = ["@problemName long", "@univariate true", "@classLabel true a b", "@data"]
        for index in 0 ..< 12 {
            lines.append((0 ..< 20).map { String(Float(($0 * 7 + index) % 13) / 13) }.joined(separator: ",") + (index % 2 == 0 ? ":a" : ":b"))
        }
        lines.append((0 ..< 100_000).map { String(Float($0 % 17) / 17) }.joined(separator: ",") + ":a")
        return try GQProcess.write(lines.joined(separator: "\n") + "\n", to: "long.ts", in: folder).path
    }

    @Test("training under ulimit -v truncates back-propagation to a window that fits, names the limit, and finishes instead of being killed",
          .enabled(if: addressSpaceIsEnforced, "ulimit -v is enforced on Linux only, and needs /bin/sh"))
    func trainingUnderAddressSpaceLimit() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try Self.longSeries(in: folder)
        let result = try Self.runLimited(kibibytes: 700_000, "load task \(file); train epochs 1", cache: folder)
        #expect(!result.signalled, "gq was killed by signal \(result.status): \(result.err)")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("training with truncated BPTT over "))
        #expect(result.out.contains("the full 100000 steps would need 3.9 GB, more than the "))
        #expect(result.out.contains("gq may take (RLIMIT_AS (ulimit -v) of 717 MB, "))
    }

    @Test("an explicit bptt window that does not fit under ulimit -v is refused with the limit named, not killed",
          .enabled(if: addressSpaceIsEnforced, "ulimit -v is enforced on Linux only, and needs /bin/sh"))
    func explicitWindowUnderAddressSpaceLimit() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try Self.longSeries(in: folder)
        let result = try Self.runLimited(kibibytes: 700_000, "load task \(file); train bptt 100000", cache: folder)
        #expect(!result.signalled, "gq was killed by signal \(result.status): \(result.err)")
        #expect(result.status == 1)
        #expect(result.err.contains("training needs about 3.9 GB (batch 11 × "))
        #expect(result.err.contains("gq may take (RLIMIT_AS (ulimit -v) of 717 MB, "))
        #expect(result.err.contains("use a smaller batch ('train batch 1' fits)"))
        #expect(result.err.contains("to allow more, raise 'ulimit -v' (or set it to unlimited), or set GQ_MAX_TRAINING_MEMORY=BYTES"))
    }

    @Test("a .csv.gz that inflates to 4 GiB under ulimit -v 600000 is refused naming the file and the limit, not killed",
          .enabled(if: canMakeBombs, "ulimit -v is enforced on Linux only; needs /bin/sh and gzip"))
    func decompressionBombUnderAddressSpaceLimit() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bomb.csv.gz").path
        // 64 gzip members of 64 MiB of CSV rows each: about 8 MB on disk, 4 GiB inflated
        // (gq joins concatenated members, as gzip -d does).
        let member = folder.appendingPathComponent("member.gz").path
        let prepare = "{ echo a,b,label; yes 0.5,0.25,x | head -c 67108864; } | gzip -c > '\(member)' && "
            + "for i in $(seq 64); do cat '\(member)'; done > '\(file)' && "
        let result = try Self.runLimited(kibibytes: 600_000, "load task \(file)", prepare: prepare, cache: folder)
        #expect(!result.signalled, "gq was killed by signal \(result.status): \(result.err)")
        #expect(result.status == 1)
        #expect(result.err.contains("\(file): compressed data inflates past "))
        #expect(result.err.contains("a quarter of what gq may take under RLIMIT_AS (ulimit -v) of 614 MB, "))
        #expect(result.err.contains("raise 'ulimit -v' (or set it to unlimited), or set GQ_MAX_DECOMPRESSED=BYTES to allow more"))
    }

    @Test("a 60 MB uint8 .npy whose values would take 720 MB under ulimit -v 600000 is refused naming the array and the limit, not killed",
          .enabled(if: addressSpaceIsEnforced, "ulimit -v is enforced on Linux only, and needs /bin/sh"))
    func plainArrayUnderAddressSpaceLimit() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let x = folder.appendingPathComponent("X.npy")
        try (npyHeader(descr: "|u1", shape: "(60000, 1000)") + Data(count: 60_000_000)).write(to: x)
        try (npyHeader(descr: "<i8", shape: "(60000,)") + Data(count: 8 * 60_000)).write(to: folder.appendingPathComponent("y.npy"))
        let result = try Self.runLimited(kibibytes: 600_000, "load task \(x.path)", cache: folder)
        #expect(!result.signalled, "gq was killed by signal \(result.status): \(result.err)")
        #expect(result.status == 1)
        #expect(result.err.contains("\(x.path): array 'X': 60000000 values take 720 MB as numbers, more than the "))
        #expect(result.err.contains("gq may take (RLIMIT_AS (ulimit -v) of 614 MB, "))
        #expect(result.err.contains("load a subset of the data, or raise 'ulimit -v' (or set it to unlimited)"))
    }

    /// A version 1.0 .npy header, padded to 64 bytes as NumPy writes it.
    private func npyHeader(descr: String, shape: String) -> Data {
        var dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + dictionary.utf8.count + 1) % 64 != 0 { dictionary += " " }
        dictionary += "\n"
        let length = UInt16(dictionary.utf8.count)
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8))
    }
}
