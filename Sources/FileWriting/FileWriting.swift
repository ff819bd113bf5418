#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A write that failed, with the file and the reason in plain words.
public struct FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file that was being written.
    public var path: String
    /// Why, in words a user can act on ("the disk is full", "Permission denied").
    public var reason: String

    /// A failure to write `path` because of `reason`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }

    /// The system's reason for `code` in plain words ("the disk is full", "permission
    /// denied"), the wording every file message of gq uses.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or folder"
        case EACCES, EPERM: return "permission denied"
        case ENOSPC: return "the disk is full"
        case EROFS: return "the file system is read-only"
        case EISDIR: return "it is a folder"
        case ENOTDIR: return "a part of the path is not a folder"
        case EDQUOT: return "the disk quota is used up"
        default: return String(cString: strerror(code))
        }
    }
}

/// Writes that land whole or not at all, the one place gq creates temporary files.
///
/// Every temporary file is created beside its target with `mkstemp` (exclusive, an
/// unpredictable name, never through a planted symlink) and removed on any failure, so a
/// full disk or a kill leaves either the old file or the new one, never a half-written
/// file or a stray temporary. The target itself may be a symlink: `replace` renames over
/// the link (the link is replaced, its target untouched) and `append` writes through it,
/// as a user who linked `results.csv` somewhere would expect (README, "Files").
public enum FileWriting {
    /// When true every write is silently skipped (`replace`, `createNew`) or lands in
    /// /dev/null (`openForAppending`): the mode of an MPI rank other than 0, which runs the
    /// same script but leaves the files to rank 0. Set once at startup, before any thread.
    nonisolated(unsafe) public static var observer = false

    /// The process's umask, read once (reading it means setting it): new files get
    /// `mode & ~umask`, as `open` would give them.
    static let umaskBits: mode_t = {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }()

    /// Replaces the file at `path` with `data`: a temporary file beside it, flushed to
    /// disk, then renamed over it. `mode` applies to a new file; an existing file keeps its own.
    public static func replace(_ path: String, with data: Data, mode: mode_t = 0o644) throws(FileWriteError) {
        if observer { return }
        let (descriptor, temporary) = try makeTemporary(beside: path)
        func fail(_ code: Int32) -> FileWriteError {
            close(descriptor)
            unlink(temporary)
            return FileWriteError(path: path, reason: FileWriteError.reason(errno: code))
        }
        var existing = stat()
        let permissions = lstat(path, &existing) == 0 && (existing.st_mode & S_IFMT) == S_IFREG ? existing.st_mode & 0o7777 : mode & ~umaskBits
        if fchmod(descriptor, permissions) != 0 { throw fail(errno) }
        if let code = writeAll(descriptor, data).failure { throw fail(code) }
        // The data must be on disk before the rename makes it the only copy.
        if fsync(descriptor) != 0 { throw fail(errno) }
        close(descriptor)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw FileWriteError(path: path, reason: FileWriteError.reason(errno: code))
        }
    }

    /// Creates `path` holding `data` if no file is there, atomically: other processes see
    /// no file or the whole of it, never an empty or partial one. Returns false, writing
    /// nothing, when the path already exists, or when the file system has no hard links
    /// (FAT, some network and FUSE mounts) to make a file appear whole; the caller then
    /// appends under a lock instead.
    public static func createNew(_ path: String, with data: Data, mode: mode_t = 0o644) throws(FileWriteError) -> Bool {
        if observer { return true }
        let (descriptor, temporary) = try makeTemporary(beside: path)
        defer { unlink(temporary) }
        func fail(_ code: Int32) -> FileWriteError {
            close(descriptor)
            return FileWriteError(path: path, reason: FileWriteError.reason(errno: code))
        }
        if fchmod(descriptor, mode & ~umaskBits) != 0 { throw fail(errno) }
        if let code = writeAll(descriptor, data).failure { throw fail(code) }
        if fsync(descriptor) != 0 { throw fail(errno) }
        close(descriptor)
        // link() fails with EEXIST instead of replacing: the exclusive create of a whole file.
        if link(temporary, path) == 0 { return true }
        if [EEXIST, EPERM, ENOTSUP, EOPNOTSUPP, EMLINK].contains(errno) { return false }
        throw FileWriteError(path: path, reason: FileWriteError.reason(errno: errno))
    }

    /// Appends `data` to the open file `descriptor` (opened with `O_APPEND`) in one write, or
    /// leaves the file as it was: a short write (a full disk) is cut off again, so no
    /// partial line stays behind. The write and the cut are made under an exclusive
    /// `flock` (advisory, best effort), so a cooperating writer's line is never cut; a
    /// caller that already holds the lock (to read the file first) passes `locking: false`.
    /// `path` names the file in the error.
    public static func appendWhole(_ data: Data, to descriptor: Int32, path: String, locking: Bool = true) throws(FileWriteError) {
        let locked = locking && flock(descriptor, LOCK_EX) == 0
        defer { if locked { flock(descriptor, LOCK_UN) } }
        var before = stat()
        let knownSize = fstat(descriptor, &before) == 0
        let (written, failure) = writeAll(descriptor, data)
        guard let failure else { return }
        var whole = written == 0
        if !whole, knownSize {
            // Cut back only our own bytes: when the file is exactly as long as before plus
            // them, nobody appended after us.
            var after = stat()
            if fstat(descriptor, &after) == 0, after.st_size == before.st_size + off_t(written) {
                whole = ftruncate(descriptor, before.st_size) == 0
            }
        }
        let outcome = whole ? "; nothing was written" : "; \(written) of \(data.count) bytes were written and could not be taken back"
        throw FileWriteError(path: path, reason: FileWriteError.reason(errno: failure) + outcome)
    }

    /// Opens `path` for appending (created with `mode` if missing and `create`), following
    /// a symlink; anything but a regular file (a FIFO, a device) is refused without blocking.
    public static func openForAppending(_ path: String, mode: mode_t = 0o644, read: Bool = false,
                                        create: Bool = true) throws(FileWriteError) -> Int32 {
        // O_NONBLOCK: opening a FIFO for writing would wait for a reader before the check below.
        let flags = (read ? O_RDWR : O_WRONLY) | O_APPEND | O_CLOEXEC | O_NONBLOCK | (create ? O_CREAT : 0)
        let descriptor = observer ? open("/dev/null", O_RDWR | O_CLOEXEC) : open(path, flags, mode)
        if observer, descriptor >= 0 { return descriptor }
        guard descriptor >= 0 else {
            // ENXIO: a FIFO without a reader, refused by O_NONBLOCK.
            let code = errno
            throw FileWriteError(path: path, reason: code == ENXIO ? "not a regular file" : FileWriteError.reason(errno: code))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            close(descriptor)
            throw FileWriteError(path: path, reason: "not a regular file")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return descriptor
    }

    /// An exclusive temporary file in `path`'s folder: its descriptor and name.
    static func makeTemporary(beside path: String) throws(FileWriteError) -> (Int32, String) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let prefix = directory.isEmpty ? "" : directory + "/"
        var template = Array((prefix + "." + name + ".XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw FileWriteError(path: path, reason: FileWriteError.reason(errno: errno)) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (descriptor, temporary)
    }

    /// Writes all of `data`: the bytes written, and the errno that stopped it, if any.
    /// A short write is retried, so its cause (a full disk) comes back as the errno.
    static func writeAll(_ descriptor: Int32, _ data: Data) -> (written: Int, failure: Int32?) {
        var written = 0
        while written < data.count {
            let count = data.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, data.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                return (written, errno)
            }
            if count == 0 { return (written, ENOSPC) }
            written += count
        }
        return (written, nil)
    }
}
