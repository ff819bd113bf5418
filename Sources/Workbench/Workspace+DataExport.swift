import Datasets
import FileWriting
import Foundation
import Quantization

extension Workspace {
    /// A split as NumPy's `.npz`: `X` float32 [N, T, F] as loaded (before standardisation),
    /// zero-padded; `lengths` int32; `y` int64; `class_names`. Written whole or not at all.
    public func saveSplit(_ split: SplitName, to url: URL) throws -> Int {
        let task = try requireTask()
        let set = try sequences(of: split)
        try FileWriting.replace(url.path, with: NpzWriter.archive(set.npzArrays(classNames: task.classNames)))
        return set.count
    }

    /// The integer engine's verdict on every sequence of a split, as CSV:
    /// `index,label,predicted,logit0,…` with the logits as integer codes of the head.
    public func predictionsCSV(_ split: SplitName) throws -> (text: String, rows: Int) {
        let set = try sequences(of: split)
        let quantized = try quantizedModel()
        let logits = try evaluator(of: split).logits(quantized)
        let classes = quantized.classCount
        var lines = [(["index", "label", "predicted"] + (0..<classes).map { "logit\($0)" }).joined(separator: ",")]
        for index in 0..<set.count {
            let row = logits[(index * classes)..<((index + 1) * classes)]
            let fields = [String(index), String(set.labels[index]), String(QuantizedGRU.argmax(row))] + row.map(String.init)
            lines.append(fields.joined(separator: ","))
        }
        return (lines.joined(separator: "\n") + "\n", set.count)
    }
}
