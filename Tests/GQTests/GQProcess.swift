import Foundation
import TestSupport

/// Runs the built `gq` binary the way a user would, and captures what it prints.
struct GQProcess {
    typealias Result = ChildProcess.Result

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
        try ChildProcess.run(executable, arguments, stdin: stdin,
                             environment: environment(cache: cache).merging(extraEnvironment) { _, new in new }, directory: directory)
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
