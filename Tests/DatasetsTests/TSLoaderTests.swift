import Foundation
import Testing
import Datasets

@Suite("UEA/UCR .ts loading")
struct TSLoaderTests {
    static let header = """
        # Two-channel, unequal-length series; comments and blank lines are allowed.
        % so are percent comments
        @problemName Toy
        @TIMESTAMPS false
        @univariate false
        @dimensions 2
        @equalLength false
        @classLabel true up down

        @data

        """

    /// `count` cases alternating up/down, case i has i % 3 + 2 steps.
    static func cases(_ count: Int, offset: Int = 0) -> String {
        (0 ..< count).map { index in
            let steps = index % 3 + 2
            let a = (0 ..< steps).map { String(offset + index * 10 + $0) }.joined(separator: ",")
            let b = (0 ..< steps).map { String(-(offset + index * 10 + $0)) }.joined(separator: ",")
            return "\(a):\(b):\(index % 2 == 0 ? "up" : "down")"
        }.joined(separator: "\n") + "\n"
    }

    @Test("a multivariate, unequal-length file reads each dimension as a feature")
    func multivariate() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("Toy.ts", Self.header + Self.cases(10))
        let task = try TSLoader.load(path: path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.name == "Toy")
        #expect(task.featureCount == 2)
        #expect(task.classNames == ["up", "down"])  // declared order, not sorted
        #expect(task.train.sequences[0] == [0, 0, 1, -1])
        #expect(task.train.sequences[1] == [10, -10, 11, -11, 12, -12])
        #expect(task.train.labels[0] == 0 && task.train.labels[1] == 1)
        #expect(task.summary.sequenceLength == 2 ... 4)
    }

    @Test("given either half of a _TRAIN/_TEST pair, both are read and test stays as published")
    func pair() throws {
        let folder = try ScratchFolder()
        let train = try folder.write("Toy_TRAIN.ts", Self.header + Self.cases(20))
        let test = try folder.write("Toy_TEST.ts", Self.header + Self.cases(6, offset: 1000))
        let fromTrain = try TaskCatalog.load(train, seed: 5)
        let fromTest = try TaskCatalog.load(test, seed: 5)
        #expect(fromTrain.name == "Toy")
        #expect(fromTrain.test.count == 6)
        #expect(fromTrain.test.sequences[0] == [1000, -1000, 1001, -1001])
        #expect(fromTrain.train.count == 16 && fromTrain.validation.count == 4)
        #expect(fromTrain.train == fromTest.train && fromTrain.validation == fromTest.validation && fromTrain.test == fromTest.test)
        #expect(fromTrain.splitDescription == "published train/test split (20/6 samples); validation stratified 20 % of train, seed 5; test untouched")
    }

    @Test("a _TRAIN file without its _TEST partner is split 60/20/20 and says why")
    func lonelyHalf() throws {
        let folder = try ScratchFolder()
        let train = try folder.write("Toy_TRAIN.ts", Self.header + Self.cases(10))
        let task = try TaskCatalog.load(train)
        #expect(task.splitDescription == "stratified 60/20/20 from 10 samples, seed 0 (no Toy_TEST.ts beside it, so no published split)")
    }

    @Test("a univariate file with numeric labels and trailing NaN padding")
    func univariatePadded() throws {
        let folder = try ScratchFolder()
        let text = "@problemName Uni\n@univariate true\n@equalLength false\n@classLabel true 1 2 10\n@data\n1,2,3,NaN,NaN:10\n4,5:2\n6,7,8,9:1\n"
        let path = try folder.write("uni.ts", text)
        let task = try TSLoader.load(path: path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.featureCount == 1)
        #expect(task.train.sequences == [[1, 2, 3], [4, 5], [6, 7, 8, 9]])
        #expect(task.train.labels == [2, 1, 0])
    }

    @Test("a file without @data is named")
    func missingData() throws {
        let folder = try ScratchFolder()
        let headerOnly = try folder.write("a.ts", "@problemName A\n@classLabel true x y\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(headerOnly) } == "\(headerOnly): no @data line (missing @data?)")
        let dataFirst = try folder.write("b.ts", "@problemName B\n1,2:x\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(dataFirst) } == "\(dataFirst):2: data before the @data line (missing @data?)")
    }

    @Test("a label not declared in the header is named by line and column")
    func undeclaredLabel() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("l.ts", Self.header + "1,2:3,4:up\n5,6:7,8:sideways\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path):12:9: label 'sideways' is not declared in @classLabel (up down)")
    }

    @Test("a channel count that changes between cases is named")
    func channelsChange() throws {
        let folder = try ScratchFolder()
        let text = Self.header.replacingOccurrences(of: "@dimensions 2\n", with: "") + "1,2:3,4:up\n5,6:down\n"
        let path = try folder.write("c.ts", text)
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path):11: case has 1 dimensions, expected 2 as on line 10")
        let declared = try folder.write("d.ts", Self.header + "1,2:up\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(declared) } == "\(declared):11: case has 1 dimensions, but the header declares 2")
    }

    @Test("dimensions of different lengths within a case are named")
    func dimensionLengths() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("e.ts", Self.header + "1,2,3:4,5:up\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path):11: dimension 2 has 2 values, but dimension 1 has 3")
    }

    @Test("a non-numeric value and an interior missing value are named by line and column")
    func badValues() throws {
        let folder = try ScratchFolder()
        let word = try folder.write("f.ts", Self.header + "1,x:3,4:up\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(word) } == "\(word):11:3: 'x' is not a number")
        let hole = try folder.write("g.ts", Self.header + "1,?,3:3,4,5:up\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(hole) }
            == "\(hole):11:3: missing value in dimension 1 (only trailing padding may be missing)")
    }

    @Test("time stamps and regression targets are refused with a reason")
    func unsupported() throws {
        let folder = try ScratchFolder()
        let stamps = try folder.write("t.ts", "@timeStamps true\n@data\n(0,1):a\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(stamps) }
            == "\(stamps):1: @timeStamps true is not supported; export the series without time stamps")
        let target = try folder.write("r.ts", "@targetLabel true\n@data\n1,2:0.5\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(target) }
            == "\(target):1: a regression target (@targetLabel true); gq needs class labels")
    }

    @Test("an equal-length file whose series disagree with @seriesLength is named")
    func seriesLength() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("s.ts", "@univariate true\n@equalLength true\n@seriesLength 3\n@classLabel true a b\n@data\n1,2,3:a\n1,2:b\n")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path):7: series has 2 values, but the header says @equalLength true and @seriesLength 3")
    }

    @Test("train and test that declare different classes are refused")
    func classMismatch() throws {
        let folder = try ScratchFolder()
        let train = try folder.write("M_TRAIN.ts", Self.header + Self.cases(4))
        let test = try folder.write("M_TEST.ts", Self.header.replacingOccurrences(of: "up down", with: "up down left") + Self.cases(4))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(train) }
            == "\(test):8: @classLabel declares [\"up\", \"down\", \"left\"], but \(train) declares [\"up\", \"down\"]")
    }
}
