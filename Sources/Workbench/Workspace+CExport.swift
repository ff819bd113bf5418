import Export
import Foundation
import Quantization

extension Workspace {
    /// The current configuration (with its fine-tuned weights, if any) as C99: `NAME.h` and
    /// `NAME.c`, their comment naming the configuration, the task and both accuracies.
    public func exportC(name: String) throws -> CExport {
        let task = try requireTask()
        let quantized = try quantizedModel()
        let score = try evaluate(bits)
        func percent(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }
        let description = [
            "configuration: \(bits)",
            "options: \(options)",
            "weights: \(tuned.map { "fine-tuned (\($0.note))" } ?? "the float model's, post-training")",
            "task: \(task.name), \(task.featureCount) features, \(task.classCount) classes (\(task.classNames.joined(separator: ", ")))",
            "integer accuracy: validation \(percent(score.accuracy.validation)), test \(percent(score.accuracy.test))",
            "constant data: \(score.size) bytes (docs/quantization.md, \"Model size\"); code and RAM not counted",
            quantized.stepCost.summary + "; the head adds \(quantized.classCount * quantized.hiddenSize) multiply-accumulates per sequence",
        ]
        return try CExport(quantized, name: name, description: description)
    }
}

extension Workspace {
    /// What the exported C of the current configuration (or `configuration`) costs: one step's
    /// instructions at -O2 and RAM on each core the cost model knows, and its flash (`size`),
    /// all from one device layout.
    public func deviceCosts(_ configuration: BitWidths? = nil) throws -> (cores: [(core: TargetCore, cost: DeviceCost)], flash: Int) {
        let quantized = try quantizedModel(configuration)
        let layouts = quantized.deviceLayouts
        let cores = TargetCore.allCases.map { ($0, DeviceCostModel(core: $0).cost(of: quantized, layouts: layouts)) }
        return (cores, ModelSize(quantized, layouts: layouts).total)
    }
}
