import Datasets
import Foundation
import GRU

/// Training speed on a real task (smnist when fetched): the time one epoch takes
/// with the default settings, validation pass included, as `train` runs it.
enum TaskTrainingBenchmark {
    static func run(task name: String = "smnist", quick: Bool) -> [String: Double] {
        guard let task = try? TaskCatalog.load(name, seed: 0) else { return [:] }
        var options = TrainingOptions()
        options.epochs = quick ? 1 : 3
        options.patience = options.epochs
        let start = DispatchTime.now().uptimeNanoseconds
        let result = GRUTrainer.train(
            train: (task.train.sequences, task.train.labels),
            validation: (task.validation.sequences, task.validation.labels),
            featureCount: task.featureCount, classCount: task.classCount, options: options)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let epochs = Double(max(result.history.count, 1))
        return [
            "\(name)_epoch_seconds": seconds / epochs,
            "\(name)_training_samples_per_second": Double(task.train.count) * epochs / seconds,
        ]
    }
}
