import FileWriting
import Foundation

/// The transcript `log FILE` writes: every line typed at the prompt, with its prompt,
/// and everything printed, as it happens. Appended line by line, so a crash loses
/// nothing already shown.
final class SessionLog {
    let path: String
    private let handle: FileHandle
    /// The output the session had before the log wrapped it, restored by `log off`.
    let original: ShellIO

    init(path: String, wrapping io: ShellIO) throws {
        // An MPI rank other than 0 keeps no transcript: the file is rank 0's.
        let target = FileWriting.observer ? "/dev/null" : path
        if !FileManager.default.fileExists(atPath: target) {
            guard FileManager.default.createFile(atPath: target, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        try handle.seekToEnd()
        self.path = path
        original = io
    }

    func write(_ line: String) {
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }

    /// `io` with results and errors also written here.
    func teeing(_ io: ShellIO) -> ShellIO {
        var teed = io
        teed.out = { [weak self] line in
            io.out(line)
            self?.write(line)
        }
        teed.err = { [weak self] line in
            io.err(line)
            self?.write(line)
        }
        return teed
    }

    func close() {
        try? handle.close()
    }
}
