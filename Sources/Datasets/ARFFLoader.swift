import Foundation

/// Reads Weka `.arff` files as the UCR and UEA archives write them:
///
/// - univariate: one numeric attribute per time step, then the class;
/// - multivariate: one relational attribute whose value is a quoted string of rows, one row
///   per dimension (rows separated by `\n`), each row the dimension's values over time;
///   then the class.
///
/// The class is the last attribute and must be nominal (`{a,b,c}`); its order is the
/// class order. Trailing missing values (`?`, NaN) end a shorter series, as the archives
/// pad unequal lengths. A `NAME_TRAIN.arff`/`NAME_TEST.arff` pair keeps its published split.
public enum ARFFLoader {
    public static func load(path: String, options: LoadOptions = LoadOptions(), seed: UInt64 = 0) throws(DatasetError) -> Task {
        try PublishedPair.task(path: path, kind: "ARFF", options: options, seed: seed) { path, _ throws(DatasetError) in
            try read(path)
        }
    }

    /// An attribute's type, as far as gq cares.
    enum Kind: Equatable {
        case numeric
        case nominal([String])
        case relational(inner: Int)
    }

    struct Attribute {
        var name: String
        var kind: Kind
        var line: Int
    }

    static let layout = "gq reads ARFF time series as the UCR/UEA archives write them: numeric attributes (one a time step) or one relational attribute (a row a dimension), then the nominal class"

    static func read(_ path: String) throws(DatasetError) -> LoadedFile {
        let bytes = [UInt8](try FileInput.readInflated(path))
        var attributes: [Attribute] = []
        var relational: (name: String, inner: Int, line: Int)?
        var dataLines: ArraySlice<(number: Int, range: Range<Int>)>?
        let lines = TextScanning.lines(bytes)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            let range = TextScanning.trimmed(bytes, line.range)
            guard !range.isEmpty, bytes[range.lowerBound] != UInt8(ascii: "%") else { continue }
            let here = FileLocation(file: path, line: line.number)
            guard bytes[range.lowerBound] == UInt8(ascii: "@") else {
                throw .malformed(here, problem: "data before the @data line (missing @data?)")
            }
            let (keyword, rest) = word(bytes, range)
            switch TextScanning.string(bytes, keyword).lowercased() {
            case "@relation":
                continue
            case "@data":
                if let relational {
                    throw .malformed(FileLocation(file: path, line: relational.line), problem: "relational attribute '\(relational.name)' has no @end before @data")
                }
                dataLines = lines[index...]
                index = lines.count
            case "@end":
                guard let open = relational else { throw .malformed(here, problem: "@end without a relational attribute to close") }
                guard open.inner > 0 else { throw .malformed(here, problem: "relational attribute '\(open.name)' declares no attributes (one a time step)") }
                attributes.append(Attribute(name: open.name, kind: .relational(inner: open.inner), line: open.line))
                relational = nil
            case "@attribute":
                let (name, type) = try attribute(bytes, rest, at: here)
                if relational != nil {
                    guard type == .numeric else {
                        throw .malformed(here, problem: "attribute '\(name)' inside a relational attribute must be numeric (a time step's value)")
                    }
                    relational?.inner += 1
                } else if case .relational = type {
                    relational = (name, 0, line.number)
                } else {
                    attributes.append(Attribute(name: name, kind: type, line: line.number))
                }
            default:
                throw .malformed(here, problem: "unknown header line '\(TextScanning.string(bytes, keyword))' (ARFF has @relation, @attribute, @end and @data)")
            }
        }
        guard let dataLines else {
            throw .malformed(FileLocation(file: path), problem: "no @data line (missing @data?)")
        }
        guard let classAttribute = attributes.last else {
            throw .malformed(FileLocation(file: path), problem: "no @attribute lines; \(layout)")
        }
        guard case .nominal(let classes) = classAttribute.kind else {
            let what = classAttribute.kind == .numeric ? "numeric: a numeric target is regression, and gq needs class labels" : "relational"
            throw .malformed(FileLocation(file: path, line: classAttribute.line),
                             problem: "the last attribute, '\(classAttribute.name)', is the class, but it is \(what); \(layout)")
        }
        let series = attributes.dropLast()
        let multivariate: Bool
        if series.count == 1, case .relational = series[0].kind {
            multivariate = true
        } else if !series.isEmpty, let odd = series.first(where: { $0.kind != .numeric }) {
            throw .malformed(FileLocation(file: path, line: odd.line), problem: "attribute '\(odd.name)' is not numeric; \(layout)")
        } else if series.isEmpty {
            throw .malformed(FileLocation(file: path, line: classAttribute.line), problem: "no attributes before the class; \(layout)")
        } else {
            multivariate = false
        }
        var file = LoadedFile(pool: SamplePool(file: path, featureCount: multivariate ? 0 : 1), declaredClasses: classes,
                              declaredAt: FileLocation(file: path, line: classAttribute.line),
                              declaredBy: "the class attribute '\(classAttribute.name)'")
        let known = Set(classes)
        for line in dataLines {
            let range = TextScanning.trimmed(bytes, line.range)
            guard !range.isEmpty, bytes[range.lowerBound] != UInt8(ascii: "%") else { continue }
            func place(_ offset: Int) -> FileLocation {
                FileLocation(file: path, line: line.number, column: offset - line.range.lowerBound + 1)
            }
            if bytes[range.lowerBound] == UInt8(ascii: "{") {
                throw .malformed(place(range.lowerBound), problem: "sparse ARFF rows ({index value, …}) are not supported; write the series densely")
            }
            let fields = try quotedFields(bytes, range, at: place)
            guard fields.count == attributes.count else {
                throw .malformed(place(range.lowerBound), problem: "row has \(fields.count) values, but the header declares \(attributes.count) attributes")
            }
            let labelField = fields[fields.count - 1]
            let label = unquoted(bytes, labelField)
            guard !TextScanning.isMissing(bytes, labelField) else {
                throw .malformed(place(labelField.lowerBound), problem: "missing class label")
            }
            guard known.contains(label) else {
                throw .malformed(place(labelField.lowerBound), problem: "label '\(label)' is not among the class attribute's values {\(classes.joined(separator: ","))}")
            }
            let sequence: [Float]
            if multivariate {
                let value = TextScanning.trimmed(bytes, fields[0])
                guard value.count >= 2, isQuote(bytes[value.lowerBound]), bytes[value.upperBound - 1] == bytes[value.lowerBound] else {
                    throw .malformed(place(value.lowerBound), problem: "the relational value must be quoted, a row a dimension separated by \\n")
                }
                let channels = try channels(bytes, value.lowerBound + 1 ..< value.upperBound - 1, at: place)
                if file.pool.featureCount == 0 {
                    file.pool.featureCount = channels.count
                } else if channels.count != file.pool.featureCount {
                    throw .malformed(place(value.lowerBound), problem: "case has \(channels.count) dimensions, but the first case has \(file.pool.featureCount)")
                }
                let steps = channels[0].count
                var interleaved = [Float](repeating: 0, count: steps * channels.count)
                for (dimension, channel) in channels.enumerated() {
                    for (step, value) in channel.enumerated() { interleaved[step * channels.count + dimension] = value }
                }
                sequence = interleaved
            } else {
                sequence = try SeriesValues.read(bytes, fields.dropLast(), dimension: nil, whole: place(range.lowerBound), at: place)
            }
            file.pool.sequences.append(sequence)
            file.pool.labels.append(label)
        }
        guard !file.pool.sequences.isEmpty else {
            throw .malformed(FileLocation(file: path), problem: "no rows after @data")
        }
        return file
    }

    /// The first blank-separated word of `range` and what follows it, trimmed.
    static func word(_ bytes: [UInt8], _ range: Range<Int>) -> (Range<Int>, Range<Int>) {
        var end = range.lowerBound
        while end < range.upperBound, bytes[end] != TextScanning.space, bytes[end] != TextScanning.tab { end += 1 }
        return (range.lowerBound ..< end, TextScanning.trimmed(bytes, end ..< range.upperBound))
    }

    static func isQuote(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "'") || byte == TextScanning.quote }

    /// An attribute's name (quoted or one word) and type.
    static func attribute(_ bytes: [UInt8], _ range: Range<Int>, at here: FileLocation) throws(DatasetError) -> (String, Kind) {
        guard !range.isEmpty else { throw .malformed(here, problem: "@attribute needs a name and a type") }
        var end = range.lowerBound
        if isQuote(bytes[end]) {
            let quote = bytes[end]
            end += 1
            while end < range.upperBound, bytes[end] != quote { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
            guard end < range.upperBound else { throw .malformed(here, problem: "attribute name has no closing quote") }
            end += 1
        } else {
            while end < range.upperBound, bytes[end] != TextScanning.space, bytes[end] != TextScanning.tab, bytes[end] != UInt8(ascii: "{") { end += 1 }
        }
        let name = unquoted(bytes, range.lowerBound ..< end)
        let type = TextScanning.trimmed(bytes, min(end, range.upperBound) ..< range.upperBound)
        guard !type.isEmpty else { throw .malformed(here, problem: "attribute '\(name)' has no type") }
        if bytes[type.lowerBound] == UInt8(ascii: "{") {
            guard bytes[type.upperBound - 1] == UInt8(ascii: "}") else {
                throw .malformed(here, problem: "attribute '\(name)': the list of values has no closing '}'")
            }
            let inner = type.lowerBound + 1 ..< type.upperBound - 1
            let values = try quotedFields(bytes, inner) { _ in here }.map { unquoted(bytes, $0) }.filter { !$0.isEmpty }
            guard !values.isEmpty else { throw .malformed(here, problem: "attribute '\(name)' lists no values") }
            var seen = Set<String>()
            if let repeated = values.first(where: { !seen.insert($0).inserted }) {
                throw .malformed(here, problem: "attribute '\(name)' lists the value '\(repeated)' twice")
            }
            return (name, .nominal(values))
        }
        let typeName = TextScanning.string(bytes, word(bytes, type).0).lowercased()
        switch typeName {
        case "numeric", "real", "integer": return (name, .numeric)
        case "relational": return (name, .relational(inner: 0))
        default:
            throw .malformed(here, problem: "attribute '\(name)' is of type \(typeName), which gq cannot read; \(layout)")
        }
    }

    /// Comma-separated fields of `range`, a comma inside quotes (`'…'` or `"…"`, with
    /// backslash escapes) staying in its field.
    static func quotedFields(_ bytes: [UInt8], _ range: Range<Int>, at place: (Int) -> FileLocation) throws(DatasetError) -> [Range<Int>] {
        var fields: [Range<Int>] = []
        var start = range.lowerBound
        var index = range.lowerBound
        var quote: (byte: UInt8, at: Int)?
        while index < range.upperBound {
            let byte = bytes[index]
            if let open = quote {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == open.byte { quote = nil }
            } else if isQuote(byte) {
                quote = (byte, index)
            } else if byte == TextScanning.comma {
                fields.append(start ..< index)
                start = index + 1
            }
            index += 1
        }
        if let open = quote { throw .malformed(place(open.at), problem: "quote opened here is never closed") }
        fields.append(start ..< range.upperBound)
        return fields
    }

    /// A field's text without blanks and one pair of quotes, its escapes undone.
    static func unquoted(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        let field = TextScanning.trimmed(bytes, range)
        guard field.count >= 2, isQuote(bytes[field.lowerBound]), bytes[field.upperBound - 1] == bytes[field.lowerBound] else {
            return TextScanning.string(bytes, field)
        }
        var text: [UInt8] = []
        var index = field.lowerBound + 1
        while index < field.upperBound - 1 {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < field.upperBound - 1 { index += 1 }
            text.append(bytes[index])
            index += 1
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A relational value's rows (split at the two characters `\n`), each a dimension's
    /// values over time.
    static func channels(_ bytes: [UInt8], _ range: Range<Int>, at place: (Int) -> FileLocation) throws(DatasetError) -> [[Float]] {
        var rows: [Range<Int>] = []
        var start = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < range.upperBound, bytes[index + 1] == UInt8(ascii: "n") {
                rows.append(start ..< index)
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        rows.append(start ..< range.upperBound)
        var channels: [[Float]] = []
        for (dimension, row) in rows.enumerated() {
            let cells = TextScanning.fields(bytes, row, separator: TextScanning.comma)
            let channel = try SeriesValues.read(bytes, cells[...], dimension: dimension + 1, whole: place(row.lowerBound), at: place)
            if let first = channels.first, first.count != channel.count {
                throw .malformed(place(row.lowerBound), problem: "dimension \(dimension + 1) has \(channel.count) values, but dimension 1 has \(first.count)")
            }
            channels.append(channel)
        }
        return channels
    }
}
