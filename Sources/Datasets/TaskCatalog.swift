import Foundation
import TextMatching

/// The tasks a user can name, and loading by name or by path.
public enum TaskCatalog {
    /// Task names a user can type: the embedded `digits`, then the benchmark tasks that
    /// `scripts/fetch-datasets` brings (listed whether fetched or not; loading one before
    /// fetching says which command to run).
    public static var names: [String] { [DigitsTask.name] + BenchmarkTasks.all.map(\.name) }

    /// File extensions (looking through `.gz`) that `load` reads by path.
    public static let fileExtensions = ["ts", "arff", "npz", "npy", "csv", "tsv", "txt", "idx", "ubyte"]

    /// Loads a built-in task by name, or a data file by path (format chosen by extension).
    /// Benchmark tasks are looked for as `search` says (see `DataSearch`); the CSV shape
    /// options do not apply to them, the split fractions do.
    public static func load(_ nameOrPath: String, seed: UInt64 = 0, options: LoadOptions = LoadOptions(),
                            search: DataSearch = .process) throws(DatasetError) -> Task {
        if nameOrPath == DigitsTask.name { return try DigitsTask.load(seed: seed, options: options) }
        if let entry = BenchmarkTasks.entry(named: nameOrPath) {
            return try BenchmarkTasks.load(entry, seed: seed, options: options, search: search)
        }
        guard looksLikePath(nameOrPath) else {
            throw .unknownTask(name: nameOrPath, known: names, suggestion: suggestion(for: nameOrPath, among: names))
        }
        guard FileManager.default.fileExists(atPath: nameOrPath) else { throw .fileNotFound(path: nameOrPath) }
        switch FileInput.formatExtension(nameOrPath) {
        case "csv", "tsv", "txt": return try CSVLoader.load(path: nameOrPath, options: options, seed: seed)
        case "npz", "npy": return try NumpyLoader.load(path: nameOrPath, options: options, seed: seed)
        case "ts": return try TSLoader.load(path: nameOrPath, options: options, seed: seed)
        case "arff": return try ARFFLoader.load(path: nameOrPath, options: options, seed: seed)
        default:
            if IDXLoader.looksLikeIDX(nameOrPath) { return try IDXLoader.load(path: nameOrPath, options: options, seed: seed) }
            // The UCR archive's originals (`Coffee_TRAIN`, `Coffee_TEST`) have no extension.
            if FileInput.formatExtension(nameOrPath).isEmpty, PublishedPair(path: nameOrPath) != nil {
                return try CSVLoader.load(path: nameOrPath, options: options, seed: seed)
            }
            throw .unsupportedFormat(path: nameOrPath)
        }
    }

    /// A word with a slash, a known extension, or naming an existing file is a path; anything else a task name.
    static func looksLikePath(_ text: String) -> Bool {
        text.contains("/") || fileExtensions.contains(FileInput.formatExtension(text))
            || text.lowercased().hasSuffix(".gz") || FileManager.default.fileExists(atPath: text)
    }

    /// The known name closest to a likely typo of it, if any.
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        Suggestion.closest(to: word, among: candidates)
    }
}
