/// Labelled samples as read from one file, before classes are numbered and splits made.
struct SamplePool {
    var file: String
    var featureCount: Int
    var sequences: [[Float]]
    var labels: [String]
    /// Optional grouping (e.g. subject); when present, splits keep each group whole.
    var groups: [String]?

    init(file: String, featureCount: Int, sequences: [[Float]] = [], labels: [String] = [], groups: [String]? = nil) {
        self.file = file
        self.featureCount = featureCount
        self.sequences = sequences
        self.labels = labels
        self.groups = groups
    }
}

/// Turns pools into a `Task`: numbers the classes and splits.
enum TaskAssembly {
    /// Declared order if the file declares one; numeric order when every label is a number
    /// (so "10" follows "9"); otherwise lexicographic.
    static func classNames(of labels: [String], declared: [String]?) -> [String] {
        if let declared { return declared }
        let unique = Set(labels)
        let numeric = unique.compactMap { label in Double(label).map { (label, $0) } }
        if numeric.count == unique.count {
            return numeric.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
        }
        return unique.sorted()
    }

    static func indices(of pool: SamplePool, classNames: [String]) throws(DatasetError) -> [Int] {
        var lookup: [String: Int] = [:]
        for (index, name) in classNames.enumerated() { lookup[name] = index }
        var result: [Int] = []
        result.reserveCapacity(pool.labels.count)
        for label in pool.labels {
            guard let index = lookup[label] else {
                throw .malformed(FileLocation(file: pool.file), problem: "label '\(label)' is not among the classes \(classNames)")
            }
            result.append(index)
        }
        return result
    }

    static func percent(_ fraction: Double) -> Int { Int((fraction * 100).rounded()) }

    static func subset(_ pool: SamplePool, labels: [Int], _ indices: [Int]) -> SequenceSet {
        SequenceSet(featureCount: pool.featureCount,
                    sequences: indices.map { pool.sequences[$0] },
                    labels: indices.map { labels[$0] })
    }

    static func checkNotEmpty(_ pool: SamplePool) throws(DatasetError) {
        if pool.sequences.isEmpty {
            throw .malformed(FileLocation(file: pool.file), problem: "no samples")
        }
        // A GRU needs at least one step to produce a hidden state to classify.
        if let empty = pool.sequences.firstIndex(where: { $0.isEmpty }) {
            throw .malformed(FileLocation(file: pool.file), problem: "sequence \(empty + 1) has no time steps")
        }
        // Every loader's numbers end here: one NaN trains the whole model to NaN.
        if let bad = pool.sequences.firstIndex(where: { $0.contains { !$0.isFinite } }) {
            throw .malformed(FileLocation(file: pool.file), problem: "sequence \(bad + 1) holds a NaN or infinite value (or one too large for a 32-bit float); missing values are not supported")
        }
    }

    /// A split that leaves training, validation or test empty cannot be trained or
    /// scored (validation loss NaN, accuracy 0 %): refused, saying why and what to do.
    /// Only a split given a share can be empty by mistake (a caller may ask for none).
    static func checkSplits(_ task: Task, groupCount: Int?, file: String, options: LoadOptions) throws(DatasetError) {
        let splits = [("training", task.train, 1.0), ("validation", task.validation, options.validationFraction),
                      ("test", task.test, options.testFraction)]
        for (name, set, share) in splits where set.count == 0 && share > 0 {
            let why = groupCount.map { "\($0) group\($0 == 1 ? "" : "s") cannot fill three splits, since each group stays in one; gq needs samples from more groups" }
                ?? "\(task.train.count + task.validation.count + task.test.count) samples in \(task.classNames.count) classes are too few to give every split a share; gq needs a few samples per class"
            throw .malformed(FileLocation(file: file), problem: "the \(name) split is empty: \(why)")
        }
    }

    /// One pool, split three ways (by group when the pool has groups).
    static func task(name: String, source: String, pool: SamplePool, declaredClasses: [String]? = nil,
                     options: LoadOptions, seed: UInt64) throws(DatasetError) -> Task {
        try checkNotEmpty(pool)
        let options = try options.validated()
        let names = classNames(of: pool.labels, declared: declaredClasses)
        let labels = try indices(of: pool, classNames: names)
        let trainFraction = 1 - options.validationFraction - options.testFraction
        let fractions = [trainFraction, options.validationFraction, options.testFraction]
        let shares = fractions.map { String(percent($0)) }.joined(separator: "/")
        let (parts, groupCount) = partition(pool, labels: labels, fractions: fractions, seed: seed)
        let description = groupCount.map { "by group \(shares) from \(pool.sequences.count) samples in \($0) groups, seed \(seed); no group in two splits" }
            ?? "stratified \(shares) from \(pool.sequences.count) samples, seed \(seed)"
        let task = Task(name: name, source: source, classNames: names, featureCount: pool.featureCount,
                        train: subset(pool, labels: labels, parts[0]),
                        validation: subset(pool, labels: labels, parts[1]),
                        test: subset(pool, labels: labels, parts[2]),
                        splitDescription: description)
        try checkSplits(task, groupCount: groupCount, file: pool.file, options: options)
        return task
    }

    /// Index sets for the given fractions: by group when the pool names groups (so no
    /// group lands in two parts; the group count is returned), otherwise stratified by label.
    static func partition(_ pool: SamplePool, labels: [Int], fractions: [Double], seed: UInt64) -> (parts: [[Int]], groupCount: Int?) {
        guard let groups = pool.groups else {
            return (StratifiedSplit.partition(labels: labels, fractions: fractions, seed: seed), nil)
        }
        var groupIndex: [String: Int] = [:]
        let numbered = groups.map { group in
            if let index = groupIndex[group] { return index }
            groupIndex[group] = groupIndex.count
            return groupIndex.count - 1
        }
        return (StratifiedSplit.partition(groups: numbered, fractions: fractions, seed: seed), groupIndex.count)
    }

    /// A published train/test pair: test kept as published, validation carved from train.
    static func task(name: String, source: String, train: SamplePool, test: SamplePool,
                     declaredClasses: [String]? = nil, options: LoadOptions, seed: UInt64) throws(DatasetError) -> Task {
        try checkNotEmpty(train)
        try checkNotEmpty(test)
        let options = try options.validated()
        guard train.featureCount == test.featureCount else {
            throw .malformed(FileLocation(file: test.file),
                             problem: "\(test.featureCount) features per step, but \(train.file) has \(train.featureCount)")
        }
        let names = classNames(of: train.labels + test.labels, declared: declaredClasses)
        let trainLabels = try indices(of: train, classNames: names)
        let testLabels = try indices(of: test, classNames: names)
        let fractions = [1 - options.validationFraction, options.validationFraction]
        let (parts, groupCount) = partition(train, labels: trainLabels, fractions: fractions, seed: seed)
        let carving = groupCount == nil ? "stratified" : "by group"
        let description = "published train/test split (\(train.sequences.count)/\(test.sequences.count) samples); "
            + "validation \(carving) \(percent(options.validationFraction)) % of train, seed \(seed); test untouched"
        let task = Task(name: name, source: source, classNames: names, featureCount: train.featureCount,
                        train: subset(train, labels: trainLabels, parts[0]),
                        validation: subset(train, labels: trainLabels, parts[1]),
                        test: subset(test, labels: testLabels, Array(test.sequences.indices)),
                        splitDescription: description)
        try checkSplits(task, groupCount: groupCount, file: train.file, options: options)
        return task
    }
}
