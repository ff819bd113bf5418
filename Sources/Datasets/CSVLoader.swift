import Foundation

/// Reads delimited text (CSV, TSV; optionally gzipped) with one labelled sequence per row.
public enum CSVLoader {
    /// Loads `path` as a task split 60/20/20 (or as `options` say).
    public static func load(path: String, options: LoadOptions = LoadOptions(), seed: UInt64 = 0) throws(DatasetError) -> Task {
        let options = try options.validated()
        let data = try FileInput.readInflated(path)
        let pool = try readPool([UInt8](data), file: path, options: options,
                                separator: FileInput.formatExtension(path) == "tsv" ? TextScanning.tab : nil)
        let labelPlace: String
        switch options.labelColumn {
        case .first: labelPlace = "first column"
        case .last: labelPlace = "last column"
        case .column(let column): labelPlace = "column \(column)"
        }
        let source = "CSV file \(path) (\(pool.sequences.count) rows, label in \(labelPlace))"
        return try TaskAssembly.task(name: FileInput.stem(path), source: source, pool: pool, options: options, seed: seed)
    }

    static func readPool(_ bytes: [UInt8], file: String, options: LoadOptions, separator: UInt8? = nil) throws(DatasetError) -> SamplePool {
        let lines = TextScanning.lines(bytes).filter { !TextScanning.isBlank(bytes, $0.range) }
        guard let firstLine = lines.first else {
            throw .malformed(FileLocation(file: file), problem: "no rows")
        }
        let separator = separator ?? guessSeparator(bytes, firstLine.range)
        var pool = SamplePool(file: file, featureCount: 1)
        var expected: (fields: Int, line: Int)?
        var featureCount = 1
        var skipFirst = options.hasHeader ?? false
        if options.hasHeader == nil {
            let fields = TextScanning.fields(bytes, firstLine.range, separator: separator)
            if let labelIndex = try? labelIndex(options.labelColumn, fieldCount: fields.count, location: FileLocation(file: file)) {
                let values = fields.indices.filter { $0 != labelIndex }
                skipFirst = !values.isEmpty && values.allSatisfy { TextScanning.number(bytes, fields[$0]) == nil }
            }
        }
        for (position, line) in lines.enumerated() {
            if position == 0, skipFirst { continue }
            let fields = TextScanning.fields(bytes, line.range, separator: separator)
            let here = FileLocation(file: file, line: line.number)
            if let expected {
                if fields.count != expected.fields {
                    throw .malformed(here, problem: "row has \(fields.count) fields, expected \(expected.fields) as on line \(expected.line) (ragged rows)")
                }
            } else {
                guard fields.count >= 2 else {
                    throw .malformed(here, problem: "row has \(fields.count) field; need a label and at least one value (wrong delimiter?)")
                }
                expected = (fields.count, line.number)
                featureCount = try shape(valueCount: fields.count - 1, options: options, location: here)
                pool.featureCount = featureCount
            }
            let labelIndex = try labelIndex(options.labelColumn, fieldCount: fields.count, location: here)
            var values: [Float] = []
            values.reserveCapacity(fields.count - 1)
            for (column, field) in fields.enumerated() where column != labelIndex {
                values.append(try number(bytes, field, at: FileLocation(file: file, line: line.number, column: column + 1)))
            }
            let label = TextScanning.unquoted(bytes, fields[labelIndex])
            guard !label.isEmpty else {
                throw .malformed(FileLocation(file: file, line: line.number, column: labelIndex + 1), problem: "empty label")
            }
            pool.sequences.append(values)
            pool.labels.append(label)
        }
        return pool
    }

    /// The one value-cell check every text loader shares, so all report alike.
    static func number(_ bytes: [UInt8], _ field: Range<Int>, at location: FileLocation) throws(DatasetError) -> Float {
        guard let value = TextScanning.number(bytes, field) else {
            let text = TextScanning.string(bytes, TextScanning.trimmed(bytes, field))
            throw .malformed(location, problem: text.isEmpty ? "empty cell" : "'\(text)' is not a number")
        }
        guard value.isFinite else {
            let text = TextScanning.string(bytes, TextScanning.trimmed(bytes, field))
            throw .malformed(location, problem: "'\(text)' is not a finite number (missing values are not supported)")
        }
        return value
    }

    static func labelIndex(_ column: LoadOptions.LabelColumn, fieldCount: Int, location: FileLocation) throws(DatasetError) -> Int {
        switch column {
        case .first: return 0
        case .last: return fieldCount - 1
        case .column(let column):
            guard column <= fieldCount else {
                throw .malformed(location, problem: "label column \(column) is past the row's \(fieldCount) fields")
            }
            return column - 1
        }
    }

    static func shape(valueCount: Int, options: LoadOptions, location: FileLocation) throws(DatasetError) -> Int {
        if let features = options.featureCount {
            guard valueCount % features == 0 else {
                throw .malformed(location, problem: "\(valueCount) values per row do not make whole steps of \(features) features")
            }
            return features
        }
        if let steps = options.stepCount {
            guard valueCount % steps == 0 else {
                throw .malformed(location, problem: "\(valueCount) values per row do not divide into \(steps) steps")
            }
            return valueCount / steps
        }
        return 1
    }

    /// Comma unless the first line clearly uses tabs or semicolons instead.
    static func guessSeparator(_ bytes: [UInt8], _ range: Range<Int>) -> UInt8 {
        var counts: [UInt8: Int] = [:]
        for index in range where [TextScanning.comma, TextScanning.tab, UInt8(ascii: ";")].contains(bytes[index]) {
            counts[bytes[index], default: 0] += 1
        }
        if (counts[TextScanning.comma] ?? 0) > 0 { return TextScanning.comma }
        return counts.max { $0.value < $1.value }?.key ?? TextScanning.comma
    }
}
