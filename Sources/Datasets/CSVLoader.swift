import Foundation

/// Reads delimited text with one labelled sequence per row: CSV, TSV, the UCR archive's
/// whitespace-separated `.txt` files (and their extension-less originals), optionally
/// gzipped. Trailing empty, `?` or NaN cells end a shorter series (the UCR archive pads
/// unequal lengths with NaN); a `NAME_TRAIN`/`NAME_TEST` pair keeps its published split.
public enum CSVLoader {
    /// Loads `path` as a task split 60/20/20 (or as `options` say).
    public static func load(path: String, options: LoadOptions = LoadOptions(), seed: UInt64 = 0) throws(DatasetError) -> Task {
        let options = try options.validated()
        let kind = ["csv": "CSV", "tsv": "TSV"][FileInput.formatExtension(path)] ?? "text"
        return try PublishedPair.task(path: path, kind: kind, options: options, seed: seed) { path, train throws(DatasetError) in
            var options = options
            if let column = train?.labelColumn { options.labelColumn = column }
            var file = try read(path, options: options)
            if train != nil { file.detail = nil }
            return file
        }
    }

    static func read(_ path: String, options: LoadOptions) throws(DatasetError) -> LoadedFile {
        let data = try FileInput.readInflated(path)
        let separator: TextScanning.Separator? = FileInput.formatExtension(path) == "tsv" ? .byte(TextScanning.tab) : nil
        let (pool, column, note) = try readPool([UInt8](data), file: path, options: options, separator: separator)
        let place: String
        switch column {
        case .first, .automatic: place = "first column"
        case .last: place = "last column"
        case .column(let number): place = "column \(number)"
        }
        return LoadedFile(pool: pool, labelColumn: column, notes: note.map { [$0] } ?? [],
                          detail: "\(pool.sequences.count) rows, label in \(place)")
    }

    /// The rows as sequences, the label column they were read with, and what was chosen
    /// for the user (the label column, when it was not given).
    static func readPool(_ bytes: [UInt8], file: String, options: LoadOptions, separator: TextScanning.Separator? = nil)
        throws(DatasetError) -> (pool: SamplePool, column: LoadOptions.LabelColumn, note: String?) {
        let lines = TextScanning.lines(bytes).filter { !TextScanning.isBlank(bytes, $0.range) }
        guard let firstLine = lines.first else {
            throw .malformed(FileLocation(file: file), problem: "no rows")
        }
        let separator = separator ?? guessSeparator(bytes, firstLine.range)
        let firstFields = TextScanning.fields(bytes, firstLine.range, separator: separator)
        let hasHeader = options.hasHeader ?? isHeader(bytes, firstFields, labelColumn: options.labelColumn)
        let dataLines = hasHeader ? lines.dropFirst() : lines[...]
        var column = options.labelColumn
        var note: String?
        if column == .automatic {
            var choice = LabelColumnChoice()
            if hasHeader, firstFields.count >= 2 {
                choice.first.header = TextScanning.unquoted(bytes, firstFields[0])
                choice.last.header = TextScanning.unquoted(bytes, firstFields[firstFields.count - 1])
            }
            var seenFirst = Set<String>(), seenLast = Set<String>()
            for line in dataLines {
                let fields = TextScanning.fields(bytes, line.range, separator: separator)
                guard fields.count >= 2 else { break }  // the main pass below says what is wrong
                choice.first.add(bytes, fields[0], into: &seenFirst)
                choice.last.add(bytes, fields[fields.count - 1], into: &seenLast)
            }
            if choice.first.rows > 0 {
                (column, note) = try choice.decide(file: file)
            } else {
                column = .last
            }
        }
        var pool = SamplePool(file: file, featureCount: 1)
        var expected: (fields: Int, line: Int)?
        var featureCount = 1
        for line in dataLines {
            let fields = TextScanning.fields(bytes, line.range, separator: separator)
            let here = FileLocation(file: file, line: line.number)
            if let expected {
                if fields.count != expected.fields {
                    throw .malformed(here, problem: "row has \(fields.count) fields, expected \(expected.fields) as on line \(expected.line) (ragged rows)")
                }
            } else {
                guard fields.count >= 2 else {
                    throw .malformed(here, problem: "row has \(fields.count) field; need a label and at least one value (wrong delimiter? this row was split on \(separator.name))")
                }
                expected = (fields.count, line.number)
                featureCount = try shape(valueCount: fields.count - 1, options: options, location: here)
                pool.featureCount = featureCount
            }
            let labelIndex = try labelIndex(column, fieldCount: fields.count, location: here)
            // Value k of the row is field k, or k + 1 past the label.
            func field(_ k: Int) -> Int { k < labelIndex ? k : k + 1 }
            // The archive pads shorter series with NaN: trailing missing cells end the series.
            var end = fields.count - 1
            while end > 0, TextScanning.isMissing(bytes, fields[field(end - 1)]) { end -= 1 }
            guard end > 0 else {
                throw .malformed(here, problem: "row has no values, only missing cells")
            }
            guard end % featureCount == 0 else {
                throw .malformed(FileLocation(file: file, line: line.number, column: field(end) + 1),
                                 problem: "the row's values end part-way through a step of \(featureCount) features (missing cells may only pad whole steps at the end)")
            }
            var values: [Float] = []
            values.reserveCapacity(end)
            for k in 0 ..< end {
                let cell = fields[field(k)]
                let location = FileLocation(file: file, line: line.number, column: field(k) + 1)
                if TextScanning.isMissing(bytes, cell), !TextScanning.trimmed(bytes, cell).isEmpty {
                    throw .malformed(location, problem: "missing value inside the series (only trailing padding may be missing)")
                }
                values.append(try number(bytes, cell, at: location))
            }
            let label = labelText(bytes, fields[labelIndex])
            guard !label.isEmpty else {
                throw .malformed(FileLocation(file: file, line: line.number, column: labelIndex + 1), problem: "empty label")
            }
            pool.sequences.append(values)
            pool.labels.append(label)
        }
        return (pool, column, note)
    }

    /// A label as written, except that a whole number in decimal or exponent form (the old
    /// UCR files' `1.0000000e+00`) is the class `1`, as the archive's newer files write it.
    static func labelText(_ bytes: [UInt8], _ cell: Range<Int>) -> String {
        let text = TextScanning.unquoted(bytes, cell)
        guard text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let value = Double(text),
              value.rounded() == value, abs(value) < 1e15 else { return text }
        return NumpyLoader.labelText(value)
    }

    /// A first line with no numeric value cells is a header; unless told where the label
    /// is, either end may hold its name.
    static func isHeader(_ bytes: [UInt8], _ fields: [Range<Int>], labelColumn: LoadOptions.LabelColumn) -> Bool {
        let candidates: [LoadOptions.LabelColumn] = labelColumn == .automatic ? [.first, .last] : [labelColumn]
        return candidates.contains { column in
            guard let index = try? labelIndex(column, fieldCount: fields.count, location: FileLocation(file: "")) else { return false }
            let values = fields.indices.filter { $0 != index }
            return !values.isEmpty && values.allSatisfy { TextScanning.number(bytes, fields[$0]) == nil && !TextScanning.isMissing(bytes, fields[$0]) }
        }
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
        case .first, .automatic: return 0
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

    /// Comma unless the first line clearly uses tabs or semicolons instead; blanks alone
    /// when it has none of these (the old UCR `.txt` files).
    static func guessSeparator(_ bytes: [UInt8], _ range: Range<Int>) -> TextScanning.Separator {
        var counts: [UInt8: Int] = [:]
        for index in range where [TextScanning.comma, TextScanning.tab, UInt8(ascii: ";")].contains(bytes[index]) {
            counts[bytes[index], default: 0] += 1
        }
        if (counts[TextScanning.comma] ?? 0) > 0 { return .byte(TextScanning.comma) }
        if let most = counts.max(by: { $0.value < $1.value }) { return .byte(most.key) }
        return TextScanning.blankSeparatedFields(bytes, range).count > 1 ? .whitespace : .byte(TextScanning.comma)
    }
}
