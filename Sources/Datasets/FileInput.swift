import Foundation
import MemoryLimits

/// Reading files into memory with errors that name the path the user typed.
enum FileInput {
    static func read(_ path: String) throws(DatasetError) -> Data {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        // A FIFO would block, /dev/zero never ends, /dev/null is empty: only a regular file is data.
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(path: path, reason: "is a directory")
        case S_IFIFO: throw .unreadable(path: path, reason: "is a named pipe (FIFO), not a regular file; save the data to a file first")
        case S_IFCHR, S_IFBLK: throw .unreadable(path: path, reason: "is a device, not a regular file")
        case S_IFSOCK: throw .unreadable(path: path, reason: "is a socket, not a regular file")
        default: throw .unreadable(path: path, reason: "is not a regular file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            let code = underlying.flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
            throw .unreadable(path: path, reason: code.map { String(cString: strerror($0)) } ?? error.localizedDescription)
        }
    }

    /// The file's bytes, inflated first when they are gzip, whatever the file is called.
    static func readInflated(_ path: String, displayName: String? = nil) throws(DatasetError) -> Data {
        let data = try read(path)
        return try inflatedIfGzip(data, file: displayName ?? path)
    }

    static func inflatedIfGzip(_ data: Data, file: String) throws(DatasetError) -> Data {
        guard isGzip(data) else { return data }
        do {
            return try gunzip(data)
        } catch {
            throw .compression(FileLocation(file: file), error)
        }
    }

    /// Refuses `count` values about to be decoded when they would pass what gq may take.
    /// A loader allocates only for bytes the file holds, but a plain file's size is bounded
    /// by nothing else, and each value becomes a Double (8 bytes) kept as a Float (4) in the
    /// task: up to 12 times the file for bytes, past a `ulimit -v` long before the disk fills.
    /// Sizes under 64 MiB pass without reading the limit.
    static func checkRoom(values count: Int, at place: FileLocation) throws(DatasetError) {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 12)
        guard overflow || bytes > 64 << 20 else { return }
        let limit = MemoryLimit.current()
        if overflow || bytes > limit.bytes { throw .tooLarge(place, values: count, bytes: overflow ? Int.max : bytes, limit: limit) }
    }

    /// `dir/name.csv.gz` → `name`: the stem a user would call the task.
    static func stem(_ path: String) -> String {
        var name = (path as NSString).lastPathComponent
        if name.lowercased().hasSuffix(".gz") { name = String(name.dropLast(3)) }
        return (name as NSString).deletingPathExtension
    }

    /// The extension that names the format, looking through a trailing `.gz`.
    static func formatExtension(_ path: String) -> String {
        var name = (path as NSString).lastPathComponent.lowercased()
        if name.hasSuffix(".gz") { name = String(name.dropLast(3)) }
        return (name as NSString).pathExtension
    }
}
