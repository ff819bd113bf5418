import Workbench

/// `train`: fits the float recurrent classifier on the loaded task, or takes it from the model cache.
enum TrainCommand {
    private static let defaults = TrainingOptions()
    static let epochs = Option<Int>("epochs", 1...100_000, "most epochs to run (default \(defaults.epochs), or a budget of \(TrainingDefaults.stepBudget) optimiser steps on a small training split); early stopping may end sooner")
    static let hidden = Option<Int>("hidden", 1...4096, "hidden state width H (default \(defaults.hiddenSize))").valueNamed("H")
    static let layers = Option<Int>("layers", 1...4, "stacked recurrent layers, each reading the state sequence of the one below, as PyTorch's num_layers (default \(defaults.layers))").valueNamed("L")
    static let cell = Option<CellKind>("cell", "the recurrent cell: gru (gates r, z, n; state h) or lstm (gates i, f, g, o; states h and the cell state c), as PyTorch's nn.GRU and nn.LSTM (default \(defaults.cell.rawValue))")
    static let lr = Option<Float>("lr", Double.leastNonzeroMagnitude...Double.infinity, "AdamW learning rate, the schedule's starting value (default \(Value.format(Double(defaults.learningRate))); 0.003 on a small training split)")
    static let batch = Option<Int>("batch", 1...1_000_000, "sequences per batch (default \(defaults.batchSize); 16 on a small training split)").valueNamed("B")
    static let seed = Option<UInt64>.seed("seed of initialisation and shuffling (default: the session seed)")
    static let patience = Option<Int>("patience", 1...100_000, "epochs without a better validation score (see 'select') before stopping (default \(defaults.patience); no early stopping when validation has fewer than \(TrainingDefaults.smallValidationSplit) sequences and training fewer than \(TrainingDefaults.smallTrainingSplit))").valueNamed("P")
    static let clip = Option<Float>("clip", Double.leastNonzeroMagnitude...Double.infinity, "largest gradient norm (default \(Value.format(Double(defaults.clipNorm))))")
    static let decay = Option<Float>("decay", 0...Double.infinity, "decoupled (AdamW) weight decay on the weight matrices, biases exempt; 0 turns it off (default \(Value.format(Double(defaults.weightDecay))); 0 on a training split of fewer than \(TrainingDefaults.smallTrainingSplit) sequences)")
    static let schedule = Option<LearningRateSchedule>("schedule", "learning-rate schedule: constant; plateau halves the rate after \(LearningRateSchedule.plateauPatience) epochs without a better validation score; cosine anneals it to 1/100 over 'epochs' (default \(defaults.schedule.rawValue))")
    static let select = Option<ModelSelection>("select", "validation score that picks the kept weights (with a refit, the epoch it stops at only after an early stop) and drives early stopping: loss (lowest) or accuracy (highest, ties to the lower loss) (default \(defaults.selection.rawValue); accuracy when validation has fewer than \(TrainingDefaults.smallValidationSplit) sequences and training fewer than \(TrainingDefaults.smallTrainingSplit))")
    static let rotate = Option<Float>("rotate", 0...180, "rotate each training sequence's feature triplets (x, y, z of each 3-axis sensor, e.g. har's accelerometer and gyroscope) by one random 3-D rotation of up to X degrees; needs a feature count divisible by 3; 0 turns it off (default \(Value.format(Double(defaults.rotationDegrees))))")
    static let bptt = Option<Int>("bptt", 1...1_000_000_000, "truncated back-propagation through time: gradients run through each sequence's last N steps, from the state its earlier steps leave (held constant), so memory follows N instead of the sequence length (default: whole sequences, or the longest N that fits when they would pass the memory limit)")
    static let refit = Option<Toggle>("refit", "after the run on the training split (scored on validation), train again from the same start on training + validation for as many epochs (through the kept epoch after an early stop) and keep the last weights; validation's scores from the first run are kept as the held-out ones; a refit whose last epoch fits its sequences more than 5 points worse than the first run fitted its own is discarded (default off; on when training has fewer than \(TrainingDefaults.smallTrainingSplit) sequences)")
    static let retrain = Option<Flag>.flag("retrain", "train even when the cache holds a model for these settings")

    static let options: [any OptionDeclaration] = [epochs, hidden, layers, cell, lr, batch, seed, patience, clip, decay, schedule, select, rotate, bptt, refit, retrain]

    static var commands: [Command] {
        [
            Command(
                name: "train",
                summary: "Train the float GRU (or LSTM) classifier on the loaded task",
                details: "AdamW (Adam with decoupled weight decay on the weight matrices) with gradient-norm clipping and a learning-rate schedule (cosine by default). After every epoch the validation split is scored; the weights with the best score ('select': the lowest loss by default, or the highest accuracy) are kept, and training stops early when the score has not improved for 'patience' epochs. 'rotate' augments copies of the training sequences with a fresh random rotation every batch (validation and test never see it); it suits 3-axis sensor data such as har ('train rotate 20'). Defaults adapt to the data: a training split of fewer than \(TrainingDefaults.smallTrainingSplit) sequences gets batch 16, learning rate 0.003 and a budget of \(TrainingDefaults.stepBudget) optimiser steps (40 to 300 epochs) instead of 40 epochs, no weight decay, and, when validation has fewer than \(TrainingDefaults.smallValidationSplit) sequences, no early stopping and the epoch with the best validation accuracy kept ('select accuracy'); a small training split is then refit on training + validation ('refit on'), so every labelled non-test sequence shapes the weights, and the first run's validation scores are kept with the model as the held-out ones (validation is training data after that); when the refit ran on the cosine or a constant rate, the noisy copies that 'evolve' and 'compare' judge on then train \(CrossFit.foldCount) models the same way on four fifths of training + validation each (cross-fitting, once per model, cached), to learn what unseen data cost such a model. Options given on the line always win. Input standardisation is fitted on the training split (training + validation for a refit) and saved with the model. A model trained before with the same task, split and settings comes from the cache at once ('retrain' trains anyway). Ctrl-C stops after the current batch and keeps the best weights so far.",
                examples: ["train", "train hidden 32 epochs 20", "train layers 2", "train cell lstm", "train seed 7 retrain", "train rotate 20", "train schedule plateau select loss decay 0", "train refit off"],
                options: options,
                publishes: ["train_epochs", "val_accuracy"],
                parse: { try $0.options() },
                run: run
            ),
        ]
    }

    /// The training settings a line asks for, on top of the defaults and the session seed.
    static func settings(_ parsed: ParsedOptions, defaults: TrainingOptions) -> TrainingOptions {
        var settings = defaults
        if let v = parsed[seed] { settings.seed = v }
        if let v = parsed[epochs] { settings.epochs = v }
        if let v = parsed[hidden] { settings.hiddenSize = v }
        if let v = parsed[layers] { settings.layers = v }
        if let v = parsed[cell] { settings.cell = v }
        if let v = parsed[lr] { settings.learningRate = v }
        if let v = parsed[batch] { settings.batchSize = v }
        if let v = parsed[patience] { settings.patience = v }
        if let v = parsed[clip] { settings.clipNorm = v }
        if let v = parsed[decay] { settings.weightDecay = v }
        if let v = parsed[schedule] { settings.schedule = v }
        if let v = parsed[select] { settings.selection = v }
        if let v = parsed[rotate] { settings.rotationDegrees = v }
        if let v = parsed[bptt] { settings.bptt = v }
        if let v = parsed[refit] { settings.refit = v == .on }
        return settings
    }

    private static func run(_ interpreter: Interpreter, _ parsed: ParsedOptions) throws {
        let session = interpreter.session
        let workspace = session.workspace
        let task = try workspace.requireTask()
        let settings = settings(parsed, defaults: workspace.defaultTrainingOptions())
        let description = "hidden \(settings.hiddenSize)\(settings.layers == 1 ? "" : ", \(settings.layers) layers"), seed \(settings.seed)"
        var meter = ProgressMeter(io: session.io)
        // The refit gets a meter of its own, so its bar and ETA start from its own beginning.
        var refitMeter: ProgressMeter?
        var firstRunSeconds: Double?
        var lastEpoch: EpochSummary?
        let observer = TrainingObserver(
            truncated: { session.io.out($0.description) },
            started: {
                let refit = settings.refit && task.validation.count > 0 ? ", then a refit on all \(task.train.count + task.validation.count)" : ""
                session.io.out("training \(settings.cell.withArticle) (\(description)) on \(task.name): \(task.train.count) train / \(task.validation.count) validation sequences, up to \(settings.epochs) epochs\(refit)")
            },
            progress: { p in
                let fraction = (Double(p.epoch - 1) + Double(p.batch) / Double(max(p.batchCount, 1))) / Double(max(p.epochCount, 1))
                var detail = String(format: "epoch %d/%d loss %.3f acc %.3f", p.epoch, p.epochCount, p.runningLoss, p.runningAccuracy)
                if p.refitting {
                    if refitMeter == nil {
                        meter.finish()
                        firstRunSeconds = meter.elapsedSeconds
                        refitMeter = ProgressMeter(io: session.io)
                    }
                    refitMeter?.update(fraction: fraction, label: "refit", detail: detail)
                } else {
                    if let last = lastEpoch { detail += String(format: " | val %.3f", last.validationAccuracy) }
                    meter.update(fraction: fraction, label: "train", detail: detail)
                }
            },
            epochDone: { lastEpoch = $0 })
        let outcome = try workspace.train(settings, retrain: parsed.has(retrain), observer: observer,
                                          cacheWarning: { session.io.err("warning: \($0)") })
        meter.finish()
        refitMeter?.finish()
        switch outcome {
        case .cached(let accuracy):
            let refit = try workspace.requireModel().heldOut != nil ? " before the refit on training + validation" : ""
            session.io.out("using the cached model for these settings (\(description)): validation accuracy \(percent(accuracy))\(refit); 'train retrain' trains again")
            session.variables["val_accuracy"] = .number(accuracy)
        case .trained(let result):
            let seconds = firstRunSeconds ?? meter.elapsedSeconds
            let best = result.history.first { $0.epoch == result.bestEpoch }
            let bestText = best.map { String(format: "best epoch %d: validation loss %.4f, accuracy %@", $0.epoch, $0.validationLoss, percent($0.validationAccuracy)) } ?? "no epoch finished"
            if result.refitInterrupted {
                session.io.out("ran \(result.history.count) epochs in \(ProgressMeter.duration(seconds)); \(bestText)")
                session.io.out("interrupted during the refit on training + validation: kept the model trained on the training split")
            } else if result.interrupted {
                session.io.out("interrupted after \(result.history.count) epoch\(result.history.count == 1 ? "" : "s") (\(ProgressMeter.duration(seconds))): kept the best weights so far; \(bestText)")
            } else {
                let stop = result.stoppedEarly ? "stopped early after \(result.history.count) epochs" : "ran \(result.history.count) epochs"
                session.io.out("\(stop) in \(ProgressMeter.duration(seconds)); \(bestText)")
            }
            if let discarded = result.discardedRefit {
                session.io.out("refit on all \(discarded.sequences) training + validation sequences discarded after \(discarded.epochs) epoch\(discarded.epochs == 1 ? "" : "s"): it fitted \(percent(discarded.trainingAccuracy)) of them, where the first run fitted \(percent(discarded.firstRunAccuracy)) of its own; kept the first run's model")
            }
            if let refit = result.refit, let heldOut = result.model.heldOut {
                let refitSeconds = refitMeter?.elapsedSeconds ?? 0
                session.io.out("refit on all \(refit.sequences) training + validation sequences for \(refit.epochs) epoch\(refit.epochs == 1 ? "" : "s") in \(ProgressMeter.duration(refitSeconds)), keeping the last weights; held out, epoch \(refit.epochs) scored \(percent(heldOut.accuracy)) on validation, which is training data now")
            }
            session.variables["train_epochs"] = .number(Double(result.history.count))
            session.variables["val_accuracy"] = .number(result.model.heldOut?.accuracy
                ?? result.model.accuracy(task.validation.sequences, labels: task.validation.labels))
        }
    }
}

/// An option that turns a behaviour on or off by name, so a default can be overridden either way.
enum Toggle: String, CaseIterable, Sendable {
    case on, off
}
