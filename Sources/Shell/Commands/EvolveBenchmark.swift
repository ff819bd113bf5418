import Datasets
import Foundation
import GRU
import Quantization
import Randomness
import Search

/// How fast `evolve` evaluates configurations on smnist: the figure that decides how
/// many generations fit in a coffee break. Lives in the shell because it is the one
/// place that joins the generic search to the integer engine, as `evolve` does.
enum EvolveBenchmark {
    /// Evaluations per second of a real search (error and size, 17 genes at 2..8 bits)
    /// over smnist's 1000 validation sequences, or over random data of the same shape
    /// when smnist is not fetched (`evolve_on_smnist_data` says which). The model is a
    /// fresh one: accuracy does not change the work, so no training is needed.
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
        let model = fresh
        let options = QuantizationOptions()
        let calibration = Calibration.calibrate(model: model, sequences: Array(sequences.prefix(128)), method: .maxAbs)
        let evaluator = IntegerEvaluator(sequences: sequences, labels: labels, featureCount: 28)
        let evaluate: @Sendable (Genome) -> [Double] = { genome in
            let quantized = QuantizedGRU(model: model, calibration: calibration, bits: BitWidths(genome: genome), options: options)
            return [1 - evaluator.accuracy(quantized, threads: 1), Double(quantized.size.total)]
        }
        let space = GenomeSpace(geneNames: GRUOperator.genome.map(\.name),
                                allowedValues: Array(repeating: Array(2...8), count: GRUOperator.genome.count))
        let population = quick ? 8 : 32
        guard let search = try? NSGA2(space: space, options: NSGA2Options(populationSize: population, seed: 1), objectiveCount: 2, evaluate: evaluate) else {
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
