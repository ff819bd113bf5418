import Foundation

/// File-path completion for Tab: directory entries that start with the typed prefix.
public struct PathCompleter: Sendable {
    /// Completes `word` against the file system, relative to the current directory,
    /// with `~` standing for the home directory.
    public static func complete(_ word: String) -> [String] {
        complete(
            word,
            homeDirectory: ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory(),
            workingDirectory: FileManager.default.currentDirectoryPath)
    }

    /// Completes `word` with explicit home and working directories.
    ///
    /// Candidates keep the word's own spelling of the directory part (`~/`, `./`,
    /// a relative path), so the editor extends what was typed instead of replacing it;
    /// directories end in "/" so the next Tab descends into them. Hidden entries are
    /// offered only when the typed name starts with ".", as in shells.
    public static func complete(_ word: String, homeDirectory: String, workingDirectory: String) -> [String] {
        // A bare "~" is the home directory itself: complete it to "~/".
        if word == "~" { return ["~/"] }

        let typedDirectory: String    // the directory part as typed, with its trailing "/"
        let prefix: String            // the name part being completed
        if let slash = word.lastIndex(of: "/") {
            typedDirectory = String(word[...slash])
            prefix = String(word[word.index(after: slash)...])
        } else {
            typedDirectory = ""
            prefix = word
        }

        let directory: String
        if typedDirectory.isEmpty {
            directory = workingDirectory
        } else if typedDirectory == "~/" || typedDirectory.hasPrefix("~/") {
            directory = homeDirectory + "/" + typedDirectory.dropFirst(2)
        } else if typedDirectory.hasPrefix("/") {
            directory = typedDirectory
        } else {
            directory = workingDirectory + "/" + typedDirectory
        }

        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: directory) else { return [] }
        let showHidden = prefix.hasPrefix(".")
        var candidates: [String] = []
        for name in names where name.hasPrefix(prefix) {
            if name.hasPrefix(".") && !showHidden { continue }
            var isDirectory: ObjCBool = false
            // fileExists follows symbolic links, so a link to a directory completes like one.
            let full = (directory as NSString).appendingPathComponent(name)
            let exists = fileManager.fileExists(atPath: full, isDirectory: &isDirectory)
            candidates.append(typedDirectory + name + (exists && isDirectory.boolValue ? "/" : ""))
        }
        return candidates.sorted()
    }
}
