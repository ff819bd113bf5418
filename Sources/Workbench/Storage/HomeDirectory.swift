import Foundation

/// The user's home as a shell sees it: `$HOME` when set, as the history file's
/// location does, else the account's home. Foundation's `homeDirectoryForCurrentUser`
/// ignores `$HOME` on Linux, which would split one user's files across two homes.
public enum HomeDirectory {
    public static var url: URL { url(environment: ProcessInfo.processInfo.environment) }

    public static func url(environment: [String: String]) -> URL {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
    }
}
