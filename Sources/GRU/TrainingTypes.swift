import Foundation

/// Hyper-parameters of `GRUTrainer.train`. The defaults (AdamW with decay 0.1, cosine schedule,
/// selection on validation accuracy, 40 epochs, patience 15) reach ≥ 95 % on the digits task and the
/// smnist, fsdd and vowels targets; har also wants `rotationDegrees` 20.
public struct TrainingOptions: Sendable, Equatable {
    /// Maximum number of epochs.
    public var epochs: Int
    /// Width of the GRU's hidden state.
    public var hiddenSize: Int
    /// Adam's step size (the schedule's starting value).
    public var learningRate: Float
    /// Sequences per gradient step.
    public var batchSize: Int
    /// Seeds initialisation and shuffling; the same seed gives the same model.
    public var seed: UInt64
    /// Global gradient-norm clipping threshold; 0 or less disables clipping.
    public var clipNorm: Float
    /// Epochs without a new best validation score (see `selection`) before stopping early.
    public var patience: Int
    /// Decoupled (AdamW) weight decay per unit learning rate, applied to the weight
    /// matrices only (never to biases); 0 disables it.
    public var weightDecay: Float
    /// How the learning rate changes between epochs.
    public var schedule: LearningRateSchedule
    /// Which validation score picks the kept weights and drives early stopping and the plateau schedule.
    public var selection: ModelSelection
    /// Largest angle in degrees of a random 3-D rotation applied to each training sequence's
    /// feature triplets (x, y, z of each 3-axis sensor, in raw units, one rotation per sequence);
    /// needs a feature count divisible by 3; 0 disables it.
    public var rotationDegrees: Float
    /// Truncated back-propagation through time: gradients run through each sequence's last
    /// `bptt` steps only, from the state its earlier steps leave, held constant; nil runs
    /// through whole sequences. Memory then follows `bptt`, not the longest sequence.
    public var bptt: Int?
    /// After the run on the training split (scored on validation), train again from the same
    /// initial weights on training + validation for as many epochs (through the kept epoch if
    /// it stopped early), at the rates the first run's epochs had, and keep the last weights:
    /// every labelled non-test sequence then shapes the model, and the first run's validation
    /// score at that epoch stays with it as the held-out one.
    public var refit: Bool
    /// Stacked recurrent layers (1 to 4), each reading the output of the one below.
    public var layers: Int
    /// The cell every layer is.
    public var cell: CellKind

    /// Options with the tested defaults for anything not given.
    public init(
        epochs: Int = 40, hiddenSize: Int = 64, learningRate: Float = 0.01, batchSize: Int = 32,
        seed: UInt64 = 0, clipNorm: Float = 1, patience: Int = 15,
        weightDecay: Float = 0.1, schedule: LearningRateSchedule = .cosine,
        selection: ModelSelection = .loss, rotationDegrees: Float = 0, bptt: Int? = nil,
        refit: Bool = false, layers: Int = 1, cell: CellKind = .gru
    ) {
        self.epochs = epochs
        self.hiddenSize = hiddenSize
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.clipNorm = clipNorm
        self.patience = patience
        self.weightDecay = weightDecay
        self.schedule = schedule
        self.selection = selection
        self.rotationDegrees = rotationDegrees
        self.bptt = bptt
        self.refit = refit
        self.layers = layers
        self.cell = cell
    }
}

/// How `GRUTrainer` changes the learning rate between epochs.
public enum LearningRateSchedule: String, Sendable, Equatable, CaseIterable {
    /// The same rate throughout.
    case constant
    /// Halve the rate whenever the validation score has not improved for `plateauPatience` epochs.
    case plateau
    /// Cosine annealing from the rate to 1/100 of it over `epochs`.
    case cosine

    /// Epochs without improvement before `plateau` halves the rate.
    public static let plateauPatience = 3
    /// Factor `plateau` multiplies the rate by.
    public static let plateauFactor: Float = 0.5

    /// The cosine rate for 1-based `epoch` of `epochs`.
    public static func cosine(base: Float, epoch: Int, epochs: Int) -> Float {
        let progress = Double(max(epoch - 1, 0)) / Double(max(epochs, 1))
        let floor = Double(base) / 100
        return Float(floor + (Double(base) - floor) * 0.5 * (1 + cos(Double.pi * progress)))
    }
}

/// The validation score that decides which weights `GRUTrainer` keeps.
public enum ModelSelection: String, Sendable, Equatable, CaseIterable {
    /// Lowest validation loss.
    case loss
    /// Highest validation accuracy; ties go to the lower loss.
    case accuracy
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
    /// This is the refit on training + validation (`TrainingOptions.refit`); `epochCount` is
    /// the refit's.
    public var refitting = false
    /// The rate this epoch trains at.
    public var learningRate = Double.nan

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
    /// The learning rate the epoch trained with (the schedule's value).
    public var learningRate: Double

    /// A summary with every field given.
    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double, validationAccuracy: Double,
                learningRate: Double = .nan) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
    }
}

/// The outcome of training: the best model on the validation score and how it got there.
public struct TrainingResult: Sendable {
    /// The weights with the best validation score seen (`TrainingOptions.selection`; standardisation included).
    public var model: GRUClassifier
    /// One summary per completed epoch.
    public var history: [EpochSummary]
    /// 1-based epoch of `model`; 0 when no epoch finished.
    public var bestEpoch: Int
    /// `shouldStop` asked for a stop.
    public var interrupted: Bool
    /// The validation score stopped improving for `patience` epochs.
    public var stoppedEarly: Bool
    /// Set when `model` is the refit on training + validation; `history` and `bestEpoch`
    /// are then the first run's, whose validation scores are the held-out ones.
    public var refit: Refit?
    /// The stop came during the refit: the first run finished, and its model is kept.
    public var refitInterrupted = false
    /// Set when the refit ran but fitted its data clearly worse than the first run had
    /// (`GRUTrainer.refitShortfall`): `model` is the first run's.
    public var discardedRefit: DiscardedRefit?

    /// A result with every field given.
    public init(model: GRUClassifier, history: [EpochSummary], bestEpoch: Int, interrupted: Bool, stoppedEarly: Bool) {
        self.model = model
        self.history = history
        self.bestEpoch = bestEpoch
        self.interrupted = interrupted
        self.stoppedEarly = stoppedEarly
    }
}

/// A refit that failed to fit its data as well as the first run fitted its own.
public struct DiscardedRefit: Sendable, Equatable {
    public var epochs: Int
    public var sequences: Int
    /// The refit's final weights' accuracy on its training sequences (training + validation).
    public var trainingAccuracy: Double
    /// The first run's training accuracy over that same epoch.
    public var firstRunAccuracy: Double

    public init(epochs: Int, sequences: Int, trainingAccuracy: Double, firstRunAccuracy: Double) {
        self.epochs = epochs
        self.sequences = sequences
        self.trainingAccuracy = trainingAccuracy
        self.firstRunAccuracy = firstRunAccuracy
    }
}

/// The refit on every labelled non-test sequence that followed the epoch choice.
public struct Refit: Sendable, Equatable {
    /// Epochs it ran: the first run's, or through its kept epoch when it stopped early.
    public var epochs: Int
    /// Sequences it trained on: training + validation.
    public var sequences: Int

    public init(epochs: Int, sequences: Int) {
        self.epochs = epochs
        self.sequences = sequences
    }
}
