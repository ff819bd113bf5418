import FileWriting
import Foundation

/// Plain words for a failed file operation (no such folder, permission denied, disk
/// full) instead of Foundation's `Error Domain=NSCocoaErrorDomain Code=4 …` dumps.
enum FileErrorText {
    /// The reason in a few words, or nil when the error is not about a file.
    static func reason(for error: Error) -> String? {
        if let error = error as? FileWriteError { return error.reason }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return posix(Int32(nsError.code)) }
        guard nsError.domain == NSCocoaErrorDomain else { return nil }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        switch CocoaError.Code(rawValue: nsError.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "the disk is full"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: return "not readable as text"
        default: return nil
        }
    }

    static func posix(_ code: Int32) -> String { FileWriteError.reason(errno: code) }
}
