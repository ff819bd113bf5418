import Datasets
import Foundation
import GRU
import Quantization
import Randomness
import Search

/// How fast `evolve` evaluates configurations on smnist: the figure that decides how
/// many generations fit in a coffee break. It runs the same `QuantizationProblem`
/// `evolve` does, so the figure measures the real objective function.
enum EvolveBenchmark {
    /// Evaluations per second of a search (error and size, 17 genes at 2..8 bits) over
    /// smnist's 1000 validation sequences, or over random data of the same shape when
    /// smnist is not fetched (`evolve_on_smnist_data` says which). The model is a fresh
    /// one: accuracy does not change the work, so no training is needed.
    static func run(quick: Bool) -> [String: Double] {
        var sequences: [[Float]]
        var labels: [Int]
        var real = 1.0
        if let task = try? TaskCatalog.load("smnist", seed: 0) {
            sequences = task.validation.sequences
            labels = task.validation.labels
        } else {
            real = 0
            var generator = SeededGenerator(seed: 1)
            sequences = (0..<1000).map { _ in (0..<(28 * 28)).map { _ in generator.nextUnitFloat() } }
            labels = (0..<1000).map { $0 % 10 }
        }
        if quick {
            sequences = Array(sequences.prefix(200))
            labels = Array(labels.prefix(200))
        }
        var fresh = GRUClassifier(inputSize: 28, hiddenSize: 64, classCount: 10, seed: 1)
        fresh.standardization = Standardization.fit(sequences: sequences, featureCount: 28)
        let calibration = Calibration.calibrate(model: fresh, sequences: Array(sequences.prefix(128)), method: .maxAbs)
        let inputs = SearchInputs(model: fresh, calibration: calibration, options: QuantizationOptions(refine: .off), base: BitWidths())
        let problem = QuantizationProblem(task: "smnist", inputs: inputs,
                                          judge: JudgingSet(kind: .validation, seed: 1, copies: nil,
                                                            evaluator: IntegerEvaluator(sequences: sequences, labels: labels, featureCount: 28), floatModel: ""),
                                          objectives: SearchObjective.defaultList, widths: QuantizationProblem.defaultWidths)
        let options = NSGA2Options(populationSize: quick ? 8 : 32, seed: 1)
        guard let search = try? NSGA2(space: problem.space, options: options, objectiveCount: problem.objectives.count,
                                      evaluate: { problem.evaluate($0) }) else {
            return [:]
        }
        let start = DispatchTime.now().uptimeNanoseconds
        _ = search.run(generations: quick ? 1 : 3)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let evaluations = Double(search.cache.count)
        return [
            "evolve_evaluations_per_second": evaluations / seconds,
            "evolve_evaluations": evaluations,
            "evolve_sequences": Double(sequences.count),
            "evolve_on_smnist_data": real,
        ]
    }
}
