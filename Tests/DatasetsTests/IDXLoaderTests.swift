import Foundation
import Testing
import Datasets

@Suite("IDX (MNIST-style) loading")
struct IDXLoaderTests {
    /// `count` 3×2 images whose pixels encode their index; labels cycle 0, 1, 2.
    static func write(_ folder: ScratchFolder, prefix: String, count: Int, base: Int = 0) throws -> String {
        let pixels = (0 ..< count).flatMap { image in (0 ..< 6).map { UInt8((base + image * 6 + $0) % 256) } }
        let images = try folder.write("\(prefix)-images-idx3-ubyte.gz", Data(gzipped(idx([count, 3, 2], pixels))))
        try folder.write("\(prefix)-labels-idx1-ubyte.gz", Data(gzipped(idx([count], (0 ..< count).map { UInt8($0 % 3) }))))
        return images
    }

    @Test("gzipped images read row by row: R steps of C features, with their labels")
    func images() throws {
        let folder = try ScratchFolder()
        let path = try Self.write(folder, prefix: "train", count: 12)
        let task = try TaskCatalog.load(path, options: LoadOptions(validationFraction: 0, testFraction: 0))
        #expect(task.featureCount == 2)
        #expect(task.summary.sequenceLength == 3 ... 3)
        #expect(task.train.sequences[1] == [6, 7, 8, 9, 10, 11])
        #expect(task.classNames == ["0", "1", "2"])
        #expect(task.train.labels.prefix(4) == [0, 1, 2, 0])
    }

    @Test("train- and t10k- files together are a published split, from either file")
    func pair() throws {
        let folder = try ScratchFolder()
        let train = try Self.write(folder, prefix: "train", count: 15)
        _ = try Self.write(folder, prefix: "t10k", count: 6, base: 100)
        let task = try TaskCatalog.load(train)
        #expect(task.test.count == 6)
        #expect(task.test.sequences[0] == [100, 101, 102, 103, 104, 105])
        #expect(task.train.count + task.validation.count == 15)
        let labels = ((folder.path as NSString).appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        #expect(try TaskCatalog.load(labels).test == task.test)
    }

    @Test("an IDX file with a wrong magic number is named")
    func wrongMagic() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("train-images-idx3-ubyte", Data([0x12, 0x34, 0x08, 0x03] + Array(repeating: 0, count: 20)))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): wrong magic number 0x12340803: not an IDX file (expected 0x00000803 for images, 0x00000801 for labels)")
    }

    @Test("a truncated IDX file and a label count mismatch are named")
    func truncatedAndMismatch() throws {
        let folder = try ScratchFolder()
        let images = try folder.write("x-images-idx3-ubyte", Data(idx([4, 3, 2], Array(repeating: 1, count: 20))))
        try folder.write("x-labels-idx1-ubyte", Data(idx([4], [0, 1, 0, 1])))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(images) }
            == "\(images): data ends early: shape [4, 3, 2] needs 24 bytes, file has 20 (truncated?)")
        try folder.write("x-images-idx3-ubyte", Data(idx([4, 3, 2], Array(repeating: 1, count: 24))))
        let labels = try folder.write("x-labels-idx1-ubyte", Data(idx([3], [0, 1, 0])))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(images) } == "\(labels): has 3 labels, but \(images) has 4 images")
    }

    @Test("a missing labels file is named")
    func missingLabels() throws {
        let folder = try ScratchFolder()
        let images = try folder.write("y-images-idx3-ubyte", Data(idx([1, 1, 1], [0])))
        let labels = (folder.path as NSString).appendingPathComponent("y-labels-idx1-ubyte")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(images) } == "\(labels): no such file")
    }
}
