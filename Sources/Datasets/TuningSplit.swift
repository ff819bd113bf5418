extension Task {
    /// The task as a tuning run sees it: the test split dropped unseen, and a stand-in
    /// test split carved (stratified, seeded) from training, so that a method can be
    /// chosen on the four benchmark tasks without ever looking at their test data.
    /// Validation stays as it is, so a search optimises on the same split as usual.
    public func tuningSplit(fraction: Double = 0.25, seed: UInt64) -> Task {
        let parts = StratifiedSplit.partition(labels: train.labels, fractions: [1 - fraction, fraction], seed: seed ^ 0x7475_6e65)
        func subset(_ indices: [Int]) -> SequenceSet {
            SequenceSet(featureCount: featureCount, sequences: indices.map { train.sequences[$0] }, labels: indices.map { train.labels[$0] })
        }
        var task = Task(name: name, source: source, classNames: classNames, featureCount: featureCount,
                    train: subset(parts[0]), validation: validation, test: subset(parts[1]),
                    splitDescription: splitDescription + "; tuning: test is \(Int((fraction * 100).rounded())) % of train (stratified), the real test split is not loaded")
        task.notes = notes
        return task
    }
}
