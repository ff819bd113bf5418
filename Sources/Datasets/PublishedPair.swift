import Foundation

/// One file of a task as a text loader read it, before classes are numbered and splits made.
struct LoadedFile {
    var pool: SamplePool
    /// The class order the file declares (`.ts` `@classLabel`, an ARFF nominal attribute).
    var declaredClasses: [String]?
    /// Where the declaration stands and what it is called (`@classLabel`), for an error about it.
    var declaredAt: FileLocation?
    var declaredBy = "the file"
    /// The problem's own name, when the file gives one.
    var name: String?
    /// The label column a delimited file was read with, so its partner is read the same way.
    var labelColumn: LoadOptions.LabelColumn?
    /// What the loader chose for the user, said once at `load task`.
    var notes: [String] = []
    /// How the file was read, for the task's source line ("20 rows, label in last column").
    var detail: String?

    func source(_ text: String) -> String { detail.map { "\(text) (\($0))" } ?? text }
}

/// The UCR and UEA archives publish every problem as `NAME_TRAIN` and `NAME_TEST` files of
/// one format. Given either half, gq reads both and keeps the published test split, so a
/// result is comparable with the archive's. The name's case is the user's (`_train`,
/// `_Train`); a `.gz` and the extension carry over; the old UCR files have no extension.
struct PublishedPair: Equatable {
    var base: String
    var train: String
    var test: String
    /// The half named on the command line.
    var given: String

    /// nil when the file's name marks no half.
    init?(path: String) {
        let stem = FileInput.stem(path)
        let upper = stem.uppercased()
        guard let half = ["_TRAIN", "_TEST"].first(where: { upper.hasSuffix($0) }), stem.count > half.count else { return nil }
        let base = String(stem.dropLast(half.count))
        let directory = (path as NSString).deletingLastPathComponent
        let suffix = (path as NSString).lastPathComponent.dropFirst(stem.count)  // ".ts", ".tsv.gz", or nothing
        let written = String(stem.suffix(half.count - 1))
        func partner(_ word: String) -> String {
            let cased = written == written.uppercased() ? word.uppercased()
                : written == written.lowercased() ? word.lowercased() : word.capitalized
            let name = base + "_" + cased + suffix
            return directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
        }
        self.base = base
        train = half == "_TRAIN" ? path : partner("train")
        test = half == "_TEST" ? path : partner("test")
        given = path
    }

    var partner: String { given == train ? test : train }

    /// A task from `path`: both halves when `path` names one and its partner is beside it,
    /// else the one file split three ways. `read` gets the train half's result when it
    /// reads the test half, so the two are read alike.
    static func task(path: String, kind: String, options: LoadOptions, seed: UInt64,
                     read: (String, LoadedFile?) throws(DatasetError) -> LoadedFile) throws(DatasetError) -> Task {
        guard let pair = PublishedPair(path: path) else {
            let file = try read(path, nil)
            var task = try TaskAssembly.task(name: file.name ?? FileInput.stem(path), source: file.source("\(kind) file \(path)"),
                                             pool: file.pool, declaredClasses: file.declaredClasses, options: options, seed: seed)
            task.notes = file.notes
            return task
        }
        guard FileManager.default.fileExists(atPath: pair.partner) else {
            let file = try read(path, nil)
            var task = try TaskAssembly.task(name: pair.base, source: file.source("\(kind) file \(path)"), pool: file.pool,
                                             declaredClasses: file.declaredClasses, options: options, seed: seed)
            task.splitDescription += " (no \((pair.partner as NSString).lastPathComponent) beside it, so no published split)"
            task.notes = file.notes
            return task
        }
        let train = try read(pair.train, nil)
        let test = try read(pair.test, train)
        if let declaredTrain = train.declaredClasses, let declaredTest = test.declaredClasses, Set(declaredTrain) != Set(declaredTest) {
            throw .malformed(test.declaredAt ?? FileLocation(file: pair.test),
                             problem: "\(test.declaredBy) declares \(declaredTest), but \(pair.train) declares \(declaredTrain)")
        }
        var task = try TaskAssembly.task(name: pair.base, source: train.source("\(kind) files \(pair.train) + \((pair.test as NSString).lastPathComponent)"),
                                         train: train.pool, test: test.pool, declaredClasses: train.declaredClasses,
                                         options: options, seed: seed)
        task.notes = train.notes
        return task
    }
}
