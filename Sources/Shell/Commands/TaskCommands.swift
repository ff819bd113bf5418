import Workbench

/// `load task` and `show task`.
enum TaskCommands {
    static let seed = Option<UInt64>.seed("seed of the train/validation/test split (default: the session seed)")
    static let features = Option<Int>("features", 1...100_000, "CSV: features per time step").valueNamed("F")
    static let steps = Option<Int>("steps", 1...1_000_000, "CSV: time steps per row").valueNamed("T")
    static let tuning = Option<Flag>.flag("tuning", "drop the test split unseen and carve a stand-in test split (25 %) from training, for choosing methods without touching test")
    static let label = Option<LabelPosition>("label", "CSV, TSV, TXT: the column holding the class label (default: whichever end alone looks like labels; asked when both or neither do)")

    /// The spellings of `label`.
    enum LabelPosition: String, CaseIterable, Sendable {
        case first, last

        var column: LoadOptions.LabelColumn { self == .first ? .first : .last }
    }

    /// A `load task` line, read.
    struct LoadRequest {
        var source: String
        var seed: UInt64?
        var options: LoadOptions
        var tuning: Bool
    }

    static var commands: [Command] {
        [
            Command(
                name: "load task", operands: "NAME|PATH",
                summary: "Load a task by name (\(Workspace.taskNames.joined(separator: ", "))) or a data file by path",
                details: "Splits the samples into train, validation and test, stratified by class and seeded; a file with its own test split keeps it. Files: UEA/UCR .ts and .arff, the UCR archive's .tsv and .txt (and its extension-less NAME_TRAIN files), NumPy .npy/.npz, CSV (.gz too), IDX. Given NAME_TRAIN or NAME_TEST, gq reads both and keeps the published test split. Loading another task drops the current model.",
                examples: ["load task digits", "load task digits seed 3", "load task data/series.csv steps 28 label first"],
                options: [seed, features, steps, label, tuning], completion: .wordsAndPaths(Workspace.taskNames),
                publishes: ["task"],
                parse: parseLoad,
                run: load
            ),
            Command(
                name: "show task", summary: "Describe the loaded task: source, splits, classes, shape",
                examples: ["show task"],
                run: { interpreter in
                    let task = try interpreter.session.workspace.requireTask()
                    task.summary.lines.forEach(interpreter.session.io.out)
                }
            ),
        ]
    }

    static func parseLoad(_ arguments: Arguments) throws -> LoadRequest {
        guard arguments.count >= 1 else {
            throw CommandError("'load task' needs a task name or a file path: one of \(Workspace.taskNames.joined(separator: ", ")), or a .ts/.arff/.npz/.npy/.csv/.tsv/.txt/IDX file")
        }
        let parsed = try arguments.options(from: 1)
        var options = LoadOptions()
        options.featureCount = parsed[features]
        options.stepCount = parsed[steps]
        if let position = parsed[label] { options.labelColumn = position.column }
        return LoadRequest(source: arguments.path(0), seed: parsed[seed], options: options, tuning: parsed.has(tuning))
    }

    private static func load(_ interpreter: Interpreter, _ request: LoadRequest) throws {
        let session = interpreter.session
        let task: Task
        do {
            task = try session.workspace.loadTask(request.source, splitSeed: request.seed, options: request.options, tuning: request.tuning).task
        } catch {
            throw CommandError(Interpreter.message(for: error), argument: 0)
        }
        session.variables["task"] = .string(task.name)
        let summary = task.summary
        session.io.out("loaded \(task.name): \(summary.trainCount) train, \(summary.validationCount) validation, \(summary.testCount) test sequences; \(summary.lengthText) steps × \(task.featureCount) features; \(task.classCount) classes")
        task.notes.forEach(session.io.out)
        if session.workspace.bits.uniformWidth != 8 {
            session.io.out("bits \(session.workspace.bits) carry over from before; 'reset bits' returns to homogeneous 8-bit")
        }
    }
}
