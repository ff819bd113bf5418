import Foundation

extension CellDescription {
    /// One layer's tensors as the framework stacks them: `gateBlocks` blocks of H rows
    /// (PyTorch's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, row-major).
    public struct Tensors: Sendable {
        public let inputSize: Int, hiddenSize: Int
        public let weightIH: [Float], weightHH: [Float], biasIH: [Float], biasHH: [Float]

        public init(inputSize: Int, hiddenSize: Int, weightIH: [Float], weightHH: [Float], biasIH: [Float], biasHH: [Float]) {
            (self.inputSize, self.hiddenSize) = (inputSize, hiddenSize)
            (self.weightIH, self.weightHH, self.biasIH, self.biasHH) = (weightIH, weightHH, biasIH, biasHH)
        }
    }

    /// One step of the cell in double precision, node by node as the description orders them:
    /// every operator's output (H values each, by operator index) and the new states. Any
    /// cell its description can say runs here, which makes it the yardstick a new cell's
    /// description is checked against (PyTorch's outputs) before any engine is written for it.
    public func floatStep(_ x: [Double], states: [[Double]], tensors t: Tensors) -> (outputs: [[Double]], states: [[Double]]) {
        let h = t.hiddenSize
        precondition(x.count == t.inputSize && states.count == self.states.count && states.allSatisfy { $0.count == h },
                     "CellDescription.floatStep: \(t.inputSize) inputs and \(self.states.count) states of \(h) values")
        precondition(t.weightIH.count == gateBlocks * h * t.inputSize && t.weightHH.count == gateBlocks * h * h
                     && t.biasIH.count == gateBlocks * h && t.biasHH.count == gateBlocks * h,
                     "CellDescription.floatStep: tensors of \(gateBlocks) gate blocks of \(h) rows")
        var outputs = [[Double]](repeating: [], count: operators.count)
        func value(_ operand: Operand) -> [Double] {
            switch operand {
            case .op(let i): return outputs[i]
            case .state(let s): return states[s]
            }
        }
        for node in step {
            let out = node.output
            switch node {
            case .linear(_, let source, let block):
                let (input, weights, bias, columns) = source == .input
                    ? (x, t.weightIH, t.biasIH, t.inputSize) : (value(.state(source.state!)), t.weightHH, t.biasHH, h)
                outputs[out] = (0..<h).map { j in
                    let row = block * h + j
                    var sum = Double(bias[row])
                    for k in 0..<columns { sum += Double(weights[row * columns + k]) * input[k] }
                    return sum
                }
            default:
                let operands = node.operands.map(value)
                let (a, b) = (operands[0], operands[operands.count - 1])
                outputs[out] = (0..<h).map { node.value(a[$0], b[$0]) }
            }
        }
        return (outputs, self.states.map { outputs[$0.producedBy] })
    }
}

extension CellDescription.Source {
    /// The state a linear node reads, nil for the input.
    var state: Int? {
        if case .state(let s) = self { return s }
        return nil
    }
}
