import Foundation

/// Reading files into memory with errors that name the path the user typed.
enum FileInput {
    static func read(_ path: String) throws(DatasetError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw .unreadable(path: path, reason: "is a directory") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
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
