/// Labelled sequences of feature vectors; each sequence is stored flat, steps × features, row-major.
public struct SequenceSet: Sendable, Equatable {
    /// Features per time step.
    public var featureCount: Int
    /// One flat array per sequence: step 0's features, then step 1's, and so on.
    public var sequences: [[Float]]
    /// Class index of each sequence, 0 ..< classCount.
    public var labels: [Int]

    public init(featureCount: Int, sequences: [[Float]], labels: [Int]) {
        precondition(sequences.count == labels.count, "one label per sequence")
        self.featureCount = featureCount
        self.sequences = sequences
        self.labels = labels
    }

    /// Number of sequences.
    public var count: Int { labels.count }

    /// Number of time steps in sequence `index`.
    public func length(of index: Int) -> Int { sequences[index].count / featureCount }
}

/// A classification task split three ways: train, validation (for selection) and test (reported only).
public struct Task: Sendable {
    /// Short name a user types, e.g. `digits`.
    public var name: String
    /// Where the data came from, with its licence.
    public var source: String
    /// Class names in label order.
    public var classNames: [String]
    public var featureCount: Int
    public var train: SequenceSet
    public var validation: SequenceSet
    public var test: SequenceSet
    /// How the split was made, e.g. "stratified 60/20/20, seed 0".
    public var splitDescription: String
    /// What the loader chose on the user's behalf (which column holds the labels), said at
    /// `load task` so that a wrong guess is seen before a model trains on it.
    public var notes: [String] = []

    public init(name: String, source: String, classNames: [String], featureCount: Int,
                train: SequenceSet, validation: SequenceSet, test: SequenceSet,
                splitDescription: String) {
        self.name = name
        self.source = source
        self.classNames = classNames
        self.featureCount = featureCount
        self.train = train
        self.validation = validation
        self.test = test
        self.splitDescription = splitDescription
    }

    public var classCount: Int { classNames.count }
}
