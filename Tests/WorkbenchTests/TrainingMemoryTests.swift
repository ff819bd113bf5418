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
        #expect(message { _ = try workspace.train(settings) }
            == "training needs about 15 MB (batch 512 × the longest sequence's 8 steps × hidden 64, every step kept for back-propagation), more than the 6 MB gq may take (cgroup memory.max (/sys/fs/cgroup/job/memory.max) of 105 MB, 31 MB of it in use, less headroom): use a smaller batch ('train batch 217' fits), a smaller 'hidden', or shorter sequences; to allow more, give the container or job more memory (docker --memory, Slurm --mem, systemd MemoryMax), or set GQ_MAX_TRAINING_MEMORY=BYTES")
    }

    @Test("GQ_MAX_TRAINING_MEMORY replaces the effective limit; unset, the limit is the process's own")
    func defaultLimit() {
        #expect(Workspace.defaultTrainingMemoryLimit(environment: ["GQ_MAX_TRAINING_MEMORY": "16G"])
            == .setting("GQ_MAX_TRAINING_MEMORY", bytes: 16 << 30))
        #expect(Workspace.defaultTrainingMemoryLimit(environment: [:]).source != .setting("GQ_MAX_TRAINING_MEMORY"))
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
        #expect(message { _ = try workspace.finetune(tuning) }
            == "fine-tuning needs about 524 kB (batch 64 × the longest sequence's 8 steps × hidden 8, every step's quantized values kept for back-propagation), more than the 100 kB gq may take (GQ_MAX_TRAINING_MEMORY): use a smaller batch ('finetune batch 12' fits) or shorter sequences; to allow more, raise GQ_MAX_TRAINING_MEMORY")
        #expect(workspace.tuned == nil)
    }
}
