import Foundation
import Quantization

/// How far one operator's integer outputs are from the float model's.
public struct OperatorError: Sendable, Equatable {
    /// The operator as a user names it (`gate.z`, `l1.gate.z`, `input`).
    public var name: String
    /// A cell operator (one the search sets), not the input.
    public var inCell: Bool
    public var bits: Int
    /// Signal-to-quantization-noise ratio in dB; nil when the outputs are exact.
    public var sqnr: Double?
    /// The largest absolute difference.
    public var maxError: Double
}

extension Workspace {
    /// Per-operator error of the integer model of the current bits against float, over
    /// the first `sequences` validation sequences, for every layer's operators and the input.
    /// Errors accumulate along the cell, up the stack and over time, so each figure is what
    /// reaches that operator, not its own rounding alone. `configuration` measures other bits
    /// than the current ones.
    public func operatorErrors(sequences requested: Int, configuration: BitWidths? = nil) throws -> (sequences: Int, rows: [OperatorError]) {
        let inputs = try quantizationInputs()
        let quantized = try quantizedModel(configuration)
        let count = min(requested, inputs.task.validation.count)
        guard count > 0 else { throw WorkbenchError.emptySplit("validation") }
        let network = quantized.bits.network
        let ids = network.operators.filter { $0 != .fc }
        var signal = [Double](repeating: 0, count: network.operators.count)
        var noise = signal, worst = signal
        for sequence in inputs.task.validation.sequences.prefix(count) {
            var floats: [[[Double]]] = []
            FloatReference.run(model: inputs.model, sequence: sequence) { _, values in floats.append(values) }
            quantized.referenceLogits(sequence) { t, codes in
                for id in ids {
                    let scale = quantized.scale(id: id), at = network.position(of: id)
                    for (j, code) in codes[at].enumerated() {
                        let f = floats[t][at][j]
                        let e = Double(code) * scale - f
                        signal[at] += f * f
                        noise[at] += e * e
                        worst[at] = max(worst[at], abs(e))
                    }
                }
            }
        }
        let rows = ids.map { id in
            let i = network.position(of: id)
            return OperatorError(name: network.name(of: id), inCell: id.cellIndex != nil, bits: quantized.bits[id: id],
                                 sqnr: noise[i] == 0 ? nil : 10 * Foundation.log10(max(signal[i], 1e-300) / noise[i]),
                                 maxError: worst[i])
        }
        return (count, rows)
    }
}
