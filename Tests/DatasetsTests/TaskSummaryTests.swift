import Testing
import Datasets

@Suite("the task summary behind show task")
struct TaskSummaryTests {
    @Test("the digits summary gives name, source, counts per split, classes, length and features")
    func digits() throws {
        let summary = try TaskCatalog.load("digits").summary
        #expect(summary.trainCount == 1078 && summary.validationCount == 360 && summary.testCount == 359)
        #expect(summary.sequenceLength == 8 ... 8)
        #expect(summary.lines == [
            "task      digits",
            "source    scikit-learn 1.6.1 digits (UCI Optical Recognition of Handwritten Digits, E. Alpaydin & C. Kaynak 1998, CC BY 4.0)",
            "samples   1797: train 1078, validation 360, test 359",
            "split     stratified 60/20/20 from 1797 samples, seed 0",
            "classes   10: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9",
            "length    8 steps",
            "features  8 per step",
        ])
    }

    @Test("variable-length tasks show their shortest and longest sequence")
    func variableLength() {
        let set = SequenceSet(featureCount: 2, sequences: [[1, 2], [1, 2, 3, 4, 5, 6]], labels: [0, 1])
        let task = Task(name: "t", source: "s", classNames: ["a", "b"], featureCount: 2,
                        train: set, validation: set, test: set, splitDescription: "d")
        #expect(task.summary.sequenceLength == 1 ... 3)
        #expect(task.summary.lengthText == "1–3")
        #expect(task.summary.lines[5] == "length    1–3 steps")
    }

    @Test("many classes are abbreviated")
    func manyClasses() {
        let set = SequenceSet(featureCount: 1, sequences: [[1]], labels: [0])
        let names = (1 ... 20).map { "c\($0)" }
        let task = Task(name: "t", source: "s", classNames: names, featureCount: 1,
                        train: set, validation: set, test: set, splitDescription: "d")
        #expect(task.summary.lines[4] == "classes   20: c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, … (10 more)")
    }
}
