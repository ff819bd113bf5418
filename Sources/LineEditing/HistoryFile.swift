import FileWriting
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the history file could not be written; the file itself is left as it was.
public struct HistoryFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "history file \(path): \(reason)" }
}

/// The persistent history: one entry per line, grown only by appending and
/// shrunk to `capacity` lines only by writing a new file and renaming it over
/// the old one, so a crash or a full disk can never leave it truncated.
public struct HistoryFile: Sendable {
    /// The file as given (a symbolic link is followed when writing, so a linked dotfile stays a link).
    public let url: URL
    /// The lines the file is cut back to, oldest first to go. Each session counts
    /// its own appends, so with several sessions open the file may briefly hold
    /// more until one of them compacts it.
    public let capacity: Int
    /// Entries as loaded and appended in this session, oldest first.
    public private(set) var entries: [String] = []
    /// Why the file is left alone, if it is: it cannot be read, or it does not look
    /// like a history file (it holds NUL bytes). Such a file is never written.
    public private(set) var readOnlyReason: String?
    /// Whether the file is left alone (see `readOnlyReason`).
    public var isReadOnly: Bool { readOnlyReason != nil }

    // Lines in the file as far as we know, bad ones included: decides when to compact.
    private var lineCount = 0

    public init(url: URL, capacity: Int = 1000) {
        self.url = url
        self.capacity = max(1, capacity)
    }

    /// Reads the file and returns its newest `capacity` readable entries.
    /// A missing file is an empty history; lines that are not valid UTF-8 are skipped.
    @discardableResult
    public mutating func load() -> [String] {
        entries = []
        lineCount = 0
        readOnlyReason = nil
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return []
        } catch {
            // Unreadable (a directory, no permission, I/O error): leave it strictly alone.
            readOnlyReason = "cannot be read (\(Self.reason(of: error)))"
            return []
        }
        if data.contains(0) {
            readOnlyReason = "holds binary data, so it is not a history file"
        }
        let lines = Self.splitLines(data)
        lineCount = lines.count
        for raw in lines {
            if let entry = Self.decodeEntry(raw) { entries.append(entry) }
        }
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return entries
    }

    /// Appends `line` to the file unless it is blank, holds a line break, or repeats
    /// the previous entry. Returns whether it was recorded. When the file outgrows
    /// `capacity`, it is rewritten with its newest lines, atomically.
    @discardableResult
    public mutating func append(_ line: String) throws -> Bool {
        guard Self.isRecordable(line), line != entries.last else { return false }
        if let readOnlyReason {
            throw HistoryFileError(path: url.path, reason: readOnlyReason + "; left untouched")
        }
        try appendToFile(line)
        entries.append(line)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        lineCount += 1
        if lineCount > capacity { try compact() }
        return true
    }

    static func isRecordable(_ line: String) -> Bool {
        !line.allSatisfy(\.isWhitespace) && !line.contains(where: \.isNewline) && !line.utf8.contains(0)
    }

    private static func reason(of error: Error) -> String {
        if let posix = (error as? CocoaError)?.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return error.localizedDescription
    }

    private static func splitLines(_ data: Data) -> [Data] {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The final newline ends the last line; it does not start an empty one.
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { Data($0) }
    }

    private static func decodeEntry(_ raw: Data) -> String? {
        var bytes = raw
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard let text = String(data: bytes, encoding: .utf8), isRecordable(text) else { return nil }
        // The header libedit's own write_history puts first, should the file have been written by it.
        if text == "_HiStOrY_V2_" { return nil }
        return text
    }

    private var writePath: String { url.resolvingSymlinksInPath().path }

    private func appendToFile(_ line: String) throws {
        let path = writePath
        // Read access too: the last byte is checked below.
        let fd: Int32
        do { fd = try FileWriting.openForAppending(path, mode: 0o600, read: true) } catch {
            throw HistoryFileError(path: url.path, reason: "cannot open for appending: \(error.reason)")
        }
        defer { close(fd) }
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        // A previous writer that died mid-line must not glue its fragment to our entry.
        var status = stat()
        if fstat(fd, &status) == 0, status.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, off_t(status.st_size - 1)) == 1, last != UInt8(ascii: "\n") {
                bytes.insert(UInt8(ascii: "\n"), at: 0)
            }
        }
        // Whole or not at all: on a full disk no truncated entry is left behind.
        do { try FileWriting.appendWhole(Data(bytes), to: fd, path: path) } catch {
            throw HistoryFileError(path: url.path, reason: error.reason)
        }
    }

    /// Keeps the newest `capacity` lines, byte for byte (unreadable lines included),
    /// by writing them to a temporary file beside the history and renaming it over.
    private mutating func compact() throws {
        let path = writePath
        // Re-read rather than trust memory: another gq session may have appended meanwhile.
        guard let data = FileManager.default.contents(atPath: path), !data.contains(0) else { return }
        var lines = Self.splitLines(data)
        guard lines.count > capacity else {
            lineCount = lines.count
            return
        }
        lines.removeFirst(lines.count - capacity)
        var bytes = Data()
        bytes.reserveCapacity(data.count)
        for line in lines {
            bytes.append(line)
            bytes.append(UInt8(ascii: "\n"))
        }
        do { try FileWriting.replace(path, with: bytes, mode: 0o600) } catch {
            throw HistoryFileError(path: url.path, reason: "cannot replace with a compacted copy: \(error.reason)")
        }
        lineCount = lines.count
    }

}
