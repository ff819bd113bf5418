extension GRUClassifier {
    /// Mean cross-entropy loss of the model on labelled sequences.
    public func loss(_ sequences: [[Float]], labels: [Int]) -> Double {
        precondition(sequences.count == labels.count, "GRUClassifier.loss: \(sequences.count) sequences but \(labels.count) labels")
        guard !sequences.isEmpty else { return 0 }
        let all = logits(sequences)
        return all.withUnsafeBufferPointer { p in
            GRUEngine.softmaxCrossEntropy(logits: p.baseAddress!, labels: labels, rows: sequences.count,
                                          classes: classCount, scale: 1, gradient: nil).loss
        } / Double(sequences.count)
    }

    /// Mean cross-entropy loss and its gradient by backpropagation through time.
    ///
    /// The gradient comes back as a model whose tensors hold ∂loss/∂tensor (its
    /// standardisation is this model's, which is not trained). This is what training
    /// uses, exposed so that it can be checked against finite differences.
    /// With `bptt`, back-propagation runs through each sequence's last `bptt` steps only, from
    /// the state the earlier steps leave, held constant (`TrainingOptions.bptt`).
    public func lossAndGradient(_ sequences: [[Float]], labels: [Int], bptt: Int? = nil) -> (loss: Double, gradient: GRUClassifier) {
        precondition(sequences.count == labels.count, "GRUClassifier.lossAndGradient: \(sequences.count) sequences but \(labels.count) labels")
        for (i, label) in labels.enumerated() {
            precondition((0..<classCount).contains(label), "GRUClassifier.lossAndGradient: label \(label) of sequence \(i) is not in 0..<\(classCount)")
        }
        var gradientModel = self
        guard !sequences.isEmpty else {
            gradientModel.assign(flat: [Float](repeating: 0, count: parameterCount))
            return (0, gradientModel)
        }
        let worker = BatchGradient(layout: layout)
        let parameters = flatParameters
        var gradient = [Float](repeating: 0, count: parameterCount)
        let loss = parameters.withUnsafeBufferPointer { pp in
            gradient.withUnsafeMutableBufferPointer { gp in
                worker.run(sequences, indices: sequences.indices, labels: labels, standardization: standardization, bptt: bptt,
                           parameters: pp.baseAddress!, gradient: gp.baseAddress!, lossScale: 1 / Float(sequences.count)).loss
            }
        }
        gradientModel.assign(flat: gradient)
        return (loss / Double(sequences.count), gradientModel)
    }
}
