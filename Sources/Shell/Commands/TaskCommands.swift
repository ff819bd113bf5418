import Datasets

/// `load task` and `show task`.
enum TaskCommands {
    static let loadOptions: [OptionSpec] = [
        OptionSpec("seed", .integer(0...Int.max), "seed of the train/validation/test split (default: the session seed)"),
        OptionSpec("features", .integer(1...100_000), "CSV: features per time step"),
        OptionSpec("steps", .integer(1...1_000_000), "CSV: time steps per row"),
        OptionSpec("label", .word(["first", "last"]), "CSV: the column holding the class label (default last)"),
    ]

    static var commands: [Command] {
        [
            Command(
                name: "load task", usage: "load task NAME|PATH [seed S] [features F] [steps T] [label first|last]",
                summary: "Load a task by name (\(TaskCatalog.names.joined(separator: ", "))) or a data file by path",
                details: "Splits the samples into train, validation and test, stratified by class and seeded; a file with its own test split keeps it. Files: UEA/UCR .ts, NumPy .npy/.npz, CSV (.gz too), IDX. Loading another task drops the current model.",
                examples: ["load task digits", "load task digits seed 3", "load task data/series.csv steps 28 label first"],
                options: loadOptions, completion: .taskNames,
                run: load
            ),
            Command(
                name: "show task", usage: "show task", summary: "Describe the loaded task: source, splits, classes, shape",
                examples: ["show task"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "show task")
                    let task = try interpreter.session.requireTask()
                    task.summary.lines.forEach(interpreter.session.io.out)
                }
            ),
        ]
    }

    private static func load(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        guard arguments.count >= 1 else {
            throw CommandError("'load task' needs a task name or a file path: one of \(TaskCatalog.names.joined(separator: ", ")), or a .ts/.npz/.npy/.csv/IDX file")
        }
        let options = try arguments.options(loadOptions, from: 1)
        let session = interpreter.session
        var loadOptions = LoadOptions()
        loadOptions.featureCount = options.integer("features")
        loadOptions.stepCount = options.integer("steps")
        if let label = options.choice("label") { loadOptions.labelColumn = label == "first" ? .first : .last }
        let seed = options.integer("seed").map(UInt64.init) ?? session.seed
        let task: Task
        do {
            task = try TaskCatalog.load(arguments.path(0), seed: seed, options: loadOptions)
        } catch {
            throw CommandError(error.description, argument: 0)
        }
        // A model trained on another task, or another split of this one (whose test set
        // may hold its training data), no longer applies.
        if let model = session.model, session.task?.name != task.name || session.task?.splitDescription != task.splitDescription
            || model.inputSize != task.featureCount {
            session.model = nil
            session.modelOrigin = nil
        }
        session.task = task
        session.variables["task"] = .string(task.name)
        let summary = task.summary
        session.io.out("loaded \(task.name): \(summary.trainCount) train, \(summary.validationCount) validation, \(summary.testCount) test sequences; \(summary.lengthText) steps × \(task.featureCount) features; \(task.classCount) classes")
    }
}
