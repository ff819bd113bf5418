/// Choices for reading a task from a file; the defaults suit most files.
public struct LoadOptions: Sendable, Equatable {
    /// Which CSV column holds the class label.
    public enum LabelColumn: Sendable, Equatable {
        /// The first or the last column, whichever alone looks like class labels
        /// (`LabelColumnChoice`); asked for when both or neither do.
        case automatic
        case first
        case last
        /// 1-based, as a spreadsheet counts.
        case column(Int)
    }

    /// CSV: where the label is (found by looking, unless given).
    public var labelColumn: LabelColumn
    /// CSV: features per time step (F). Give this or `stepCount`; with neither, each row is univariate (F = 1).
    public var featureCount: Int?
    /// CSV: time steps per row (T); F is then the row's value count divided by T.
    public var stepCount: Int?
    /// CSV: whether the first line is a header; nil detects one (a first line with no numeric value cells).
    public var hasHeader: Bool?
    /// Share of all samples for validation; for files with a published train/test split, the share of train.
    public var validationFraction: Double
    /// Share of all samples for test; ignored when the file comes with its own test set.
    public var testFraction: Double

    public init(labelColumn: LabelColumn = .automatic, featureCount: Int? = nil, stepCount: Int? = nil,
                hasHeader: Bool? = nil, validationFraction: Double = 0.2, testFraction: Double = 0.2) {
        self.labelColumn = labelColumn
        self.featureCount = featureCount
        self.stepCount = stepCount
        self.hasHeader = hasHeader
        self.validationFraction = validationFraction
        self.testFraction = testFraction
    }

    func validated() throws(DatasetError) -> LoadOptions {
        if let featureCount, featureCount < 1 {
            throw .invalidOption("feature count must be at least 1, got \(featureCount)")
        }
        if let stepCount, stepCount < 1 {
            throw .invalidOption("step count must be at least 1, got \(stepCount)")
        }
        if featureCount != nil, stepCount != nil {
            throw .invalidOption("give either the feature count or the step count, not both")
        }
        if case .column(let column) = labelColumn, column < 1 {
            throw .invalidOption("label column is 1-based, got \(column)")
        }
        guard (0 ..< 1).contains(validationFraction), (0 ..< 1).contains(testFraction),
              validationFraction + testFraction < 1 else {
            throw .invalidOption("validation (\(validationFraction)) and test (\(testFraction)) fractions must each be in [0, 1) and leave some samples for training")
        }
        return self
    }
}
