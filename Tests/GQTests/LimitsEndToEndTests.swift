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
}
