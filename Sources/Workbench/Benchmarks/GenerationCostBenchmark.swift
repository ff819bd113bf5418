import Foundation
import Search

/// What one generation of `evolve` costs early in a run and late in it, with everything
/// `evolve` does per generation: offspring, evaluation (mostly cache hits late on),
/// survival, the checkpoint save, and the progress line's front and hypervolume. Flat
/// figures mean the cost follows the work, not the run's history (issue 13).
enum GenerationCostBenchmark {
    /// Seconds per generation (median of ten) around generation 10 and around the last,
    /// on vowels with the default `train` when it is fetched, else on digits
    /// (`evolve_generation_on_vowels` says which); population 48, seed 1, 500
    /// generations (60 with `quick`).
    static func run(quick: Bool) -> [String: Double] {
        let workspace = Workspace(modelCache: ModelCache.standard())
        let onVowels = (try? workspace.loadTask("vowels")) != nil
        if !onVowels { _ = try? workspace.loadTask("digits") }
        guard (try? workspace.train(workspace.defaultTrainingOptions())) != nil else { return [:] }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let last = quick ? 60 : 500
        let checkpoint = folder.appendingPathComponent("run.json")
        var request = EvolveRequest(generations: last, population: 48, seed: 1, checkpoint: checkpoint)
        request.fresh = true
        guard let (search, _) = try? workspace.prepareSearch(request) else { return [:] }
        var stamps: [UInt64] = [DispatchTime.now().uptimeNanoseconds]
        var frontSize = 0
        let finished = try? search.advance(shouldStop: { false }) { _ in
            // What the progress line of `evolve` reads every generation.
            frontSize = search.frontPoints.count
            _ = search.hypervolume
            stamps.append(DispatchTime.now().uptimeNanoseconds)
        }
        guard finished == true, stamps.count > 20 else { return [:] }
        let seconds = zip(stamps.dropFirst(), stamps).map { Double($0 - $1) / 1e9 }
        func median(around generation: Int) -> Double {
            let window = seconds[max(0, generation - 5)..<min(seconds.count, generation + 5)].sorted()
            return window[window.count / 2]
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: checkpoint.path)[.size] as? Int) ?? 0
        return [
            "evolve_generation_seconds_at_10": median(around: 10),
            "evolve_generation_seconds_at_\(last)": median(around: seconds.count - 5),
            "evolve_generation_total_seconds": Double(stamps[stamps.count - 1] - stamps[0]) / 1e9,
            "evolve_generation_front_size": Double(frontSize),
            "evolve_generation_checkpoint_bytes": Double(bytes),
            "evolve_generation_on_vowels": onVowels ? 1 : 0,
        ]
    }
}
