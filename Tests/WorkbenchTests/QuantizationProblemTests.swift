import Foundation
import Testing
import Workbench

@Suite("The quantization search problem")
struct QuantizationProblemTests {
    @Test("judged on validation, a genome's objectives are the integer model's validation error and size, as eval measures them")
    func objectivesMatchEvaluation() throws {
        let workspace = try trainedWorkspace()
        let problem = try workspace.searchProblem(objectives: SearchObjective.defaultList, widths: QuantizationProblem.defaultWidths,
                                                  judge: .validation)
        let genome = [4, 5, 6, 7, 8, 3, 4, 5, 6, 7, 8, 3, 4, 5, 6, 7, 8]
        let values = problem.evaluate(genome)
        let score = try workspace.evaluate(problem.inputs.bits(genome))
        #expect(values.count == 2)
        #expect(abs(values[0] - (1 - score.accuracy.validation)) < 1e-12)
        #expect(values[1] == Double(score.size))
        #expect(problem.accuracy(values) == score.accuracy.validation)
    }

    @Test("judged on noisy copies (the default), a genome's error is measured on validation and the copies, which the fingerprint names")
    func judgedOnNoisyCopies() throws {
        let workspace = try trainedWorkspace()
        let problem = try workspace.searchProblem(objectives: SearchObjective.defaultList, widths: QuantizationProblem.defaultWidths)
        let copies = try #require(problem.judge.copies)
        #expect(problem.judge.kind == .noisy && copies.copies >= 1)
        #expect(problem.judge.evaluator.count == copies.sequences.count)
        #expect(copies.sequences.count > copies.validationCount)
        let genome = [4, 5, 6, 7, 8, 3, 4, 5, 6, 7, 8, 3, 4, 5, 6, 7, 8]
        let quantized = problem.inputs.quantized(genome)
        #expect(problem.accuracy(problem.evaluate(genome)) == problem.judge.evaluator.accuracy(quantized))
        let onValidation = try workspace.searchProblem(objectives: SearchObjective.defaultList, widths: QuantizationProblem.defaultWidths,
                                                       judge: .validation)
        #expect(problem.fingerprint != onValidation.fingerprint)
        let otherSeed = try workspace.searchProblem(objectives: SearchObjective.defaultList, widths: QuantizationProblem.defaultWidths,
                                                    judgeSeed: 99)
        #expect(problem.fingerprint != otherSeed.fingerprint)
    }

    @Test("the hypervolume reference is 1 for error and 1.1 × 8-bit for each cost")
    func referencePoint() throws {
        let workspace = try trainedWorkspace()
        let problem = try workspace.searchProblem(objectives: try SearchObjective.parseList("error,size,bitops"), widths: [2, 4, 8])
        let eight = problem.evaluate(problem.homogeneous(8))
        let reference = problem.referencePoint(eightBit: eight)
        #expect(reference[0] == 1)
        #expect(abs(reference[1] - eight[1] * 1.1) < 1e-9)
        #expect(abs(reference[2] - eight[2] * 1.1) < 1e-9)
        #expect(problem.space.allowedValues.allSatisfy { $0 == [2, 4, 8] })
        #expect(problem.space.geneCount == 17)
    }

    @Test("the fingerprint follows the weights and options, not the session around them")
    func fingerprint() throws {
        let a = try trainedWorkspace(), b = try trainedWorkspace()
        let objectives = SearchObjective.defaultList
        let fa = try a.searchProblem(objectives: objectives, widths: [2, 8]).fingerprint
        #expect(fa == (try b.searchProblem(objectives: objectives, widths: [2, 8]).fingerprint))
        var options = b.options
        options.requantization = .powerOfTwo
        b.setOptions(options)
        #expect(fa != (try b.searchProblem(objectives: objectives, widths: [2, 8]).fingerprint))
        let c = try trainedWorkspace(seed: 5)
        #expect(fa != (try c.searchProblem(objectives: objectives, widths: [2, 8]).fingerprint))
    }
}
