import Foundation

/// Where the benchmark tasks' fetched files are looked for, and which command fetches them.
///
/// The rule, in order:
/// 1. `GQ_DATA_DIR`, when set and not empty, is the only folder looked in (relative to the current directory).
/// 2. Otherwise `data/` in the current directory;
/// 3. then `data/` in the gq checkout around the current directory: the nearest folder at or above it
///    that holds `scripts/fetch-datasets`;
/// 4. then `data/` in the checkout around the gq executable (found the same way from the executable's
///    folder, so that a gq built in the checkout finds its data from any directory).
///
/// The first folder that holds all of a task's files is used. `scripts/fetch-datasets` writes to
/// `$GQ_DATA_DIR`, or else to `data/` in its own checkout, which is always one of the folders above.
public struct DataSearch: Sendable, Equatable {
    /// The environment variable that names the data folder.
    public static let environmentVariable = "GQ_DATA_DIR"
    /// The fetch script, relative to the root of a gq checkout.
    public static let fetchScript = "scripts/fetch-datasets"
    /// The folder name the fetch script fills at the checkout root.
    public static let folderName = "data"

    /// The value of `GQ_DATA_DIR`, if set.
    public var environmentDirectory: String?
    /// The directory relative paths start from.
    public var currentDirectory: String
    /// The running executable, whose checkout is searched last.
    public var executablePath: String?

    public init(environmentDirectory: String? = nil, currentDirectory: String, executablePath: String? = nil) {
        self.environmentDirectory = environmentDirectory.flatMap { $0.isEmpty ? nil : $0 }
        self.currentDirectory = currentDirectory
        self.executablePath = executablePath
    }

    /// The search this process would make: its environment, working directory and executable.
    public static var process: DataSearch {
        DataSearch(environmentDirectory: ProcessInfo.processInfo.environment[environmentVariable],
                   currentDirectory: FileManager.default.currentDirectoryPath,
                   executablePath: Bundle.main.executableURL?.resolvingSymlinksInPath().path)
    }

    /// The gq checkout holding the current directory, else the one holding the executable.
    public var checkoutRoot: String? {
        if let root = Self.checkout(containing: currentDirectory) { return root }
        return executablePath.flatMap { Self.checkout(containing: ($0 as NSString).deletingLastPathComponent) }
    }

    /// Candidate data folders, most preferred first, without duplicates.
    public var folders: [String] {
        if let environmentDirectory { return [absolute(environmentDirectory)] }
        var candidates = [absolute(Self.folderName)]
        if let root = Self.checkout(containing: currentDirectory) {
            candidates.append((root as NSString).appendingPathComponent(Self.folderName))
        }
        if let executablePath, let root = Self.checkout(containing: (executablePath as NSString).deletingLastPathComponent) {
            candidates.append((root as NSString).appendingPathComponent(Self.folderName))
        }
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }

    /// The command that fetches the data into a folder this search looks in, ready to paste.
    public var fetchCommand: String {
        let prefix = environmentDirectory.map { "\(Self.environmentVariable)=\(Self.shellQuoted($0)) " } ?? ""
        guard let root = checkoutRoot else {
            return prefix + Self.fetchScript + " (in a gq source checkout"
                + (environmentDirectory == nil ? "; then run gq there, or set \(Self.environmentVariable) to the data folder it fills)" : ")")
        }
        let script = root == Self.standardized(currentDirectory)
            ? Self.fetchScript : Self.shellQuoted((root as NSString).appendingPathComponent(Self.fetchScript))
        return prefix + script
    }

    /// The first candidate folder that holds every one of `files` (paths relative to a data folder).
    public func folder(holding files: [String]) -> String? {
        folders.first { folder in
            files.allSatisfy { FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) }
        }
    }

    func absolute(_ path: String) -> String {
        Self.standardized(path.hasPrefix("/") ? path : (currentDirectory as NSString).appendingPathComponent(path))
    }

    static func standardized(_ path: String) -> String {
        (path as NSString).standardizingPath
    }

    /// The nearest folder at or above `directory` that holds `scripts/fetch-datasets`.
    static func checkout(containing directory: String) -> String? {
        var folder = standardized(directory)
        while true {
            if FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(fetchScript)) { return folder }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { return nil }
            folder = parent
        }
    }

    /// The path as a shell word: unchanged when it needs no quoting.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
