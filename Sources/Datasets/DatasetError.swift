import MemoryLimits

/// Where in an input file a problem was found: line and column for text, array name for NumPy files.
public struct FileLocation: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it (or the resource name for embedded data).
    public var file: String
    /// 1-based line, for text formats.
    public var line: Int?
    /// 1-based column (field) within the line.
    public var column: Int?
    /// Array (or archive member) name, for binary container formats.
    public var array: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, array: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.array = array
    }

    /// Compiler style, so that editors and terminals can jump to the place: `file:12:5`.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let array { text += ": array '\(array)'" }
        return text
    }
}

/// Everything that can go wrong while finding, reading or splitting a task.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A name that is neither a known task nor a file; carries the closest known name, if any is close.
    case unknownTask(name: String, known: [String], suggestion: String?)
    /// A path that does not exist.
    case fileNotFound(path: String)
    /// A file that exists but could not be read.
    case unreadable(path: String, reason: String)
    /// A file whose extension names no format gq reads.
    case unsupportedFormat(path: String)
    /// A gzip, zlib or deflate stream that would not inflate.
    case compression(FileLocation, InflateError)
    /// A file whose content breaks its format's rules.
    case malformed(FileLocation, problem: String)
    /// A container (`.npz`, zip) without an array or member the task needs.
    case missingArray(file: String, name: String, present: [String])
    /// A load option that makes no sense for this file.
    case invalidOption(String)
    /// A built-in task whose data has not been fetched yet.
    case notFetched(task: String, expected: String, command: String)
    /// An array whose values, as the numbers gq keeps, would take more than `limit` allows.
    case tooLarge(FileLocation, values: Int, bytes: Int, limit: MemoryLimit)

    public var description: String {
        switch self {
        case let .unknownTask(name, known, suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            return "unknown task '\(name)'\(hint); known tasks: \(known.joined(separator: ", "))"
                + "; or give the path of a .ts, .arff, .npz, .npy, .csv, .tsv, .txt (.gz too) or IDX file"
        case let .fileNotFound(path):
            return "\(path): no such file"
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .unsupportedFormat(path):
            return "\(path): unknown data format; gq reads .ts, .arff, .npz, .npy, .csv, .tsv, .txt (optionally .gz), the UCR archive's NAME_TRAIN/NAME_TEST files and IDX (-idx3-ubyte) files"
        case let .compression(location, error):
            return "\(location): \(error)"
        case let .malformed(location, problem):
            return "\(location): \(problem)"
        case let .missingArray(file, name, present):
            let list = present.isEmpty ? "none" : present.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file): no array '\(name)' (arrays present: \(list))"
        case let .invalidOption(text):
            return text
        case let .notFetched(task, expected, command):
            return "task '\(task)' is not fetched yet (looked for \(expected)); run: \(command)"
        case let .tooLarge(location, values, bytes, limit):
            return "\(location): \(values) values take \(ByteCount.text(bytes)) as numbers, more than the \(ByteCount.text(limit.bytes)) gq may take "
                + "(\(limit.explanation)); load a subset of the data, or \(limit.source.advice)"
        }
    }
}
