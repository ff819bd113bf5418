import GRU
import Testing

@Suite("GRU forward pass")
struct GRUForwardTests {
    @Test("a one-unit GRU reproduces hand-computed PyTorch-convention logits")
    func handComputed() throws {
        // Values computed by hand (in Python's math module) from the four GRU equations.
        let model = try #require(GRUClassifier(
            inputSize: 1, hiddenSize: 1, classCount: 2,
            weightIH: [0.5, -0.25, 1.0], weightHH: [0.1, 0.2, -0.3],
            biasIH: [0.05, -0.1, 0.2], biasHH: [-0.02, 0.03, 0.1],
            fcWeight: [1.5, -2.0], fcBias: [0.1, -0.1]))
        let logits = model.logits([[1.0, -2.0, 0.5], [3.0], []])
        let expected: [Float] = [0.6036639041651324, -0.7715518722201765, 1.138422715345108, -1.484563620460144, 0.1, -0.1]
        #expect(logits.count == 6)
        for (got, want) in zip(logits, expected) { #expect(abs(got - want) < 1e-6, "\(got) vs \(want)") }
    }

    @Test("batched SIMD logits agree with a naive Double GRU on odd sizes and mixed lengths",
          arguments: [(3, 5, 4), (8, 64, 10), (13, 33, 3), (2, 17, 2)])
    func againstNaive(sizes: (Int, Int, Int)) {
        let (f, h, c) = sizes
        var model = GRUClassifier(inputSize: f, hiddenSize: h, classCount: c, seed: 7)
        model.standardization = Standardization(mean: (0..<f).map { Float($0) * 0.1 }, scale: (0..<f).map { 1 + Float($0) * 0.2 })
        let lengths = [5, 1, 9, 0, 3, 9, 2, 7, 4, 6, 8, 1]
        let sequences = randomSequences(lengths: lengths, features: f, seed: UInt64(h))
        let logits = model.logits(sequences)
        let naive = NaiveGRU(model)
        for (i, s) in sequences.enumerated() {
            let want = naive.logits(s)
            for k in 0..<c {
                #expect(abs(Double(logits[i * c + k]) - want[k]) < 2e-5, "sequence \(i) class \(k)")
            }
        }
    }

    @Test("padding never changes a result: a sequence alone and inside a batch of longer ones give identical logits")
    func paddingInvariance() {
        let model = GRUClassifier(inputSize: 4, hiddenSize: 24, classCount: 5, seed: 3)
        let batch = randomSequences(lengths: [3, 11, 7, 3, 15, 1, 9], features: 4, seed: 99)
        let together = model.logits(batch)
        for (i, s) in batch.enumerated() {
            let alone = model.logits([s])
            #expect(Array(together[(i * 5)..<(i * 5 + 5)]) == alone, "sequence \(i)")
        }
        let predictions = model.predictions(batch)
        #expect(predictions == batch.map { model.predictions([$0])[0] })
    }

    @Test("a sequence's logits are the same bit for bit in any slice of a large set, so MPI ranks may share the float predictions")
    func sliceInvariance() {
        var model = GRUClassifier(inputSize: 28, hiddenSize: 64, classCount: 10, seed: 5)
        model.standardization = Standardization(mean: (0..<28).map { Float($0) * 0.01 }, scale: (0..<28).map { 1 + Float($0) * 0.03 })
        // More than one 256-row chunk, with mixed lengths, cut as 1, 2 and 3 ranks would cut it.
        let sequences = randomSequences(lengths: (0..<600).map { 1 + ($0 * 7919) % 28 }, features: 28, seed: 12)
        let whole = model.logits(sequences)
        for ranks in [2, 3] {
            var sliced: [Float] = []
            for rank in 0..<ranks {
                sliced += model.logits(Array(sequences[(600 * rank / ranks)..<(600 * (rank + 1) / ranks)]))
            }
            #expect(sliced == whole, "\(ranks) slices")
        }
    }

    @Test("a model without standardisation runs on raw inputs; with one, inputs are standardised first")
    func standardisation() {
        var model = GRUClassifier(inputSize: 2, hiddenSize: 3, classCount: 2, seed: 1)
        let raw: [[Float]] = [[1, 2, 3, 4]]
        let plain = model.logits(raw)
        model.standardization = Standardization(mean: [1, 1], scale: [2, 4])
        let standardised = model.logits(raw)
        model.standardization = nil
        #expect(standardised == model.logits([[0, 0.25, 1, 0.75]]))
        #expect(plain != standardised)
    }

    @Test("Standardization.fit uses every step of every sequence and gives a constant feature scale 1")
    func fit() {
        let s = Standardization.fit(sequences: [[1, 5, 3, 5], [5, 5]], featureCount: 2)
        #expect(s.mean == [3, 5])
        #expect(abs(s.scale[0] - (8.0 / 3.0).squareRoot()) < 1e-6)
        #expect(s.scale[1] == 1)
    }

    @Test("initialisation is PyTorch-style uniform in ±1/√H and fixed by the seed")
    func initialisation() {
        let a = GRUClassifier(inputSize: 5, hiddenSize: 16, classCount: 3, seed: 42)
        let b = GRUClassifier(inputSize: 5, hiddenSize: 16, classCount: 3, seed: 42)
        let c = GRUClassifier(inputSize: 5, hiddenSize: 16, classCount: 3, seed: 43)
        #expect(a == b)
        #expect(a != c)
        let all = a.weightIH + a.weightHH + a.biasIH + a.biasHH + a.fcWeight + a.fcBias
        #expect(all.count == a.parameterCount)
        #expect(a.parameterCount == 3 * 16 * 5 + 3 * 16 * 16 + 6 * 16 + 3 * 16 + 3)
        #expect(all.allSatisfy { abs($0) <= 0.25 })
        #expect(all.contains { abs($0) > 0.2 })
    }
}
