import Foundation

/// Reads UEA/UCR `.ts` files (sktime/aeon format): univariate or multivariate,
/// equal or unequal length, string or numeric class labels. Given either half of a
/// `NAME_TRAIN.ts`/`NAME_TEST.ts` pair, it reads both and keeps the published split.
public enum TSLoader {
    public static func load(path: String, options: LoadOptions = LoadOptions(), seed: UInt64 = 0) throws(DatasetError) -> Task {
        try PublishedPair.task(path: path, kind: "UEA/UCR", options: options, seed: seed) { path, _ throws(DatasetError) in
            let file = try read(path)
            return LoadedFile(pool: file.pool, declaredClasses: file.classLabels,
                              declaredAt: file.classLabelLine.map { FileLocation(file: path, line: $0) },
                              declaredBy: "@classLabel", name: file.problemName)
        }
    }

    struct File {
        var pool: SamplePool
        var classLabels: [String]?
        var classLabelLine: Int?
        var problemName: String?
    }

    static func read(_ path: String) throws(DatasetError) -> File {
        let bytes = [UInt8](try FileInput.readInflated(path))
        var file = File(pool: SamplePool(file: path, featureCount: 0))
        var inData = false
        var timestamps = false
        var hasClassLabels: Bool?
        var declaredDimensions: Int?
        var equalLength: Bool?
        var seriesLength: Int?
        var firstCase: (dimensions: Int, line: Int)?
        var declared: Set<String> = []
        for line in TextScanning.lines(bytes) {
            let range = TextScanning.trimmed(bytes, line.range)
            guard !range.isEmpty, bytes[range.lowerBound] != UInt8(ascii: "#"), bytes[range.lowerBound] != UInt8(ascii: "%") else { continue }
            let here = FileLocation(file: path, line: line.number)
            if !inData {
                guard bytes[range.lowerBound] == UInt8(ascii: "@") else {
                    throw .malformed(here, problem: "data before the @data line (missing @data?)")
                }
                let text = TextScanning.string(bytes, range)
                let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                let key = words[0].dropFirst().lowercased()
                let value = words.dropFirst().first?.lowercased()
                func flag() throws(DatasetError) -> Bool {
                    guard let value, value == "true" || value == "false" else {
                        throw .malformed(here, problem: "@\(words[0].dropFirst()) needs true or false")
                    }
                    return value == "true"
                }
                func count() throws(DatasetError) -> Int {
                    guard let value, let number = Int(value), number >= 1 else {
                        throw .malformed(here, problem: "@\(words[0].dropFirst()) needs a positive whole number")
                    }
                    return number
                }
                switch key {
                case "data": inData = true
                case "problemname": file.problemName = words.dropFirst().first
                case "timestamps": timestamps = try flag()
                case "univariate": if try flag() { declaredDimensions = declaredDimensions ?? 1 }
                case "dimensions", "dimension": declaredDimensions = try count()
                case "equallength": equalLength = try flag()
                case "serieslength": seriesLength = try count()
                case "targetlabel":
                    if try flag() { throw .malformed(here, problem: "a regression target (@targetLabel true); gq needs class labels") }
                case "classlabel":
                    hasClassLabels = try flag()
                    if hasClassLabels == true {
                        let labels = Array(words.dropFirst(2))
                        guard !labels.isEmpty else { throw .malformed(here, problem: "@classLabel true lists no labels") }
                        file.classLabels = labels
                        file.classLabelLine = line.number
                        declared = Set(labels)
                    }
                default: break  // @missing and future keys change nothing gq does
                }
                if timestamps { throw .malformed(here, problem: "@timeStamps true is not supported; export the series without time stamps") }
                continue
            }
            if hasClassLabels == false {
                throw .malformed(here, problem: "the header says @classLabel false; gq needs class labels")
            }
            // A case: dimension:dimension:…:label, each dimension comma-separated values.
            var fields: [Range<Int>] = []
            var start = range.lowerBound
            for index in range where bytes[index] == UInt8(ascii: ":") {
                fields.append(start ..< index)
                start = index + 1
            }
            fields.append(start ..< range.upperBound)
            let dimensions = fields.count - 1
            guard dimensions >= 1 else {
                throw .malformed(here, problem: "case has no ':' before its class label")
            }
            if let firstCase {
                if dimensions != firstCase.dimensions {
                    throw .malformed(here, problem: "case has \(dimensions) dimensions, expected \(firstCase.dimensions) as on line \(firstCase.line)")
                }
            } else {
                if let declaredDimensions, declaredDimensions != dimensions {
                    throw .malformed(here, problem: "case has \(dimensions) dimensions, but the header declares \(declaredDimensions)")
                }
                firstCase = (dimensions, line.number)
                file.pool.featureCount = dimensions
            }
            let labelRange = TextScanning.trimmed(bytes, fields[dimensions])
            let label = TextScanning.string(bytes, labelRange)
            let labelLocation = FileLocation(file: path, line: line.number, column: labelRange.lowerBound - line.range.lowerBound + 1)
            guard !label.isEmpty else { throw .malformed(labelLocation, problem: "case has no class label") }
            if !declared.isEmpty, !declared.contains(label) {
                throw .malformed(labelLocation, problem: "label '\(label)' is not declared in @classLabel (\(file.classLabels?.joined(separator: " ") ?? ""))")
            }
            var channels: [[Float]] = []
            for dimension in 0 ..< dimensions {
                let cells = TextScanning.fields(bytes, fields[dimension], separator: TextScanning.comma)
                let values = try SeriesValues.read(bytes, cells[...], dimension: dimension + 1, whole: here) { offset in
                    FileLocation(file: path, line: line.number, column: offset - line.range.lowerBound + 1)
                }
                if let first = channels.first, first.count != values.count {
                    throw .malformed(here, problem: "dimension \(dimension + 1) has \(values.count) values, but dimension 1 has \(first.count)")
                }
                channels.append(values)
            }
            let steps = channels[0].count
            if equalLength == true, let seriesLength, steps != seriesLength {
                throw .malformed(here, problem: "series has \(steps) values, but the header says @equalLength true and @seriesLength \(seriesLength)")
            }
            var sequence = [Float](repeating: 0, count: steps * dimensions)
            for (dimension, channel) in channels.enumerated() {
                for (step, value) in channel.enumerated() { sequence[step * dimensions + dimension] = value }
            }
            file.pool.sequences.append(sequence)
            file.pool.labels.append(label)
        }
        guard inData else {
            throw .malformed(FileLocation(file: path), problem: "no @data line (missing @data?)")
        }
        guard !file.pool.sequences.isEmpty else {
            throw .malformed(FileLocation(file: path), problem: "no cases after @data")
        }
        return file
    }
}
