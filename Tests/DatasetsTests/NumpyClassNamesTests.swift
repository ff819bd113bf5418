import Foundation
import Testing
import Datasets

@Suite("NumPy class_names")
struct NumpyClassNamesTests {
    static let x: [Float] = (0 ..< 8).map(Float.init)
    static let unsplit = LoadOptions(validationFraction: 0, testFraction: 0)

    @Test("integer labels that are not names index class_names from 0")
    func integerIndices() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("ex.npz", zipArchive([
            ("X.npy", npy(float32: Self.x, shape: [4, 2])), ("y.npy", npy(int64: [2, 0, 1, 2])),
            ("class_names.npy", npy(unicode: ["walk", "run", "sit"], width: 4)),
        ]))
        let task = try TaskCatalog.load(path, options: Self.unsplit)
        #expect(task.classNames == ["walk", "run", "sit"])
        #expect(task.train.labels == [2, 0, 1, 2])
    }

    @Test("labels that are among class_names keep their names; class_names gives the order")
    func namesAsOrder() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("ex.npz", zipArchive([
            ("X.npy", npy(float32: Self.x, shape: [4, 2])), ("y.npy", npy(int64: [3, 1, 2, 3])),
            ("class_names.npy", npy(int64: [3, 2, 1])),
        ]))
        let task = try TaskCatalog.load(path, options: Self.unsplit)
        #expect(task.classNames == ["3", "2", "1"])
        #expect(task.train.labels == [0, 2, 1, 0])
    }

    @Test("an integer label past the end of class_names is named with its entry")
    func outOfRange() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("ex.npz", zipArchive([
            ("X.npy", npy(float32: Self.x, shape: [4, 2])), ("y.npy", npy(int64: [0, 1, 5, 1])),
            ("class_names.npy", npy(unicode: ["a", "b"], width: 1)),
        ]))
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path, options: Self.unsplit) }
            == "\(path): array 'y': label 5 (entry 2) is neither among 'class_names' nor an index into its 2 names")
    }
}
