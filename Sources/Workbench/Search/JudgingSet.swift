import Quantization

/// The labelled sequences a search measures accuracy on, and `compare` judges its
/// candidates against 8-bit with.
///
/// `noisy` (the default): the validation split plus noisy copies of the training split, as
/// hard for the float model as validation (`NoisyCopies`); on small tasks many times more
/// sequences than validation, so the front is chosen on evidence that can see quantization
/// damage validation cannot (docs/selection.md). `validation`: the validation split alone.
public struct JudgingSet: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case noisy, validation
    }

    public let kind: Kind
    /// The seed the copies were drawn with (the session seed when the search began).
    public let seed: UInt64
    /// The copies, for `noisy`.
    public let copies: NoisyCopies?
    public let evaluator: IntegerEvaluator
    /// Digest of the float model the copies' noise was matched to (the search's weights may be fine-tuned ones).
    let floatModel: String

    /// What a search's accuracy is called in reports.
    public var label: String { kind == .validation ? "validation" : "judged" }

    /// What it holds, for the line before a report.
    public var summary: String {
        guard let copies else { return "\(evaluator.count) validation sequences" }
        return copies.summary
    }

    /// What the search's fingerprint adds: nothing for validation, so older checkpoints
    /// (all judged on validation) still match.
    var identity: String { Self.identity(kind: kind, seed: seed, floatModel: floatModel) }

    /// The copies follow from the float model, the seed and the data, so these name them
    /// without drawing them (`Workspace.unfinishedRuns` checks saved runs this way).
    static func identity(kind: Kind, seed: UInt64, floatModel: String, version: Int = currentVersion) -> String {
        kind == .validation ? "" : "|judged on noisy copies v\(version), seed \(seed), float model \(floatModel)"
    }

    /// How the copies are drawn: 1 capped the set at 4,096 sequences whatever their length; 2
    /// at a budget of steps (`NoisyCopies.stepBudget`), which gives short sequences more copies.
    static let currentVersion = 2
}

extension NoisyCopies {
    /// "54 validation and 162 × 8 noisy training sequences (noise 0.86 standard deviations)".
    public var summary: String {
        guard copies > 0 else {
            let why = validationCount == 0 ? "no validation split to match noise to"
                : labelledCount > validationCount ? "validation alone fills the judging set's \(Self.stepBudget) steps or \(Self.minimumCapacity) sequences, whichever is more" : "no training sequences to copy"
            return "\(validationCount) validation sequences (no copies: \(why))"
        }
        let unseen = crossFitted.map { score in
            let scored = score.sequences < labelledCount
                ? "\(score.sequences) of the \(labelledCount) labelled sequences (a fold model that did not fit its data left out)"
                : "\(score.sequences) labelled sequences"
            return String(format: "unseen data for models trained like it (cross-fitting: %.1f %% of %@, each scored by a model trained without it)", score.accuracy * 100, scored)
        } ?? "validation for the float model"
        let noiseText = noise == 0 ? "no noise: training is as hard as \(unseen)"
            : String(format: "noise %.2g %@, as hard as %@", noise, standardised ? "standard deviations" : "in the data's own units", unseen)
        return "\(validationCount) validation and \(trainingCount) × \(copies) noisy training sequences (\(noiseText))"
    }
}

extension JudgingSet {
    /// How a checkpoint's context records it: "noisy 7" (kind and seed); nil for validation,
    /// as in checkpoints older than the judging set.
    var contextValue: String? { kind == .validation ? nil : "\(kind.rawValue) \(seed)" }

    /// The kind and seed a checkpoint's context names.
    static func parse(context value: String?, path: String) throws -> (Kind, UInt64?) {
        guard let value else { return (.validation, nil) }
        let parts = value.split(separator: " ")
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let seed = UInt64(parts[1]) else {
            throw WorkbenchError.checkpoint(path: path, reason: "judged its configurations on '\(value)', which this gq does not know (it knows \(Kind.allCases.map(\.rawValue).joined(separator: ", ")) with a seed)")
        }
        return (kind, seed)
    }
}

extension Workspace {
    /// A digest of the float model's weights, of its held-out loss when it has one, and of the
    /// recipe cross-fitting copies when there is one (the noisy copies' σ follows them). A
    /// model without them digests as before, so older checkpoints of it still match; a refit
    /// model from `train` now digests otherwise than the same model from a file, whose copies
    /// follow the held-out loss.
    func floatModelDigest() throws -> String {
        var fingerprint = Fingerprint()
        let model = try requireModel()
        fingerprint.add(weightsOf: model)
        if let heldOut = model.heldOut { fingerprint.add("held out loss \(heldOut.loss)") }
        // The cross-fitted loss follows from the recipe and the data, so naming the recipe
        // names it without training the fold models.
        if let (recipe, _) = refitRecipe() { fingerprint.add("\(CrossFit.version) \(Workspace.cacheKey(task: try requireTask(), settings: recipe))") }
        return fingerprint.hex
    }

    /// The judging set of `kind` for the current model; noisy copies drawn with `seed`.
    public func judgingSet(_ kind: JudgingSet.Kind, seed: UInt64) throws -> JudgingSet {
        switch kind {
        case .validation:
            return JudgingSet(kind: kind, seed: seed, copies: nil, evaluator: try evaluator(of: .validation), floatModel: "")
        case .noisy:
            let (copies, evaluator) = try noisyJudge(seed: seed)
            return JudgingSet(kind: kind, seed: seed, copies: copies, evaluator: evaluator, floatModel: try floatModelDigest())
        }
    }
}
