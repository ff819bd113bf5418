/// What `show task` prints: a task's provenance, shape and split.
public struct TaskSummary: Sendable, Equatable {
    public var name: String
    public var source: String
    public var splitDescription: String
    public var trainCount: Int
    public var validationCount: Int
    public var testCount: Int
    public var classNames: [String]
    /// Shortest and longest sequence over all splits, in time steps.
    public var sequenceLength: ClosedRange<Int>
    public var featureCount: Int
    /// What the loader chose on the user's behalf (`Task.notes`).
    public var notes: [String] = []

    /// "8" for fixed-length tasks, "7–29" for variable-length ones.
    public var lengthText: String {
        sequenceLength.lowerBound == sequenceLength.upperBound
            ? "\(sequenceLength.lowerBound)" : "\(sequenceLength.lowerBound)–\(sequenceLength.upperBound)"
    }

    /// Aligned label–value lines, ready to print.
    public var lines: [String] {
        let shown = classNames.count <= 12
            ? classNames.joined(separator: ", ")
            : classNames.prefix(10).joined(separator: ", ") + ", … (\(classNames.count - 10) more)"
        let total = trainCount + validationCount + testCount
        return [
            "task      \(name)",
            "source    \(source)",
            "samples   \(total): train \(trainCount), validation \(validationCount), test \(testCount)",
            "split     \(splitDescription)",
            "classes   \(classNames.count): \(shown)",
            "length    \(lengthText) steps",
            "features  \(featureCount) per step",
        ] + notes.map { "note      \($0)" }
    }
}

extension Task {
    /// The summary `show task` prints.
    public var summary: TaskSummary {
        var shortest = Int.max, longest = 0
        for set in [train, validation, test] {
            for index in 0 ..< set.count {
                let length = set.length(of: index)
                shortest = Swift.min(shortest, length)
                longest = Swift.max(longest, length)
            }
        }
        if shortest > longest { shortest = 0 }
        return TaskSummary(name: name, source: source, splitDescription: splitDescription,
                           trainCount: train.count, validationCount: validation.count, testCount: test.count,
                           classNames: classNames, sequenceLength: shortest ... longest, featureCount: featureCount, notes: notes)
    }
}
