import Foundation
import Testing
import Datasets

@Suite("CSV loading")
struct CSVLoaderTests {
    /// 20 rows of 6 values (3 steps × 2 features) and a label, two classes.
    static func rows(label: (Int) -> String = { $0 % 2 == 0 ? "even" : "odd" }) -> String {
        (0 ..< 20).map { row in (0 ..< 6).map { String(row * 10 + $0) }.joined(separator: ",") + "," + label(row) }
            .joined(separator: "\n") + "\n"
    }

    @Test("each row is one sequence, cut into steps of the given feature count")
    func shape() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("pairs.csv", Self.rows())
        let task = try TaskCatalog.load(path, options: LoadOptions(featureCount: 2))
        #expect(task.name == "pairs")
        #expect(task.featureCount == 2)
        #expect(task.classNames == ["even", "odd"])
        #expect(task.summary.sequenceLength == 3 ... 3)
        #expect(task.train.count + task.validation.count + task.test.count == 20)
        #expect(task.splitDescription == "stratified 60/20/20 from 20 samples, seed 0")
        let unsplit = try CSVLoader.load(path: path, options: LoadOptions(featureCount: 2, validationFraction: 0, testFraction: 0))
        #expect(unsplit.train.sequences[1] == [10, 11, 12, 13, 14, 15])
        #expect(unsplit.train.labels[1] == 1)
        #expect(unsplit.source == "CSV file \(path) (20 rows, label in last column)")
    }

    @Test("the step count is an alternative to the feature count; with neither, rows are univariate")
    func steps() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("pairs.csv", Self.rows())
        #expect(try TaskCatalog.load(path, options: LoadOptions(stepCount: 2)).featureCount == 3)
        let univariate = try TaskCatalog.load(path)
        #expect(univariate.featureCount == 1)
        #expect(univariate.summary.sequenceLength == 6 ... 6)
    }

    @Test("a gzipped CSV reads like the plain one, and a header line is skipped")
    func gzippedWithHeader() throws {
        let folder = try ScratchFolder()
        let header = "a,b,c,d,e,f,label\n"
        let path = try folder.write("pairs.csv.gz", gzipped(header + Self.rows()))
        let task = try TaskCatalog.load(path, options: LoadOptions(featureCount: 3))
        #expect(task.name == "pairs")
        #expect(task.train.count + task.validation.count + task.test.count == 20)
    }

    @Test("the label may be in the first or any numbered column; numeric labels sort as numbers")
    func labelColumn() throws {
        let folder = try ScratchFolder()
        let text = (0 ..< 24).map { row in "\(row % 12)," + (0 ..< 4).map { String(row + $0) }.joined(separator: ",") }.joined(separator: "\n")
        let path = try folder.write("first.csv", text)
        let task = try TaskCatalog.load(path, options: LoadOptions(labelColumn: .first, featureCount: 4))
        #expect(task.classNames == (0 ..< 12).map(String.init))
        let byNumber = try TaskCatalog.load(path, options: LoadOptions(labelColumn: .column(1), featureCount: 4))
        #expect(byNumber.classNames == task.classNames)
    }

    @Test("tab-separated files are read too")
    func tabs() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("pairs.tsv", Self.rows().replacingOccurrences(of: ",", with: "\t"))
        #expect(try TaskCatalog.load(path, options: LoadOptions(featureCount: 2)).featureCount == 2)
    }

    @Test("ragged rows are named by line")
    func ragged() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("ragged.csv", "1,2,3,a\n4,5,6,b\n7,8,b\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path):3: row has 3 fields, expected 4 as on line 1 (ragged rows)")
    }

    @Test("a non-numeric cell is named by line and column")
    func nonNumeric() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("bad.csv", "1,2,3,a\n4,five,6,b\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path):2:2: 'five' is not a number")
    }

    @Test("empty and missing cells are refused, not read as zero")
    func missingCells() throws {
        let folder = try ScratchFolder()
        let empty = try folder.write("empty.csv", "1,2,3,a\n4,,6,b\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(empty) } == "\(empty):2:2: empty cell")
        let nan = try folder.write("nan.csv", "1,2,3,a\n4,NaN,6,b\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(nan) }
            == "\(nan):2:2: missing value inside the series (only trailing padding may be missing)")
        let infinite = try folder.write("inf.csv", "1,2,3,a\n4,inf,6,b\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(infinite) }
            == "\(infinite):2:2: 'inf' is not a finite number (missing values are not supported)")
    }

    @Test("a row that does not make whole steps says so")
    func wholeSteps() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("odd.csv", "1,2,3,4,5,a\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path, options: LoadOptions(featureCount: 2)) }
            == "\(path):1: 5 values per row do not make whole steps of 2 features")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path, options: LoadOptions(stepCount: 2)) }
            == "\(path):1: 5 values per row do not divide into 2 steps")
    }

    @Test("a label column past the end of the row is named")
    func labelPastEnd() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("short.csv", "1,2,3,a\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path, options: LoadOptions(labelColumn: .column(9))) }
            == "\(path):1: label column 9 is past the row's 4 fields")
    }

    @Test("an empty file and a one-column file are explained")
    func degenerate() throws {
        let folder = try ScratchFolder()
        let empty = try folder.write("empty.csv", "\n\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(empty) } == "\(empty): no rows")
        let single = try folder.write("single.csv", "1|2|3|a\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(single) }
            == "\(single):1: row has 1 field; need a label and at least one value (wrong delimiter? this row was split on commas)")
    }

    @Test("contradictory shape options are refused")
    func options() {
        #expect(datasetErrorMessage { _ = try CSVLoader.load(path: "x.csv", options: LoadOptions(featureCount: 2, stepCount: 3)) }
            == "give either the feature count or the step count, not both")
        #expect(datasetErrorMessage { _ = try CSVLoader.load(path: "x.csv", options: LoadOptions(featureCount: 0)) }
            == "feature count must be at least 1, got 0")
        #expect(datasetErrorMessage { _ = try CSVLoader.load(path: "x.csv", options: LoadOptions(labelColumn: .column(0))) }
            == "label column is 1-based, got 0")
    }

    @Test("a damaged gzip file names the file")
    func damagedGzip() throws {
        let folder = try ScratchFolder()
        let whole = Array(gzipped(Self.rows()))
        let path = try folder.write("cut.csv.gz", Data(whole.prefix(whole.count / 2)))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path): compressed data ends early (truncated file?)")
    }

    @Test("numbers parse exactly: decimals, signs and exponents")
    func numbers() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("n.csv", "0.1,-2.5,+3,1e-3,.5,x\n")
        let task = try CSVLoader.load(path: path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.train.sequences[0] == [0.1, -2.5, 3, 0.001, 0.5])
    }
}
