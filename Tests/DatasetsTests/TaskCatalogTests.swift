import Testing
import Datasets

@Suite("the task catalog")
struct TaskCatalogTests {
    @Test("digits is a task name a user can type")
    func names() {
        #expect(TaskCatalog.names.contains("digits"))
    }

    @Test("an unknown task name suggests the closest known one and lists them all")
    func didYouMean() {
        #expect(throws: DatasetError.unknownTask(name: "digts", known: TaskCatalog.names, suggestion: "digits")) {
            try TaskCatalog.load("digts")
        }
        #expect(datasetErrorMessage { _ = try TaskCatalog.load("digts") }
            == "unknown task 'digts' (did you mean 'digits'?); known tasks: \(TaskCatalog.names.joined(separator: ", ")); or give the path of a .ts, .arff, .npz, .npy, .csv, .tsv, .txt (.gz too) or IDX file")
    }

    @Test("a name close to nothing gets no suggestion")
    func noSuggestion() {
        #expect(throws: DatasetError.unknownTask(name: "weather", known: TaskCatalog.names, suggestion: nil)) {
            try TaskCatalog.load("weather")
        }
        #expect(TaskCatalog.suggestion(for: "DIGIT", among: ["digits", "vowels"]) == "digits")
        #expect(TaskCatalog.suggestion(for: "vowles", among: ["digits", "vowels"]) == "vowels")
    }

    @Test("a path that does not exist says so")
    func missingFile() {
        #expect(datasetErrorMessage { _ = try TaskCatalog.load("/nonexistent/train.csv") } == "/nonexistent/train.csv: no such file")
    }

    @Test("a file of unknown format lists the formats gq reads")
    func unknownFormat() throws {
        let folder = try ScratchFolder()
        let path = try folder.write("data.json", "{}")
        #expect(datasetErrorMessage { _ = try TaskCatalog.load(path) }
            == "\(path): unknown data format; gq reads .ts, .arff, .npz, .npy, .csv, .tsv, .txt (optionally .gz), the UCR archive's NAME_TRAIN/NAME_TEST files and IDX (-idx3-ubyte) files")
    }

    @Test("split fractions that leave nothing to train on are refused")
    func badFractions() {
        #expect(datasetErrorMessage { _ = try TaskCatalog.load("digits", options: LoadOptions(validationFraction: 0.5, testFraction: 0.5)) }
            == "validation (0.5) and test (0.5) fractions must each be in [0, 1) and leave some samples for training")
    }
}
