import Datasets

extension Workspace {
    /// The tasks `load task NAME` knows by name.
    public static var taskNames: [String] { TaskCatalog.names }

    /// Loads a task by name or path, split with `splitSeed` (the workspace seed by default),
    /// and makes it current; returns it and whether the model was kept.
    /// With `tuning`, the test split is replaced by a carve of training (`Task.tuningSplit`).
    public func loadTask(_ nameOrPath: String, splitSeed: UInt64? = nil, options: LoadOptions = LoadOptions(),
                         tuning: Bool = false) throws -> (task: Task, keptModel: Bool) {
        let seed = splitSeed ?? self.seed
        var task = try TaskCatalog.load(nameOrPath, seed: seed, options: options)
        if tuning {
            task = task.tuningSplit(seed: seed)
            // Too few training sequences leave nothing to carve: no stand-in test to tune on.
            if task.test.count == 0 || task.train.count == 0 { throw WorkbenchError.emptySplit(task.test.count == 0 ? "stand-in test" : "training") }
        }
        let kept = load(task: task)
        return (task, kept)
    }
}
