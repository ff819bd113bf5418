import GRU
import Testing

@Suite("GRU gradients")
struct GRUGradientTests {
    @Test("BPTT gradient of every tensor matches central finite differences of a Double reference")
    func finiteDifferences() {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 5, classCount: 4, seed: 11)
        model.standardization = Standardization(mean: [0.5, 0, -0.5], scale: [2, 1.5, 1])
        // Variable lengths, including a length-0 and a length-1 sequence.
        let sequences = randomSequences(lengths: [4, 1, 6, 0, 3, 6], features: 3, seed: 5)
        let labels = [0, 3, 1, 2, 3, 1]
        let (loss, gradient) = model.lossAndGradient(sequences, labels: labels)
        let reference = NaiveGRU(model)
        #expect(abs(loss - reference.meanLoss(sequences, labels: labels)) < 1e-5)

        let analytic = [gradient.weightIH, gradient.weightHH, gradient.biasIH, gradient.biasHH, gradient.fcWeight, gradient.fcBias]
        let names = ["weightIH", "weightHH", "biasIH", "biasHH", "fcWeight", "fcBias"]
        let epsilon = 1e-5
        for (t, name) in names.enumerated() {
            #expect(analytic[t].contains { $0 != 0 }, "\(name) gradient is all zero")
            for i in analytic[t].indices {
                var plus = reference, minus = reference
                plus.tensors[t][i] += epsilon
                minus.tensors[t][i] -= epsilon
                let numeric = (plus.meanLoss(sequences, labels: labels) - minus.meanLoss(sequences, labels: labels)) / (2 * epsilon)
                let error = abs(Double(analytic[t][i]) - numeric)
                #expect(error <= 1e-5 + 1e-3 * abs(numeric), "\(name)[\(i)]: analytic \(analytic[t][i]) vs numeric \(numeric)")
            }
        }
    }

    @Test("a finished sequence's gradient is the same alone as in a batch with longer sequences")
    func paddingInGradient() {
        let model = GRUClassifier(inputSize: 2, hiddenSize: 6, classCount: 3, seed: 2)
        let short = randomSequences(lengths: [2], features: 2, seed: 1)
        let long = randomSequences(lengths: [9, 7], features: 2, seed: 2)
        let g1 = model.lossAndGradient(short, labels: [1]).gradient
        let g3 = model.lossAndGradient(short + long, labels: [1, 0, 2]).gradient
        let gl = model.lossAndGradient(long, labels: [0, 2]).gradient
        // Mean loss over 3 = (1·short + 2·mean(long)) / 3.
        let combined = zip(g1.weightHH, gl.weightHH).map { ($0 + 2 * $1) / 3 }
        for (a, b) in zip(g3.weightHH, combined) { #expect(abs(a - b) < 1e-6) }
    }
}
