import Foundation

/// Where the REPL history lives between sessions.
public enum HistoryLocation {
    /// `$GQ_HISTORY` if set, else `$XDG_STATE_HOME/gq/history`, else
    /// `~/.local/state/gq/history` (macOS: `~/Library/Application Support/gq/history`).
    /// Creates the directory; if that fails, the path is still returned and the
    /// history simply is not saved.
    public static func defaultFile() -> URL {
        let environment = ProcessInfo.processInfo.environment
        return file(environment: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory())
    }

    /// The same choice with an explicit environment and home directory.
    public static func file(environment: [String: String], homeDirectory: String) -> URL {
        let url = choose(environment: environment, homeDirectory: homeDirectory)
        try? FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        return url
    }

    private static func choose(environment: [String: String], homeDirectory: String) -> URL {
        if let explicit = environment["GQ_HISTORY"], !explicit.isEmpty {
            return URL(fileURLWithPath: expandTilde(explicit, homeDirectory: homeDirectory))
        }
        // The XDG spec says relative values are invalid and must be ignored.
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("gq/history")
        }
        let home = URL(fileURLWithPath: homeDirectory, isDirectory: true)
        #if os(macOS)
        return home.appendingPathComponent("Library/Application Support/gq/history")
        #else
        return home.appendingPathComponent(".local/state/gq/history")
        #endif
    }

    private static func expandTilde(_ path: String, homeDirectory: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + path.dropFirst(1) }
        return path
    }
}
