import Foundation

/// Reads MNIST-style IDX files (optionally gzipped): an images file with its labels file
/// beside it, and the `train-`/`t10k-` pair as a published split when both are present.
/// Each N×R×C image becomes R steps of C features (row by row, as in sequential MNIST).
public enum IDXLoader {
    /// True for names like `train-images-idx3-ubyte.gz` or `x.idx`.
    static func looksLikeIDX(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return name.range(of: #"idx\d"#, options: .regularExpression) != nil || FileInput.formatExtension(path) == "idx"
    }

    public static func load(path: String, options: LoadOptions = LoadOptions(), seed: UInt64 = 0) throws(DatasetError) -> Task {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let images = name.contains("labels") ? swap(name, "labels", "images", "idx1", "idx3") : name
        let labels = swap(images, "images", "labels", "idx3", "idx1")
        guard images != labels else {
            throw .invalidOption("\(path): cannot tell the images file from the labels file; name them like train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz")
        }
        func full(_ file: String) -> String { directory.isEmpty ? file : (directory as NSString).appendingPathComponent(file) }
        let taskName = directory.isEmpty ? "idx" : (directory as NSString).lastPathComponent
        for (from, to) in [("train", "t10k"), ("t10k", "train")] where images.hasPrefix(from) {
            let otherImages = to + images.dropFirst(from.count)
            let otherLabels = to + labels.dropFirst(from.count)
            guard FileManager.default.fileExists(atPath: full(otherImages)),
                  FileManager.default.fileExists(atPath: full(otherLabels)) else { break }
            let (trainImages, trainLabels) = from == "train" ? (images, labels) : (otherImages, otherLabels)
            let (testImages, testLabels) = from == "train" ? (otherImages, otherLabels) : (images, labels)
            let train = try pool(images: full(trainImages), labels: full(trainLabels))
            let test = try pool(images: full(testImages), labels: full(testLabels))
            return try TaskAssembly.task(name: taskName, source: "IDX files \(full(trainImages)) + \(testImages) (with their labels)",
                                         train: train, test: test, options: options, seed: seed)
        }
        let all = try pool(images: full(images), labels: full(labels))
        return try TaskAssembly.task(name: taskName, source: "IDX files \(full(images)) + \(labels)",
                                     pool: all, options: options, seed: seed)
    }

    private static func swap(_ name: String, _ a: String, _ b: String, _ c: String, _ d: String) -> String {
        name.replacingOccurrences(of: a, with: b).replacingOccurrences(of: c, with: d)
    }

    /// One IDX array: shape and values (widened to Double).
    struct Array {
        var shape: [Int]
        var values: [Double]
    }

    static func pool(images: String, labels: String) throws(DatasetError) -> SamplePool {
        let x = try read(images)
        let y = try read(labels)
        guard x.shape.count == 2 || x.shape.count == 3 else {
            throw .malformed(FileLocation(file: images), problem: "has \(x.shape.count) dimensions \(x.shape); expected N×rows×columns (or N×T)")
        }
        guard y.shape.count == 1 else {
            throw .malformed(FileLocation(file: labels), problem: "has shape \(y.shape); expected one label per image")
        }
        guard x.shape[0] == y.shape[0] else {
            throw .malformed(FileLocation(file: labels), problem: "has \(y.shape[0]) labels, but \(images) has \(x.shape[0]) images")
        }
        let features = x.shape.count == 3 ? x.shape[2] : 1
        let width = x.values.count / max(x.shape[0], 1)
        var pool = SamplePool(file: images, featureCount: features)
        pool.sequences.reserveCapacity(x.shape[0])
        for index in 0 ..< x.shape[0] {
            pool.sequences.append(x.values[index * width ..< (index + 1) * width].map { Float($0) })
        }
        pool.labels = y.values.map(NumpyLoader.labelText)
        return pool
    }

    static func read(_ path: String) throws(DatasetError) -> Array {
        let view = ByteView(bytes: [UInt8](try FileInput.readInflated(path)))
        let place = FileLocation(file: path)
        guard let magic = view.bigEndian(at: 0, width: 4) else {
            throw .malformed(place, problem: "too short for an IDX header")
        }
        let type = Int(magic >> 8 & 0xFF), dimensions = Int(magic & 0xFF)
        let sizes = [0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8]
        guard magic >> 16 == 0, let size = sizes[type], dimensions >= 1 else {
            throw .malformed(place, problem: String(format: "wrong magic number 0x%08X: not an IDX file (expected 0x00000803 for images, 0x00000801 for labels)", magic))
        }
        var shape: [Int] = []
        for axis in 0 ..< dimensions {
            guard let length = view.bigEndian(at: 4 + 4 * axis, width: 4) else {
                throw .malformed(place, problem: "header ends early (truncated?)")
            }
            shape.append(Int(length))
        }
        guard let needed = ByteView.byteCount(shape: shape, itemSize: size) else {
            throw .malformed(place, problem: "shape \(shape) is impossibly large (corrupt header?)")
        }
        let count = needed / size
        let start = 4 + 4 * dimensions
        guard view.slice(start, needed) != nil else {
            throw .malformed(place, problem: "data ends early: shape \(shape) needs \(needed) bytes, file has \(max(0, view.count - start)) (truncated?)")
        }
        try FileInput.checkRoom(values: count, at: place)
        var values = [Double](repeating: 0, count: count)
        for index in 0 ..< count {
            let raw = view.bigEndian(at: start + index * size, width: size) ?? 0
            switch type {
            case 0x08: values[index] = Double(raw)
            case 0x09: values[index] = Double(Int8(truncatingIfNeeded: raw))
            case 0x0B: values[index] = Double(Int16(truncatingIfNeeded: raw))
            case 0x0C: values[index] = Double(Int32(truncatingIfNeeded: raw))
            case 0x0D: values[index] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
            default: values[index] = Double(bitPattern: raw)
            }
        }
        return Array(shape: shape, values: values)
    }
}
