import Datasets
import Foundation
import GRU
import Quantization

/// A float model trained once per test run on digits, with its task and default calibration.
struct DigitsFixture: Sendable {
    let task: Task
    let model: GRUClassifier
    let calibration: Calibration
    let options: QuantizationOptions

    static let shared: DigitsFixture = {
        let task = try! DigitsTask.load(seed: 0)
        let result = GRUTrainer.train(train: (task.train.sequences, task.train.labels),
                                      validation: (task.validation.sequences, task.validation.labels),
                                      featureCount: task.featureCount, classCount: task.classCount,
                                      options: TrainingOptions(seed: 0))
        let options = QuantizationOptions()
        let calibration = Calibration.calibrate(model: result.model, trainingSequences: task.train.sequences, options: options)
        return DigitsFixture(task: task, model: result.model, calibration: calibration, options: options)
    }()

    func quantized(_ bits: BitWidths, options: QuantizationOptions? = nil) -> QuantizedGRU {
        let options = options ?? self.options
        let calibration = options.range == self.options.range && options.calibratesLike(self.options) ? self.calibration
            : Calibration.calibrate(model: model, trainingSequences: task.train.sequences, options: options)
        return QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
    }

    var floatValidationAccuracy: Double { model.accuracy(task.validation.sequences, labels: task.validation.labels) }

    var validation: IntegerEvaluator {
        IntegerEvaluator(sequences: task.validation.sequences, labels: task.validation.labels, featureCount: task.featureCount)
    }
}

/// A small random model with random data of varying lengths, for exactness tests.
func randomModel(features: Int, hidden: Int, classes: Int, seed: UInt64) -> GRUClassifier {
    var model = GRUClassifier(inputSize: features, hiddenSize: hidden, classCount: classes, seed: seed)
    model.standardization = Standardization(mean: (0..<features).map { Float($0) * 0.1 }, scale: (0..<features).map { 1 + Float($0) * 0.05 })
    return model
}

func randomSequences(count: Int, features: Int, lengths: ClosedRange<Int>, seed: UInt64) -> [[Float]] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
    return (0..<count).map { _ in
        let steps = lengths.lowerBound + Int(next() % UInt64(lengths.count))
        return (0..<(steps * features)).map { _ in Float(Int(next() % 2001) - 1000) / 400 }
    }
}

/// Configurations of `network` to hold an engine to the reference with: each list of
/// assignments on 8 bits, then `trials` seeded random genomes at 2–8 bits (from trial
/// `wideFrom` on, a tenth of the genes at 9–16), input at 4–10 bits and fc at 2–8.
func testConfigurations(_ network: NetworkDescription, assignments: [[String]], trials: Int, wideFrom: Int,
                        state: inout UInt64) throws -> [(name: String, bits: BitWidths)] {
    func draw(_ range: ClosedRange<Int>) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return range.lowerBound + Int((state >> 33) % UInt64(range.count))
    }
    var configurations: [(name: String, bits: BitWidths)] = []
    for words in assignments {
        var bits = BitWidths(uniform: 8, network: network)
        try bits.apply(words)
        configurations.append((words.joined(separator: " "), bits))
    }
    for trial in 0..<trials {
        let genome = network.genome.map { _ in trial >= wideFrom && draw(0...9) == 0 ? draw(9...16) : draw(2...8) }
        configurations.append(("random \(trial)", BitWidths(genome: genome, input: draw(4...10), fc: draw(2...8), network: network)))
    }
    return configurations
}
