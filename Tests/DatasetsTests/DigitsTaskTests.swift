import Testing
import Datasets

@Suite("the embedded digits task")
struct DigitsTaskTests {
    @Test("digits is 1797 images read as 8 steps of 8 raw pixel values")
    func shape() throws {
        let task = try TaskCatalog.load("digits")
        #expect(task.name == "digits")
        #expect(task.featureCount == 8)
        #expect(task.classNames == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        #expect(task.train.count + task.validation.count + task.test.count == 1797)
        for set in [task.train, task.validation, task.test] {
            #expect(set.featureCount == 8)
            #expect(set.sequences.allSatisfy { $0.count == 64 })
            // Raw, not standardised: the GRU fits its own statistics on train.
            #expect(set.sequences.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 16 && $0 == $0.rounded() } })
        }
        #expect(task.train.sequences.contains { $0.contains(16) })
    }

    @Test("the first image is the first row of scikit-learn's file, row by row")
    func firstRow() throws {
        let unsplit = try DigitsTask.load(options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(unsplit.train.count == 1797)
        #expect(unsplit.train.labels[0] == 0)
        #expect(Array(unsplit.train.sequences[0].prefix(16)) == [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0])
        #expect(unsplit.train.labels[1] == 1)
    }

    @Test("the split is stratified 60/20/20: every class in proportion in every split")
    func stratified() throws {
        let task = try TaskCatalog.load("digits", seed: 0)
        #expect(task.train.count == 1078)
        #expect(task.validation.count == 360)
        #expect(task.test.count == 359)
        let all = try DigitsTask.load(options: LoadOptions(validationFraction: 0, testFraction: 0)).train
        for label in 0 ..< 10 {
            let total = Double(all.labels.filter { $0 == label }.count)
            #expect(abs(Double(task.train.labels.filter { $0 == label }.count) - 0.6 * total) <= 1)
            #expect(abs(Double(task.validation.labels.filter { $0 == label }.count) - 0.2 * total) <= 1)
            #expect(abs(Double(task.test.labels.filter { $0 == label }.count) - 0.2 * total) <= 1)
        }
    }

    @Test("the three splits together hold every image exactly once")
    func partition() throws {
        let task = try TaskCatalog.load("digits", seed: 3)
        let all = try DigitsTask.load(options: LoadOptions(validationFraction: 0, testFraction: 0)).train
        func key(_ sequence: [Float], _ label: Int) -> String { "\(label):" + sequence.map { String(Int($0)) }.joined(separator: ",") }
        var expected: [String: Int] = [:]
        for index in 0 ..< all.count { expected[key(all.sequences[index], all.labels[index]), default: 0] += 1 }
        var seen: [String: Int] = [:]
        for set in [task.train, task.validation, task.test] {
            for index in 0 ..< set.count { seen[key(set.sequences[index], set.labels[index]), default: 0] += 1 }
        }
        #expect(seen == expected)
    }

    @Test("the same seed gives the same split; another seed another")
    func seeded() throws {
        let first = try TaskCatalog.load("digits", seed: 7)
        let again = try TaskCatalog.load("digits", seed: 7)
        let other = try TaskCatalog.load("digits", seed: 8)
        #expect(first.train == again.train && first.validation == again.validation && first.test == again.test)
        #expect(first.test != other.test)
    }

    @Test("digits credits its source and describes its split")
    func provenance() throws {
        let task = try TaskCatalog.load("digits")
        #expect(task.source == "scikit-learn 1.6.1 digits (UCI Optical Recognition of Handwritten Digits, E. Alpaydin & C. Kaynak 1998, CC BY 4.0)")
        #expect(task.splitDescription == "stratified 60/20/20 from 1797 samples, seed 0")
        #expect(try TaskCatalog.load("digits", seed: 42).splitDescription == "stratified 60/20/20 from 1797 samples, seed 42")
    }
}
