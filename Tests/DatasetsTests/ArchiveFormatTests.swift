import Foundation
import Testing
import Datasets

/// The UCR archive's delimited files as distributed: `.tsv` (2018) and blank-separated
/// `.txt` or extension-less files (before 2018), both with the label first, and pairs of
/// `NAME_TRAIN` and `NAME_TEST` files.
@Suite("UCR archive text files")
struct ArchiveFormatTests {
    /// `count` rows, label first, then `steps` fractional values; class = row % 2 + 1.
    static func ucrRows(_ count: Int, steps: Int = 5, separator: String = "\t", offset: Int = 0) -> String {
        var lines: [String] = []
        for row in 0 ..< count {
            var cells = [String(row % 2 + 1)]
            for step in 0 ..< steps {
                let value: Double = Double(row + offset) * 0.37 + Double(step) * 0.11 - 1
                cells.append(String(value))
            }
            lines.append(cells.joined(separator: separator))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("a UCR .tsv reads its label from the first column, and says that it chose it")
    func tsvLabelFirst() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("Coffee_TRAIN.tsv", Self.ucrRows(20))
        let task = try TaskCatalog.load(path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.name == "Coffee")
        #expect(task.classNames == ["1", "2"])
        #expect(task.train.count == 20)
        #expect(task.summary.sequenceLength == 5 ... 5)
        #expect(task.train.sequences[1] == [-0.63, -0.52, -0.41, -0.3, -0.19].map { Float($0) })
        #expect(task.notes == ["labels read from the first column (2 distinct whole numbers in 20 rows); the last column looks like measurements (20 distinct fractional numbers in 20 rows); 'label last' reads the other end"])
        #expect(task.source == "TSV file \(path) (20 rows, label in first column)")
        #expect(task.summary.lines.last == "note      " + task.notes[0])
    }

    @Test("a label column given on the line is used as given")
    func givenColumnWins() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("series.tsv", Self.ucrRows(20))
        let last = try TaskCatalog.load(path, options: LoadOptions(labelColumn: .last, validationFraction: 0, testFraction: 0))
        #expect(last.classCount == 20 && last.notes.isEmpty)
        let task = try TaskCatalog.load(path, options: LoadOptions(labelColumn: .first))
        #expect(task.notes.isEmpty)
        #expect(task.classNames == ["1", "2"])
    }

    @Test("the old blank-separated UCR files read like the .tsv, labels in exponent form as whole numbers")
    func blankSeparated() throws {
        let folder = try ScratchFolder()
        let tsv = Self.ucrRows(20)
        let old = tsv.split(separator: "\n").map { line in
            line.split(separator: "\t").map { String(format: "%16.7e", Double($0)!) }.joined() + "\n"
        }.joined()
        #expect(old.hasPrefix("   1.0000000e+00  -1.0000000e+00"))
        let options = LoadOptions(validationFraction: 0, testFraction: 0)
        let fromTSV = try TaskCatalog.load(try folder.write("a.tsv", tsv), options: options)
        for name in ["Coffee.txt", "Coffee_TRAIN"] {
            let task = try TaskCatalog.load(try folder.write(name, old), options: options)
            #expect(task.classNames == ["1", "2"])
            #expect(task.train == fromTSV.train)
        }
    }

    @Test("given either half of a NAME_TRAIN/NAME_TEST pair, both are read and the test half kept as published")
    func pairs() throws {
        let folder = try ScratchFolder()
        for (train, test) in [("Coffee_TRAIN.tsv", "Coffee_TEST.tsv"), ("Beef_TRAIN", "Beef_TEST"), ("Wine_train.txt.gz", "Wine_test.txt.gz")] {
            let gz = train.hasSuffix(".gz")
            let trainText = Self.ucrRows(20), testText = Self.ucrRows(12, offset: 100)
            let trainPath = try folder.write(train, gz ? gzipped(trainText) : Data(trainText.utf8))
            let testPath = try folder.write(test, gz ? gzipped(testText) : Data(testText.utf8))
            for given in [trainPath, testPath] {
                let task = try TaskCatalog.load(given)
                #expect(task.test.count == 12)
                #expect(task.train.count + task.validation.count == 20)
                #expect(task.splitDescription.hasPrefix("published train/test split (20/12 samples)"))
                #expect(task.notes.count == 1)
            }
        }
    }

    @Test("the test half is read with the label column chosen on the train half")
    func partnerReadAlike() throws {
        let folder = try ScratchFolder()
        try folder.write("Tiny_TRAIN.tsv", Self.ucrRows(20))
        // Read alone, three rows could not show which end is the label.
        let test = try folder.write("Tiny_TEST.tsv", "1\t0.5\t0.7\n2\t0.2\t0.1\n1\t0.3\t0.9\n")
        let task = try TaskCatalog.load(test)
        #expect(task.test.labels == [0, 1, 0])
        #expect(task.test.sequences[2] == [0.3, 0.9])
    }

    @Test("when both ends could be labels, gq asks instead of guessing")
    func ambiguous() throws {
        let folder = try ScratchFolder()
        let text = (0 ..< 20).map { "\($0 % 2),\($0 % 3),\($0 % 4),\($0 % 5)" }.joined(separator: "\n")
        let path = try folder.write("counts.csv", text)
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): cannot tell which column holds the class labels: the first (2 distinct whole numbers in 20 rows) and the last (5 distinct whole numbers in 20 rows) could both be labels; say 'label first' or 'label last'")
        #expect(try TaskCatalog.load(path, options: LoadOptions(labelColumn: .last)).classNames == ["0", "1", "2", "3", "4"])
    }

    @Test("a header that names the class column settles a file whose values cannot")
    func headerNames() throws {
        let folder = try ScratchFolder()
        let text = "class,a,b,count\n" + (0 ..< 20).map { "\($0 % 2),\($0).5,\($0).25,\($0 % 5)" }.joined(separator: "\n")
        let task = try TaskCatalog.load(try folder.write("named.csv", text))
        #expect(task.classNames == ["0", "1"])
        #expect(task.notes == ["labels read from the first column, which the header calls 'class'; 'label last' reads the other end"])
    }

    @Test("when neither end looks like labels, gq says what each holds and asks")
    func neither() throws {
        let folder = try ScratchFolder()
        let text = (0 ..< 10).map { "\(Double($0) * 0.5 + 0.25),1,2,\(Double($0) * 0.3 + 0.1)" }.joined(separator: "\n")
        let path = try folder.write("values.csv", text)
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): no column looks like class labels: the first holds 10 distinct fractional numbers in 10 rows, the last 10 distinct fractional numbers in 10 rows (labels are names or whole numbers); if one of them is the label, say 'label first' or 'label last'")
    }

    @Test("a column of names is the label beside a column of numbers, however few the rows")
    func names() throws {
        let folder = try ScratchFolder()
        let all = LoadOptions(validationFraction: 0, testFraction: 0)
        let labelsLast = try TaskCatalog.load(try folder.write("a.csv", "1,2,up\n3,4,down\n5,6,up\n7,8,down\n9,1,up\n2,3,down\n"), options: all)
        #expect(labelsLast.classNames == ["down", "up"])
    }

    @Test("trailing NaN pads a shorter series, as the archive pads unequal lengths; NaN inside is named by line and column")
    func padding() throws {
        let folder = try ScratchFolder()
        var rows = Self.ucrRows(20).split(separator: "\n").map(String.init)
        rows[3] += "\tNaN\tNaN"
        rows = rows.enumerated().map { $0.offset == 3 ? $0.element : $0.element + "\t0.5\t0.25" }
        let path = try folder.write("Uneven_TRAIN.tsv", rows.joined(separator: "\n"))
        let task = try TaskCatalog.load(path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.summary.sequenceLength == 5 ... 7)
        #expect(task.train.sequences[3].count == 5)
        let inside = try folder.write("inside.tsv", "1\t0.5\tNaN\t0.25\n2\t0.1\t0.2\t0.3\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(inside, options: LoadOptions(labelColumn: .first)) }
            == "\(inside):1:3: missing value inside the series (only trailing padding may be missing)")
        let allMissing = try folder.write("none.tsv", "1\tNaN\tNaN\n2\t0.1\t0.2\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(allMissing, options: LoadOptions(labelColumn: .first)) }
            == "\(allMissing):1: row has no values, only missing cells")
        let partStep = try folder.write("part.csv", "1,2,3,NaN,a\n4,5,6,7,b\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(partStep, options: LoadOptions(featureCount: 2)) }
            == "\(partStep):1:4: the row's values end part-way through a step of 2 features (missing cells may only pad whole steps at the end)")
    }

    @Test("a malformed blank-separated file names the line and the field at fault")
    func malformedBlankSeparated() throws {
        let folder = try ScratchFolder()
        let lines = Self.ucrRows(20, separator: "  ").split(separator: "\n").map(String.init)
        let ragged = try folder.write("Ragged_TRAIN.txt", (lines.prefix(5) + ["1  0.5  0.25"] + lines.dropFirst(5)).joined(separator: "\n"))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(ragged) }
            == "\(ragged):6: row has 3 fields, expected 6 as on line 1 (ragged rows)")
        let word = try folder.write("Word_TRAIN.txt", (lines.prefix(2) + ["2  0.5  x7  0.1  0.2  0.3"] + lines.dropFirst(2)).joined(separator: "\n"))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(word) } == "\(word):3:3: 'x7' is not a number")
    }
}

