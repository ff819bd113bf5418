import Foundation
import Testing

/// `append` as several gq processes use it at once (a Slurm array writing one table), and
/// on a disk that fills up mid-row (issue 12, item 8).
@Suite("append from many processes and on a full disk")
struct AppendFileTests {
    @Test("processes appending to a new file at once write one header and every row whole")
    func concurrentAppendWritesOneHeader() throws {
        for trial in 0..<4 {
            let folder = GQProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let table = folder.appendingPathComponent("table-\(trial).csv").path
            let processes = try (0..<6).map { index -> Process in
                let process = Process()
                process.executableURL = GQProcess.binary
                process.arguments = ["-q", "-c", "append \(table) task=digits seed=\(index) accuracy=0.9\(index)"]
                process.environment = GQProcess.environment(cache: folder)
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            for process in processes { process.waitUntilExit() }
            #expect(processes.allSatisfy { $0.terminationStatus == 0 })
            let lines = String(decoding: FileManager.default.contents(atPath: table) ?? Data(), as: UTF8.self)
                .split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.filter { $0 == "task,seed,accuracy" }.count == 1)
            #expect(lines.first == "task,seed,accuracy")
            #expect(Set(lines.dropFirst().filter { !$0.isEmpty }) == Set((0..<6).map { "digits,\($0),0.9\($0)" }))
            #expect(lines.last == "")
        }
    }

    @Test("a row that does not fit on the disk is not written at all, and the error says why")
    func appendOnFullDiskLeavesFileAsItWas() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = folder.appendingPathComponent("table.csv").path
        // 1000 bytes: header and rows. The file-size limit below (1 KiB) lets a write fill the
        // last 24 bytes and then fail, as a disk that fills up mid-row does.
        let before = "name,value\n" + String(repeating: "x,\(String(repeating: "0", count: 7))\n", count: 98) + String(repeating: "y", count: 6) + ",0\n"
        try #require(before.utf8.count == 1000)
        try Data(before.utf8).write(to: URL(fileURLWithPath: table))
        let value = String(repeating: "9", count: 200)
        // An ignored SIGXFSZ stays ignored across exec, so the write fails with EFBIG instead of killing gq.
        let result = try GQProcess.run(["-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" -q -c 'append \(table) name=z value=\(value)'", GQProcess.binary.path],
                                       executable: URL(fileURLWithPath: "/bin/bash"), cache: folder)
        #expect(result.status == 1)
        #expect(result.err.contains("could not append the row to \(table): File too large; nothing was written"))
        #expect(FileManager.default.contents(atPath: table) == Data(before.utf8))
    }
}
