import CSignals
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines from a non-terminal input (a pipe or a file): no prompt, no editing.
///
/// Reads the file descriptor with `read(2)` rather than through `FileHandle`, so
/// that an interrupted read (Ctrl-C with our SIGINT handler, which is installed
/// without SA_RESTART) can be told apart from the end of the input.
public struct PlainLineReader: LineReader {
    private let fd: Int32
    // Keeps a caller-supplied handle (and so its descriptor) alive while we read it.
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var lineStart = 0
    private var scanFrom = 0
    private var atEnd = false
    private var isFirstLine = true

    public init(input: FileHandle = .standardInput) {
        self.handle = input
        self.fd = input.fileDescriptor
    }

    public mutating func readLine(prompt: String) -> LineReadResult {
        while true {
            if let newline = buffer[scanFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = decode(buffer[lineStart..<newline])
                lineStart = newline + 1
                scanFrom = lineStart
                return .line(line)
            }
            scanFrom = buffer.count
            if atEnd {
                // A last line without a newline is still a line.
                if lineStart == buffer.count { return .endOfInput }
                let line = decode(buffer[lineStart...])
                lineStart = buffer.count
                scanFrom = lineStart
                return .line(line)
            }
            // Drop consumed lines before reading more, so the buffer never holds more than one chunk plus a partial line.
            if lineStart > 0 {
                buffer.removeSubrange(..<lineStart)
                scanFrom -= lineStart
                lineStart = 0
            }
            switch fill() {
            case .data: continue
            case .end: atEnd = true
            case .interrupted:
                // A partial line stays buffered: it came from a pipe or file,
                // not from the user's typing, and the rest of it may still follow.
                gq_clear_interrupt()
                return .interrupted
            }
        }
    }

    /// Plain input has no recall; the shell keeps its own record if it wants one.
    public mutating func addHistory(_ line: String) {}

    private enum FillResult { case data, end, interrupted }

    private mutating func fill() -> FillResult {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.append(contentsOf: chunk[..<n])
                return .data
            }
            if n == 0 { return .end }
            if errno == EINTR {
                // Only our SIGINT handler counts as Ctrl-C; other signals
                // (SIGWINCH, SIGCHLD, ...) just retry.
                if gq_interrupt_pending() != 0 { return .interrupted }
                continue
            }
            // EIO, EBADF...: nothing more can come from this input.
            return .end
        }
    }

    private mutating func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        // Editors on some systems start a file with a byte order mark; it is not part of the first command.
        if isFirstLine {
            isFirstLine = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        }
        // Invalid UTF-8 becomes U+FFFD rather than dropping the line, so a script
        // still fails loudly at the right line instead of silently skipping a command.
        return String(decoding: bytes, as: UTF8.self)
    }
}
