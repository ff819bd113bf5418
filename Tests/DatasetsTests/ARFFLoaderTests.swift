import Foundation
import Testing
import Datasets

@Suite("ARFF loading")
struct ARFFLoaderTests {
    static func univariate(rows: [String], classes: String = "{up,down}") -> String {
        """
        % a comment, then the header
        @relation 'Tiny series'
        @attribute att1 numeric
        @attribute att2 NUMERIC
        @attribute 'att 3' real
        @attribute target \(classes)

        @data
        \(rows.joined(separator: "\n"))

        """
    }

    static let rows = ["0.5,0.25,1,up", "1.5,-2,3,down", "2,1,0,'up'", "0,0,?,down"]

    @Test("numeric attributes are the steps and the nominal class comes last, in its declared order")
    func univariateSeries() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("tiny.arff", Self.univariate(rows: Self.rows))
        let task = try TaskCatalog.load(path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.name == "tiny")
        #expect(task.classNames == ["up", "down"])
        #expect(task.train.labels == [0, 1, 0, 1])
        #expect(task.train.sequences == [[0.5, 0.25, 1], [1.5, -2, 3], [2, 1, 0], [0, 0]])
        #expect(task.source == "ARFF file \(path)")
    }

    @Test("a relational attribute holds one row a dimension, read as steps of several features")
    func multivariate() throws {
        let folder = try ScratchFolder()
        let text = """
            @relation Motions
            @attribute relationalAtt relational
            @attribute t0 numeric
            @attribute t1 numeric
            @attribute t2 numeric
            @end relationalAtt
            @attribute activity {Standing, 'Running'}
            @data
            '0.1,0.2,0.3\\n1.1,1.2,1.3',Standing
            "0.5,0.6,?\\n1.5,1.6,?",'Running'
            """
        let path = try folder.write("m.arff", Data(text.utf8) + Data([0x0A, 0x25, 0xB5, 0x0A]))  // a non-UTF-8 comment at the end
        let task = try TaskCatalog.load(path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.featureCount == 2)
        #expect(task.classNames == ["Standing", "Running"])
        #expect(task.train.sequences == [[0.1, 1.1, 0.2, 1.2, 0.3, 1.3], [0.5, 1.5, 0.6, 1.6]])
    }

    @Test("a pair keeps the published split, and both halves must declare the same classes")
    func pair() throws {
        let folder = try ScratchFolder()
        let many = (0 ..< 10).map { "\($0),\($0 + 1),\($0 + 2),\($0 % 2 == 0 ? "up" : "down")" }
        try folder.write("Tiny_TRAIN.arff", Self.univariate(rows: many))
        let test = try folder.write("Tiny_TEST.arff", Self.univariate(rows: Self.rows))
        let task = try TaskCatalog.load(test)
        #expect(task.test.count == 4 && task.train.count + task.validation.count == 10)
        #expect(task.source.hasPrefix("ARFF files "))
        try folder.write("Tiny_TEST.arff", Self.univariate(rows: Self.rows, classes: "{up,down,left}"))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(test) }
            == "\(test):6: the class attribute 'target' declares [\"up\", \"down\", \"left\"], but \((test as NSString).deletingLastPathComponent)/Tiny_TRAIN.arff declares [\"up\", \"down\"]")
    }

    /// Each malformed file and the words gq must answer it with (`FILE` stands for its path).
    static let malformed: [(String, String, String)] = [
        ("regression target", "@relation r\n@attribute a numeric\n@attribute y numeric\n@data\n1,2\n",
         "FILE:3: the last attribute, 'y', is the class, but it is numeric: a numeric target is regression, and gq needs class labels; gq reads ARFF time series as the UCR/UEA archives write them: numeric attributes (one a time step) or one relational attribute (a row a dimension), then the nominal class"),
        ("string attribute", "@relation r\n@attribute a string\n@attribute c {x,y}\n@data\n",
         "FILE:2: attribute 'a' is of type string, which gq cannot read; gq reads ARFF time series as the UCR/UEA archives write them: numeric attributes (one a time step) or one relational attribute (a row a dimension), then the nominal class"),
        ("no @data", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n",
         "FILE: no @data line (missing @data?)"),
        ("unknown label", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,x\n2,z\n",
         "FILE:6:3: label 'z' is not among the class attribute's values {x,y}"),
        ("missing label", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,?\n",
         "FILE:5:3: missing class label"),
        ("wrong count", "@relation r\n@attribute a numeric\n@attribute b numeric\n@attribute c {x,y}\n@data\n1,x\n",
         "FILE:6:1: row has 2 values, but the header declares 3 attributes"),
        ("sparse row", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n{0 1, 1 x}\n",
         "FILE:5:1: sparse ARFF rows ({index value, …}) are not supported; write the series densely"),
        ("unclosed quote", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,'x\n",
         "FILE:5:3: quote opened here is never closed"),
        ("relational without @end", "@relation r\n@attribute s relational\n@attribute t0 numeric\n@attribute c {x,y}\n@data\n",
         "FILE:4: attribute 'c' inside a relational attribute must be numeric (a time step's value)"),
        ("missing inside", "@relation r\n@attribute a numeric\n@attribute b numeric\n@attribute c {x,y}\n@data\n?,1,x\n",
         "FILE:6:1: missing value inside the series (only trailing padding may be missing)"),
        ("not a number", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\nabc,x\n",
         "FILE:5:1: 'abc' is not a number"),
        ("ragged dimensions", "@relation r\n@attribute s relational\n@attribute t0 numeric\n@attribute t1 numeric\n@end s\n@attribute c {x,y}\n@data\n'1,2\\n3',x\n",
         "FILE:8:7: dimension 2 has 1 values, but dimension 1 has 2"),
        ("unquoted relational value", "@relation r\n@attribute s relational\n@attribute t0 numeric\n@end s\n@attribute c {x,y}\n@data\n1,x\n",
         "FILE:7:1: the relational value must be quoted, a row a dimension separated by \\n"),
        ("data before @data", "1,2,x\n",
         "FILE:1: data before the @data line (missing @data?)"),
        ("no rows", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n% nothing\n",
         "FILE: no rows after @data"),
        ("repeated class value", "@relation r\n@attribute a numeric\n@attribute c {a,a,b}\n@data\n1,a\n",
         "FILE:3: attribute 'c' lists the value 'a' twice"),
        ("unknown header line", "@relation r\n@attrib a numeric\n",
         "FILE:2: unknown header line '@attrib' (ARFF has @relation, @attribute, @end and @data)"),
    ]

    @Test("a malformed .arff is refused with its line and column and what is wrong", arguments: malformed.map(\.0))
    func refused(_ name: String) throws {
        let (_, text, expected) = try #require(Self.malformed.first { $0.0 == name })
        let folder = try ScratchFolder()
        let path = try folder.write("bad.arff", text)
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == expected.replacingOccurrences(of: "FILE", with: path))
    }
}
