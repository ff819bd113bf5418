import Foundation
import GRU
import MemoryLimits
import Testing
import Workbench

/// Training memory is known before a run starts, and a run past the limit never starts (issue 12, item 6).
@Suite("Training memory: estimated, bounded, and batch clamped to the split")
struct TrainingMemoryTests {
    @Test("the estimate is 4 bytes × batch × longest sequence × (14 × hidden + features)")
    func formula() {
        var options = TrainingOptions()
        options.batchSize = 64
        options.hiddenSize = 64
        let memory = TrainingMemory(lengths: [40_000, 12, 39_000, 5, 7, 9, 11, 13], featureCount: 2, options: options)
        #expect(memory.batchSize == 8)
        #expect(memory.longestSequence == 40_000)
        #expect(memory.bytes == 4 * 8 * 40_000 * (14 * 64 + 2))
        #expect(memory.largestBatch(within: 500_000_000, featureCount: 2, hiddenSize: 64) == 3)
    }

    @Test("a hostile size saturates the estimate instead of wrapping to a small one")
    func saturates() {
        #expect(TrainingMemory.bytes(batch: Int.max / 2, steps: 1 << 40, featureCount: 3, hiddenSize: 64) == Int.max)
    }

    @Test("a batch larger than the training split is clamped to it")
    func clamp() {
        #expect(GRUTrainer.effectiveBatchSize(1_000_000, trainingCount: 1078) == 1078)
        #expect(GRUTrainer.effectiveBatchSize(32, trainingCount: 1078) == 32)
        #expect(GRUTrainer.effectiveBatchSize(32, trainingCount: 0) == 1)
    }

    @Test("train past the memory limit is refused before it starts, with the estimate and a batch that fits")
    func refusedPastLimit() throws {
        let workspace = Workspace(modelCache: nil)
        _ = try workspace.loadTask("digits")
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: 1_000_000)
        var settings = TrainingOptions()
        settings.batchSize = 512
        settings.hiddenSize = 64
        #expect(message { _ = try workspace.train(settings) }
            == "training needs about 15 MB (batch 512 × the longest sequence's 8 steps × hidden 64, every step kept for back-propagation), more than the 1 MB gq may take (GQ_MAX_TRAINING_MEMORY): use a smaller batch ('train batch 34' fits), a smaller 'hidden', or shorter sequences; to allow more, raise GQ_MAX_TRAINING_MEMORY")
        #expect(workspace.model == nil)
    }

    @Test("under a limit of the process's own (here a cgroup), the refusal names it, what is in use, and how to raise it")
    func refusedUnderCgroupLimit() throws {
        let workspace = Workspace(modelCache: nil)
        _ = try workspace.loadTask("digits")
        workspace.trainingMemoryLimit = MemoryLimit(source: .cgroupV2(file: "/sys/fs/cgroup/job/memory.max"), limit: 100 << 20, inUse: 30 << 20)
        var settings = TrainingOptions()
        settings.batchSize = 512
        settings.hiddenSize = 64
        settings.bptt = 8  // whole sequences, asked for: no window is chosen instead
        #expect(message { _ = try workspace.train(settings) }
            == "training needs about 15 MB (batch 512 × the longest sequence's 8 steps × hidden 64, every step kept for back-propagation), more than the 6 MB gq may take (cgroup memory.max (/sys/fs/cgroup/job/memory.max) of 105 MB, 31 MB of it in use, less headroom): use a smaller batch ('train batch 217' fits), a smaller 'hidden', or shorter sequences; to allow more, give the container or job more memory (docker --memory, Slurm --mem, systemd MemoryMax), or set GQ_MAX_TRAINING_MEMORY=BYTES")
    }

    @Test("GQ_MAX_TRAINING_MEMORY replaces the effective limit; unset, the limit is the process's own")
    func defaultLimit() {
        #expect(Workspace.defaultTrainingMemoryLimit(environment: ["GQ_MAX_TRAINING_MEMORY": "16G"])
            == .setting("GQ_MAX_TRAINING_MEMORY", bytes: 16 << 30))
        #expect(Workspace.defaultTrainingMemoryLimit(environment: [:]).source != .setting("GQ_MAX_TRAINING_MEMORY"))
    }

    @Test("past the limit, train truncates BPTT to the longest window that fits, says so, and caches the model under that window")
    func truncatesPastLimit() throws {
        let directory = temporaryDirectory()
        let file = try longSeries(in: directory)
        let workspace = Workspace(modelCache: ModelCache(directory: directory.appendingPathComponent("cache")))
        let task = try workspace.loadTask(file.path).task
        #expect(task.train.count == 6)
        let settings = TrainingOptions(epochs: 1, hiddenSize: 8)
        var windowed = settings
        windowed.bptt = 500
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: TrainingMemory(lengths: task.train.sequences.map(\.count), featureCount: 1, options: windowed).bytes)
        var notes: [String] = []
        let first = try workspace.train(settings, observer: TrainingObserver(truncated: { notes.append($0.description) }))
        #expect(notes == ["training with truncated BPTT over 500-step chunks ('bptt 500'): the full 3000 steps would need 8 MB, more than the 1 MB gq may take (GQ_MAX_TRAINING_MEMORY)"])
        guard case .trained = first else { Issue.record("the first run came from the cache"); return }
        #expect(workspace.modelOrigin?.contains("bptt 500") == true)
        // The window is part of the cache key: asked for by name it is the cached model; whole
        // sequences (under a limit they fit) are another model.
        guard case .cached = try workspace.train(windowed) else { Issue.record("'bptt 500' was not served from the cache"); return }
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: Int.max)
        guard case .trained = try workspace.train(settings) else { Issue.record("whole-sequence BPTT was served the truncated model"); return }
    }

    @Test("a batch of a million trains the same model as a batch of the whole split")
    func hugeBatchIsWholeSplit() throws {
        let workspace = Workspace(modelCache: nil)
        let task = try workspace.loadTask("digits").task
        var settings = TrainingOptions()
        settings.epochs = 2
        settings.hiddenSize = 8
        settings.batchSize = 1_000_000
        _ = try workspace.train(settings)
        let huge = workspace.model?.flatParameters
        settings.batchSize = task.train.count
        _ = try workspace.train(settings)
        #expect(huge != nil && huge == workspace.model?.flatParameters)
    }
}

/// Fine-tuning's memory is known before it starts too, and a run past the limit never starts.
@Suite("Fine-tuning memory: estimated and bounded")
struct FineTuningMemoryTests {
    @Test("the estimate is 4 bytes × batch × longest sequence × (2 × features + 30 × hidden), the batch clamped to the split")
    func formula() {
        let memory = FineTuningMemory(lengths: [1460, 12, 1400, 5], featureCount: 1, hiddenSize: 32, batchSize: 32)
        #expect(memory.batchSize == 4)
        #expect(memory.longestSequence == 1460)
        #expect(memory.bytes == 4 * 4 * 1460 * (2 + 30 * 32))
        #expect(memory.largestBatch(within: 12_000_000, featureCount: 1, hiddenSize: 32) == 2)
        #expect(FineTuningMemory.bytes(batch: Int.max / 2, steps: 1 << 40, featureCount: 1, hiddenSize: 64) == Int.max)
    }

    @Test("finetune past the memory limit is refused before it starts, with the estimate and a batch that fits")
    func refusedPastLimit() throws {
        let workspace = Workspace(modelCache: nil)
        _ = try workspace.loadTask("digits")
        var settings = TrainingOptions()
        settings.epochs = 1
        settings.hiddenSize = 8
        _ = try workspace.train(settings)
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: 100_000)
        var tuning = FineTuningOptions()
        tuning.batchSize = 64
        tuning.bptt = 8  // whole sequences, asked for: no window is chosen instead
        #expect(message { _ = try workspace.finetune(tuning) }
            == "fine-tuning needs about 524 kB (batch 64 × the longest sequence's 8 steps × hidden 8, every step's quantized values kept for back-propagation), more than the 100 kB gq may take (GQ_MAX_TRAINING_MEMORY): use a smaller batch ('finetune batch 12' fits) or shorter sequences; to allow more, raise GQ_MAX_TRAINING_MEMORY")
        #expect(workspace.tuned == nil)
    }

    @Test("with bptt the estimate is 4 bytes × batch × N × (30 × hidden + 3 × features), whatever the length")
    func followsWindow() {
        for longest in [100_000, 10_000_000] {
            let memory = FineTuningMemory(lengths: [longest, 5, 7], featureCount: 2, hiddenSize: 64, batchSize: 32, bptt: 2000)
            #expect(memory.keptSteps == 2000 && memory.truncated)
            #expect(memory.bytes == 4 * 3 * 2000 * (30 * 64 + 3 * 2))
        }
        // A window past the longest sequence is whole-sequence back-propagation, with its estimate.
        let whole = FineTuningMemory(lengths: [1500, 5, 7], featureCount: 2, hiddenSize: 64, batchSize: 32, bptt: 2000)
        #expect(!whole.truncated && whole.bytes == 4 * 3 * 1500 * (30 * 64 + 2 * 2))
        let full = FineTuningMemory(lengths: [100_000, 5, 7], featureCount: 2, hiddenSize: 64, batchSize: 32)
        #expect(full.largestWindow(within: 4 * 3 * 2000 * (30 * 64 + 3 * 2), featureCount: 2, hiddenSize: 64) == 2000)
        #expect(full.largestWindow(within: 10, featureCount: 2, hiddenSize: 64) == 0)
    }

    @Test("past the limit, finetune truncates BPTT to the longest window that fits and says so; an explicit window that does not fit, or no step fitting, is refused")
    func truncatesPastLimit() throws {
        let workspace = Workspace(modelCache: nil)
        let task = try workspace.loadTask(try longSeries(in: temporaryDirectory()).path).task
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: Int.max)
        _ = try workspace.train(TrainingOptions(epochs: 1, hiddenSize: 8))
        let lengths = task.train.sequences.map(\.count)
        let fits = FineTuningMemory(lengths: lengths, featureCount: 1, hiddenSize: 8, batchSize: 32, bptt: 500).bytes
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: fits)
        var notes: [String] = []
        let outcome = try workspace.finetune(FineTuningOptions(epochs: 1), observer: FineTuningObserver(truncated: { notes.append($0.description) }))
        #expect(notes == ["fine-tuning with truncated BPTT over 500-step chunks ('finetune bptt 500'): the full 3000 steps would need 17 MB, more than the 3 MB gq may take (GQ_MAX_TRAINING_MEMORY)"])
        #expect(outcome.result.history.count == 1)
        // Asked for by name, the same window fits and is not announced.
        notes = []
        _ = try workspace.finetune(FineTuningOptions(epochs: 1, bptt: 500), observer: FineTuningObserver(truncated: { notes.append($0.description) }))
        #expect(notes.isEmpty)
        #expect(message { _ = try workspace.finetune(FineTuningOptions(epochs: 1, bptt: 1000)) }
            == "fine-tuning needs about 6 MB (batch 6 × 1000-step chunks × hidden 8, the last chunk's quantized values kept for back-propagation), more than the 3 MB gq may take (GQ_MAX_TRAINING_MEMORY): use a smaller batch ('finetune batch 3' fits), a smaller 'bptt', or shorter sequences; to allow more, raise GQ_MAX_TRAINING_MEMORY")
        workspace.trainingMemoryLimit = .setting("GQ_MAX_TRAINING_MEMORY", bytes: 1000)
        #expect(message { _ = try workspace.finetune(FineTuningOptions(epochs: 1)) }
            == "fine-tuning needs about 17 MB (batch 6 × the longest sequence's 3000 steps × hidden 8, every step's quantized values kept for back-propagation), more than the 1 kB gq may take (GQ_MAX_TRAINING_MEMORY): even one sequence does not fit: shorten the sequences (cut or downsample them before loading) or use a smaller 'hidden'; to allow more, raise GQ_MAX_TRAINING_MEMORY")
    }
}

/// Ten series of 3,000 steps (six train), two classes of sines that differ in period.
func longSeries(in directory: URL) throws -> URL {
    let file = directory.appendingPathComponent("long.ts")
    var noise: UInt64 = 7
    var text = "@problemName Long\n@univariate true\n@equalLength true\n@classLabel true 0 1\n@data\n"
    for i in 0..<10 {
        let values = (0..<3000).map { t -> String in
            noise = noise &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return String(sin(Double(t) / (i % 2 == 0 ? 8 : 11)) + Double(noise >> 40) / Double(1 << 24) - 0.5)
        }
        text += values.joined(separator: ",") + ":\(i % 2)\n"
    }
    try text.write(to: file, atomically: true, encoding: .utf8)
    return file
}
