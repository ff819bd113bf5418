import Datasets
import Foundation
import GRU

/// `train`: fits the float GRU classifier on the loaded task, or takes it from the model cache.
enum TrainCommand {
    static var options: [OptionSpec] {
        let defaults = TrainingOptions()
        return [
            OptionSpec("epochs", .integer(1...100_000), "most epochs to run (default \(defaults.epochs)); early stopping may end sooner"),
            OptionSpec("hidden", .integer(1...4096), "hidden state width H (default \(defaults.hiddenSize))"),
            OptionSpec("lr", .real(Double.leastNonzeroMagnitude...Double.infinity), "AdamW learning rate, the schedule's starting value (default \(Value.format(Double(defaults.learningRate))))"),
            OptionSpec("batch", .integer(1...1_000_000), "sequences per batch (default \(defaults.batchSize))"),
            OptionSpec("seed", .integer(0...Int.max), "seed of initialisation and shuffling (default: the session seed)"),
            OptionSpec("patience", .integer(1...100_000), "epochs without a better validation score (see 'select') before stopping (default \(defaults.patience))"),
            OptionSpec("clip", .real(Double.leastNonzeroMagnitude...Double.infinity), "largest gradient norm (default \(Value.format(Double(defaults.clipNorm))))"),
            OptionSpec("decay", .real(0...Double.infinity), "decoupled (AdamW) weight decay on the weight matrices, biases exempt; 0 turns it off (default \(Value.format(Double(defaults.weightDecay))))"),
            OptionSpec("schedule", .word(LearningRateSchedule.allCases.map(\.rawValue)), "learning-rate schedule: constant; plateau halves the rate after \(LearningRateSchedule.plateauPatience) epochs without a better validation score; cosine anneals it to 1/100 over 'epochs' (default \(defaults.schedule.rawValue))"),
            OptionSpec("select", .word(ModelSelection.allCases.map(\.rawValue)), "validation score that picks the kept weights and drives early stopping: loss (lowest) or accuracy (highest, ties to the lower loss) (default \(defaults.selection.rawValue))"),
            OptionSpec("rotate", .real(0...180), "rotate each training sequence's feature triplets (x, y, z of each 3-axis sensor, e.g. har's accelerometer and gyroscope) by one random 3-D rotation of up to X degrees; needs a feature count divisible by 3; 0 turns it off (default \(Value.format(Double(defaults.rotationDegrees))))"),
            OptionSpec("retrain", .flag, "train even when the cache holds a model for these settings"),
        ]
    }

    static var commands: [Command] {
        [
            Command(
                name: "train",
                usage: "train [epochs N] [hidden H] [lr X] [batch B] [seed S] [patience P] [clip X] [decay X] [schedule constant|plateau|cosine] [select loss|accuracy] [rotate X] [retrain]",
                summary: "Train the float GRU classifier on the loaded task",
                details: "AdamW (Adam with decoupled weight decay on the weight matrices) with gradient-norm clipping and a learning-rate schedule (cosine by default). After every epoch the validation split is scored; the weights with the best score ('select': the lowest loss by default, or the highest accuracy) are kept, and training stops early when the score has not improved for 'patience' epochs. 'rotate' augments copies of the training sequences with a fresh random rotation every batch (validation and test never see it); it suits 3-axis sensor data such as har ('train rotate 20'). Input standardisation is fitted on the training split and saved with the model. A model trained before with the same task, split and settings comes from the cache at once ('retrain' trains anyway). Ctrl-C stops after the current batch and keeps the best weights so far.",
                examples: ["train", "train hidden 32 epochs 20", "train seed 7 retrain", "train rotate 20", "train schedule plateau select loss decay 0"],
                options: options,
                run: run
            ),
        ]
    }

    private static func run(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        let session = interpreter.session
        let task = try session.requireTask()
        let parsed = try arguments.options(options)
        var settings = TrainingOptions()
        settings.seed = session.seed
        if let v = parsed.integer("epochs") { settings.epochs = v }
        if let v = parsed.integer("hidden") { settings.hiddenSize = v }
        if let v = parsed.real("lr") { settings.learningRate = Float(v) }
        if let v = parsed.integer("batch") { settings.batchSize = v }
        if let v = parsed.integer("seed") { settings.seed = UInt64(v) }
        if let v = parsed.integer("patience") { settings.patience = v }
        if let v = parsed.real("clip") { settings.clipNorm = Float(v) }
        if let v = parsed.real("decay") { settings.weightDecay = Float(v) }
        if let v = parsed.choice("schedule"), let s = LearningRateSchedule(rawValue: v) { settings.schedule = s }
        if let v = parsed.choice("select"), let s = ModelSelection(rawValue: v) { settings.selection = s }
        if let v = parsed.real("rotate") {
            guard v == 0 || task.featureCount % 3 == 0 else {
                throw CommandError("'rotate' turns 3-axis feature triplets; \(task.name) has \(task.featureCount) features, not a multiple of 3")
            }
            settings.rotationDegrees = Float(v)
        }

        let key = cacheKey(task: task, settings: settings)
        let description = "hidden \(settings.hiddenSize), seed \(settings.seed)"
        if !parsed.has("retrain"), let cache = session.modelCache, let cached = cache.model(for: key, task: task.name) {
            adopt(cached, in: session, task: task, origin: "trained on \(task.name) (\(description)), from the cache")
            session.io.out("using the cached model for these settings (\(description)): validation accuracy \(percent(cached.accuracy(task.validation.sequences, labels: task.validation.labels))); 'train retrain' trains again")
            return
        }

        session.io.out("training a GRU (\(description)) on \(task.name): \(task.train.count) train / \(task.validation.count) validation sequences, up to \(settings.epochs) epochs")
        var meter = ProgressMeter(io: session.io)
        var lastEpoch: EpochSummary?
        let result = GRUTrainer.train(
            train: (task.train.sequences, task.train.labels),
            validation: (task.validation.sequences, task.validation.labels),
            featureCount: task.featureCount, classCount: task.classCount, options: settings,
            progress: { p in
                let fraction = (Double(p.epoch - 1) + Double(p.batch) / Double(max(p.batchCount, 1))) / Double(max(p.epochCount, 1))
                var detail = String(format: "epoch %d/%d loss %.3f acc %.3f", p.epoch, p.epochCount, p.runningLoss, p.runningAccuracy)
                if let last = lastEpoch { detail += String(format: " | val %.3f", last.validationAccuracy) }
                meter.update(fraction: fraction, label: "train", detail: detail)
            },
            epochDone: { summary in lastEpoch = summary },
            shouldStop: session.interrupt.isPending
        )
        meter.finish()

        let seconds = meter.elapsedSeconds
        let best = result.history.first { $0.epoch == result.bestEpoch }
        let bestText = best.map { String(format: "best epoch %d: validation loss %.4f, accuracy %@", $0.epoch, $0.validationLoss, percent($0.validationAccuracy)) } ?? "no epoch finished"
        if result.interrupted {
            session.io.out("interrupted after \(result.history.count) epoch\(result.history.count == 1 ? "" : "s") (\(ProgressMeter.duration(seconds))): kept the best weights so far; \(bestText)")
        } else {
            let stop = result.stoppedEarly ? "stopped early after \(result.history.count) epochs" : "ran \(result.history.count) epochs"
            session.io.out("\(stop) in \(ProgressMeter.duration(seconds)); \(bestText)")
        }
        adopt(result.model, in: session, task: task, origin: "trained on \(task.name) (\(description))\(result.interrupted ? ", interrupted" : "")")
        session.variables["train_epochs"] = .number(Double(result.history.count))
        // An interrupted run is not what these settings produce, so it never enters the cache.
        if !result.interrupted, let cache = session.modelCache {
            do {
                try cache.store(result.model, for: key, task: task.name)
            } catch {
                session.io.err("warning: could not cache the model in \(cache.directory.path): \(Interpreter.message(for: error))")
            }
        }
    }

    private static func adopt(_ model: GRUClassifier, in session: Session, task: Task, origin: String) {
        session.model = model
        session.modelOrigin = origin
        session.variables["val_accuracy"] = .number(model.accuracy(task.validation.sequences, labels: task.validation.labels))
    }

    /// Everything that decides the trained weights. The trainer's version is part of
    /// the key so a change to training code never serves a stale model.
    static func cacheKey(task: Task, settings: TrainingOptions) -> String {
        var dataHash = Hasher64()
        for set in [task.train, task.validation] {
            for (sequence, label) in zip(set.sequences, set.labels) {
                dataHash.add(label)
                for value in sequence { dataHash.add(value.bitPattern) }
            }
        }
        return [
            "trainer=\(GRUTrainer.version)", "task=\(task.name)", "data=\(dataHash.hex)",
            "hidden=\(settings.hiddenSize)", "epochs=\(settings.epochs)", "lr=\(settings.learningRate)",
            "batch=\(settings.batchSize)", "seed=\(settings.seed)", "patience=\(settings.patience)", "clip=\(settings.clipNorm)",
            "decay=\(settings.weightDecay)", "schedule=\(settings.schedule.rawValue)", "select=\(settings.selection.rawValue)",
            "rotate=\(settings.rotationDegrees)",
        ].joined(separator: ";")
    }
}
