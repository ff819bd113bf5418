import Foundation
import Workbench

/// A workspace with digits loaded and a small model trained on it, without a model cache.
func trainedWorkspace(hidden: Int = 12, seed: UInt64 = 0) throws -> Workspace {
    let workspace = Workspace(modelCache: nil)
    _ = try workspace.loadTask("digits")
    var settings = TrainingOptions()
    settings.epochs = 4
    settings.hiddenSize = hidden
    settings.seed = seed
    _ = try workspace.train(settings)
    return workspace
}

/// A fresh folder under the system's temporary directory.
func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-workbench-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The message a failing call throws, or nil when it succeeds.
func message(of body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as LocalizedError {
        return error.errorDescription
    } catch {
        return String(describing: error)
    }
}

/// A workspace with digits loaded and a small model trained on it, then refit on training +
/// validation, as a small training split is by default.
func refitWorkspace(seed: UInt64 = 0, schedule: LearningRateSchedule = .cosine, modelCache: ModelCache? = nil) throws -> Workspace {
    let workspace = Workspace(modelCache: modelCache)
    _ = try workspace.loadTask("digits")
    var settings = TrainingOptions(epochs: 2, hiddenSize: 8, seed: seed, schedule: schedule)
    settings.refit = true
    _ = try workspace.train(settings)
    guard workspace.model?.heldOut != nil else { throw FixtureError.refitDiscarded(seed: seed) }
    return workspace
}

enum FixtureError: Error {
    /// The refit failed to fit its data and was discarded (`GRUTrainer.refitShortfall`).
    case refitDiscarded(seed: UInt64)
}
