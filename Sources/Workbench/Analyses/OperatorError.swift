import Foundation
import Quantization

/// How far one operator's integer outputs are from the float model's.
public struct OperatorError: Sendable, Equatable {
    public var op: GRUOperator
    public var bits: Int
    /// Signal-to-quantization-noise ratio in dB; nil when the outputs are exact.
    public var sqnr: Double?
    /// The largest absolute difference.
    public var maxError: Double
}

extension Workspace {
    /// Per-operator error of the integer model of the current bits against float, over
    /// the first `sequences` validation sequences. Errors accumulate along the cell and
    /// over time, so each figure is what reaches that operator, not its own rounding alone.
    /// `configuration` measures other bits than the current ones.
    public func operatorErrors(sequences requested: Int, configuration: BitWidths? = nil) throws -> (sequences: Int, rows: [OperatorError]) {
        try requireSingleLayer(for: "'show error'")
        let inputs = try quantizationInputs()
        let quantized = try quantizedModel(configuration)
        let count = min(requested, inputs.task.validation.count)
        guard count > 0 else { throw WorkbenchError.emptySplit("validation") }
        let ops = GRUOperator.allCases.filter { $0 != .fc }
        var signal = [Double](repeating: 0, count: GRUOperator.allCases.count)
        var noise = signal, worst = signal
        for sequence in inputs.task.validation.sequences.prefix(count) {
            var floats: [[[Double]]] = []
            FloatReference.run(model: inputs.model, sequence: sequence) { _, values in floats.append(values) }
            quantized.referenceLogits(sequence) { t, codes in
                for op in ops {
                    let scale = quantized.scale(op)
                    for (j, code) in codes[op.rawValue].enumerated() {
                        let f = floats[t][op.rawValue][j]
                        let e = Double(code) * scale - f
                        signal[op.rawValue] += f * f
                        noise[op.rawValue] += e * e
                        worst[op.rawValue] = max(worst[op.rawValue], abs(e))
                    }
                }
            }
        }
        let rows = ops.map { op in
            let i = op.rawValue
            return OperatorError(op: op, bits: bits[op],
                                 sqnr: noise[i] == 0 ? nil : 10 * Foundation.log10(max(signal[i], 1e-300) / noise[i]),
                                 maxError: worst[i])
        }
        return (count, rows)
    }
}
