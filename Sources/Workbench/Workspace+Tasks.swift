import Datasets

extension Workspace {
    /// The tasks `load task NAME` knows by name.
    public static var taskNames: [String] { TaskCatalog.names }

    /// The file kinds `load task PATH` reads, by extension.
    public static var taskFileExtensions: [String] { TaskCatalog.fileExtensions }

    /// Loads a task by name or path, split with `splitSeed` (the workspace seed by default),
    /// and makes it current; returns it and whether the model was kept.
    public func loadTask(_ nameOrPath: String, splitSeed: UInt64? = nil, options: LoadOptions = LoadOptions()) throws -> (task: Task, keptModel: Bool) {
        let task = try TaskCatalog.load(nameOrPath, seed: splitSeed ?? seed, options: options)
        let kept = load(task: task)
        return (task, kept)
    }
}
