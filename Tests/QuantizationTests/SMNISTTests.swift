import Datasets
import Foundation
import GRU
import Quantization
import Testing

/// Row-wise MNIST when `scripts/fetch-datasets` has brought it (skipped otherwise).
@Suite("smnist (when fetched)")
struct SMNISTTests {
    static var task: Task? { try? TaskCatalog.load("smnist", seed: 0) }

    @Test("homogeneous 8-bit is within 1 point of float accuracy on smnist", .enabled(if: SMNISTTests.task != nil, "needs the smnist task (scripts/fetch-datasets)"))
    func eightBits() throws {
        let task = try #require(SMNISTTests.task)
        let model = GRUTrainer.train(train: (task.train.sequences, task.train.labels),
                                     validation: (task.validation.sequences, task.validation.labels),
                                     featureCount: task.featureCount, classCount: task.classCount, options: TrainingOptions(seed: 0)).model
        let float = model.accuracy(task.validation.sequences, labels: task.validation.labels)
        let options = QuantizationOptions()
        let calibration = Calibration.calibrate(model: model, trainingSequences: task.train.sequences, options: options)
        let evaluator = IntegerEvaluator(sequences: task.validation.sequences, labels: task.validation.labels, featureCount: task.featureCount)
        let eight = evaluator.accuracy(QuantizedGRU(model: model, calibration: calibration, bits: BitWidths(uniform: 8), options: options))
        #expect(eight >= float - 0.01, "8-bit \(eight), float \(float)")
        let two = evaluator.accuracy(QuantizedGRU(model: model, calibration: calibration, bits: BitWidths(uniform: 2), options: options))
        #expect(two <= 0.25, "2-bit \(two)")
    }
}
