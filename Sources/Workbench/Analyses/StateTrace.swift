import Quantization

/// One validation sequence's hidden state over time, float against integer.
public struct StateTrace: Sendable {
    public var index: Int
    public var label: Int
    public var floatPrediction: Int
    public var quantizedPrediction: Int
    /// Per step, the float hidden state and the integer one in real units (a stack's top
    /// layer's, which the head reads).
    public var float: [[Double]]
    public var quantized: [[Double]]
}

extension Workspace {
    /// Runs validation sequence `index` through the float model and the integer model of the current bits.
    public func trace(sequence index: Int) throws -> StateTrace {
        let inputs = try quantizationInputs()
        let validation = inputs.task.validation
        guard validation.count > 0 else { throw WorkbenchError.emptySplit("validation") }
        guard index < validation.count else { throw WorkbenchError.sequenceOutOfRange(index: index, count: validation.count) }
        let quantized = try quantizedModel()
        let sequence = validation.sequences[index]
        let network = quantized.bits.network
        // The top layer's output state, h: what the head reads.
        let state = OperatorID.cell(network.cell.description.output, layer: network.layers - 1), at = network.position(of: state)
        var floats: [[Double]] = []
        let floatLogits = FloatReference.run(model: inputs.model, sequence: sequence) { _, values in
            floats.append(values[at])
        }
        var integers: [[Double]] = []
        let scale = quantized.scale(id: state)
        let integerLogits = quantized.referenceLogits(sequence) { _, codes in
            integers.append(codes[at].map { Double($0) * scale })
        }
        return StateTrace(index: index, label: validation.labels[index],
                          floatPrediction: QuantizedGRU.argmax(floatLogits[...]),
                          quantizedPrediction: QuantizedGRU.argmax(integerLogits[...]),
                          float: floats, quantized: integers)
    }
}
