import Foundation
import GRU

/// Trained models on disk, keyed by task, split and training settings, so a second
/// `train` with the same settings returns at once instead of training again.
public struct ModelCache: Sendable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$GQ_CACHE_DIR`, else `$XDG_CACHE_HOME/gq/models`, else `~/.cache/gq/models`
    /// (`~/Library/Caches/gq/models` on macOS).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ModelCache? {
        if let explicit = environment["GQ_CACHE_DIR"], !explicit.isEmpty {
            return ModelCache(directory: URL(fileURLWithPath: explicit))
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return ModelCache(directory: URL(fileURLWithPath: xdg).appendingPathComponent("gq/models"))
        }
        let home = HomeDirectory.url(environment: environment)
        #if os(macOS)
        return ModelCache(directory: home.appendingPathComponent("Library/Caches/gq/models"))
        #else
        return ModelCache(directory: home.appendingPathComponent(".cache/gq/models"))
        #endif
    }

    /// The file for a key: readable task name plus a hash of the full key.
    public func file(for key: String, task: String) -> URL {
        let safeTask = String(task.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(40))
        return directory.appendingPathComponent("\(safeTask)-\(ModelCache.hash(key)).safetensors")
    }

    /// The cached model for a key, or nil when there is none or it cannot be read
    /// (a damaged cache entry is a miss, never an error: the model is simply trained again).
    public func model(for key: String, task: String) -> GRUClassifier? {
        let url = file(for: key, task: task)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try? GRUClassifier(contentsOf: url)
    }

    public func store(_ model: GRUClassifier, for key: String, task: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try model.write(to: file(for: key, task: task))
    }

    /// A stable 16-hex-digit fingerprint of the key, unlike `hashValue` the same on every run.
    static func hash(_ key: String) -> String {
        var fingerprint = Fingerprint()
        fingerprint.add(key)
        return fingerprint.hex
    }
}
