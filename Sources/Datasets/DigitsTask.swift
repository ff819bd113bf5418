import Foundation

/// The embedded default task: scikit-learn's 8×8 handwritten digits, read row by row.
public enum DigitsTask {
    public static let name = "digits"
    public static let source = "scikit-learn 1.6.1 digits (UCI Optical Recognition of Handwritten Digits, E. Alpaydin & C. Kaynak 1998, CC BY 4.0)"
    static let resourceName = "digits.csv.gz"

    /// 1797 images as 8 steps of 8 pixels (raw values 0–16), stratified 60/20/20.
    public static func load(seed: UInt64 = 0, options: LoadOptions = LoadOptions()) throws(DatasetError) -> Task {
        guard let url = Bundle.module.url(forResource: "digits.csv", withExtension: "gz") else {
            throw .unreadable(path: resourceName, reason: "the package resource is missing from this build")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: resourceName, reason: error.localizedDescription)
        }
        let text = try FileInput.inflatedIfGzip(data, file: resourceName)
        var csvOptions = options
        csvOptions.labelColumn = .last
        csvOptions.featureCount = 8
        csvOptions.stepCount = nil
        csvOptions.hasHeader = false
        let pool = try CSVLoader.readPool([UInt8](text), file: resourceName, options: csvOptions.validated()).pool
        // The file's labels are "0"…"9"; declaring them keeps class index = digit even if one were absent.
        return try TaskAssembly.task(name: name, source: source, pool: pool,
                                     declaredClasses: (0 ... 9).map(String.init), options: options, seed: seed)
    }
}
