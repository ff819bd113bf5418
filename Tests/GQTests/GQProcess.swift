import Foundation

/// Runs the built `gq` binary the way a user would, and captures what it prints.
struct GQProcess {
    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    /// The `gq` next to the test bundle (SwiftPM builds it because the tests depend on it).
    static var binary: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On macOS the runner sits inside the .xctest bundle; on Linux beside gq.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("gq").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("gq")
    }

    /// A fresh model cache and history per test, so tests never share state.
    static func environment(cache: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GQ_CACHE_DIR"] = cache.path
        environment["GQ_HISTORY"] = cache.appendingPathComponent("history").path
        environment["XDG_STATE_HOME"] = cache.appendingPathComponent("state").path
        environment["PATH"] = binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    static func run(_ arguments: [String], stdin: String? = nil, executable: URL = binary,
                    cache: URL = temporaryDirectory(), directory: URL? = nil, extraEnvironment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment(cache: cache).merging(extraEnvironment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        // Read both pipes before waiting so a chatty child never blocks on a full pipe.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      out: String(decoding: outData, as: UTF8.self),
                      err: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
