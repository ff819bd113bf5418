/// Hyper-parameters of `GRUTrainer.train`; the defaults reach ≥ 95 % on the digits task.
public struct TrainingOptions: Sendable, Equatable {
    /// Maximum number of epochs.
    public var epochs: Int
    /// Width of the GRU's hidden state.
    public var hiddenSize: Int
    /// Adam's step size.
    public var learningRate: Float
    /// Sequences per gradient step.
    public var batchSize: Int
    /// Seeds initialisation and shuffling; the same seed gives the same model.
    public var seed: UInt64
    /// Global gradient-norm clipping threshold; 0 or less disables clipping.
    public var clipNorm: Float
    /// Epochs without a new best validation loss before stopping early.
    public var patience: Int

    /// Options with the tested defaults for anything not given.
    public init(
        epochs: Int = 60, hiddenSize: Int = 64, learningRate: Float = 0.01, batchSize: Int = 32,
        seed: UInt64 = 0, clipNorm: Float = 1, patience: Int = 8
    ) {
        self.epochs = epochs
        self.hiddenSize = hiddenSize
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.clipNorm = clipNorm
        self.patience = patience
    }
}

/// Progress reported after every batch.
public struct TrainingProgress: Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Maximum number of epochs.
    public var epochCount: Int
    /// 1-based batch number within the epoch.
    public var batch: Int
    /// Batches per epoch.
    public var batchCount: Int
    /// Mean training loss over the epoch's batches so far.
    public var runningLoss: Double
    /// Training accuracy over the epoch's batches so far (0–1).
    public var runningAccuracy: Double

    /// Progress with every field given.
    public init(epoch: Int, epochCount: Int, batch: Int, batchCount: Int, runningLoss: Double, runningAccuracy: Double) {
        self.epoch = epoch
        self.epochCount = epochCount
        self.batch = batch
        self.batchCount = batchCount
        self.runningLoss = runningLoss
        self.runningAccuracy = runningAccuracy
    }
}

/// Losses and accuracies at the end of one epoch.
public struct EpochSummary: Sendable, Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss over the epoch (weights changing as it ran).
    public var trainLoss: Double
    /// Training accuracy over the epoch (0–1).
    public var trainAccuracy: Double
    /// Mean validation loss after the epoch.
    public var validationLoss: Double
    /// Validation accuracy after the epoch (0–1).
    public var validationAccuracy: Double

    /// A summary with every field given.
    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double, validationAccuracy: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
    }
}

/// The outcome of training: the best model on validation loss and how it got there.
public struct TrainingResult: Sendable {
    /// The weights with the lowest validation loss seen (standardisation included).
    public var model: GRUClassifier
    /// One summary per completed epoch.
    public var history: [EpochSummary]
    /// 1-based epoch of `model`; 0 when no epoch finished.
    public var bestEpoch: Int
    /// `shouldStop` asked for a stop.
    public var interrupted: Bool
    /// Validation loss stopped improving for `patience` epochs.
    public var stoppedEarly: Bool

    /// A result with every field given.
    public init(model: GRUClassifier, history: [EpochSummary], bestEpoch: Int, interrupted: Bool, stoppedEarly: Bool) {
        self.model = model
        self.history = history
        self.bestEpoch = bestEpoch
        self.interrupted = interrupted
        self.stoppedEarly = stoppedEarly
    }
}
