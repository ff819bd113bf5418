import Foundation

/// Runs a program for a test and captures what it prints: the one process runner the
/// test targets share (GQTests' `GQProcess` adds gq's environment on top).
public enum ChildProcess {
    /// What a finished program left: its exit status and both outputs.
    public struct Result: Sendable {
        /// The exit status, or the signal's number when `signalled`.
        public var status: Int32
        public var out: String
        public var err: String
        /// Killed by a signal (a crash, or the kernel's answer to a limit) rather than exiting.
        public var signalled = false
    }

    /// Runs `executable` with `arguments`, `stdin` as its input (none when nil), in
    /// `directory` (the current one when nil), with `environment` (the test's when nil).
    public static func run(_ executable: URL, _ arguments: [String], stdin: String? = nil,
                           environment: [String: String]? = nil, directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
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
                      err: String(decoding: errData, as: UTF8.self),
                      signalled: process.terminationReason == .uncaughtSignal)
    }
}
