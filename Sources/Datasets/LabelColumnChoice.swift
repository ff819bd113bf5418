/// Which end of a delimited file's rows holds the class labels, when the user did not say.
///
/// The UCR archive's `.tsv` and `.txt` files put the label first; most CSV exports put it
/// last. Reading the wrong end trains on a column of measurements as if it were classes
/// ("36 samples in 36 classes"), so the choice is made only when it is clear: labels repeat,
/// and are whole numbers or names; measurements are mostly distinct or fractional. When
/// both ends look like labels, or neither does, gq stops and asks (`label first|last`)
/// rather than guess.
struct LabelColumnChoice {
    /// What one candidate column holds, over every data row.
    struct Column: Equatable {
        var rows = 0
        var distinct = 0
        /// Every cell is a number (else some are names).
        var numeric = true
        /// Every numeric cell is a whole number.
        var whole = true
        /// Some cell is empty, `?` or NaN.
        var missing = false
        /// The header's name for the column, if the file has a header.
        var header: String?

        /// Names (cells that are not numbers) or whole numbers (at least two of them) could be
        /// labels; fractional numbers and missing cells are measurements.
        var looksLikeLabels: Bool {
            guard !missing else { return false }
            return numeric ? whole && distinct >= 2 : true
        }

        /// Labels repeat: a name that is not every row's own, or whole numbers that average
        /// two rows a value or more. What tells labels from integer-valued measurements
        /// (counts, pixel levels) when both ends could be labels.
        var repeats: Bool {
            numeric ? distinct <= rows / 2 : distinct < rows
        }


        /// The header calls it a label or class.
        var namedAsLabel: Bool {
            guard let name = header?.lowercased() else { return false }
            return name.contains("label") || name.contains("class") || ["target", "y", "category"].contains(name)
        }

        var summary: String {
            if missing { return "missing values" }
            if !numeric { return "\(distinct) distinct names in \(rows) rows" }
            if !whole { return "\(distinct) distinct fractional numbers in \(rows) rows" }
            return "\(distinct) distinct whole numbers in \(rows) rows"
        }

        mutating func add(_ bytes: [UInt8], _ cell: Range<Int>, into seen: inout Set<String>) {
            rows += 1
            if TextScanning.isMissing(bytes, cell) { missing = true; return }
            let text = TextScanning.unquoted(bytes, cell)
            if seen.insert(text).inserted { distinct += 1 }
            if let value = TextScanning.number(bytes, cell) {
                if value.rounded() != value { whole = false }
            } else {
                numeric = false
            }
        }
    }

    var first = Column()
    var last = Column()

    /// The column to read labels from, with the sentence `load task` says about it; or the
    /// question to ask, as an error naming the file.
    func decide(file: String) throws(DatasetError) -> (column: LoadOptions.LabelColumn, note: String) {
        var firstFits = first.looksLikeLabels
        var lastFits = last.looksLikeLabels
        // Both could be: names before numbers (measurements are numbers), then the one whose
        // values repeat, if only one does.
        if firstFits, lastFits, first.numeric != last.numeric {
            firstFits = !first.numeric
            lastFits = !last.numeric
        } else if firstFits, lastFits, first.repeats != last.repeats {
            firstFits = first.repeats
            lastFits = last.repeats
        }
        if firstFits != lastFits {
            let (column, chosen, other, otherName) = firstFits ? (LoadOptions.LabelColumn.first, first, last, "last") : (.last, last, first, "first")
            let why = other.missing ? "has missing values" : "looks like measurements (\(other.summary))"
            return (column, "labels read from the \(otherName == "last" ? "first" : "last") column (\(chosen.summary)); the \(otherName) column \(why); 'label \(otherName)' reads the other end")
        }
        // Two candidates, or none, by their values: a header that names one settles it.
        if first.namedAsLabel != last.namedAsLabel {
            let (column, name, other) = first.namedAsLabel ? (LoadOptions.LabelColumn.first, "first", "last") : (.last, "last", "first")
            let header = (first.namedAsLabel ? first.header : last.header) ?? ""
            return (column, "labels read from the \(name) column, which the header calls '\(header)'; 'label \(other)' reads the other end")
        }
        if firstFits {
            throw .malformed(FileLocation(file: file), problem: "cannot tell which column holds the class labels: the first (\(first.summary)) and the last (\(last.summary)) could both be labels; say 'label first' or 'label last'")
        }
        throw .malformed(FileLocation(file: file), problem: "no column looks like class labels: the first holds \(first.summary), the last \(last.summary) (labels are names or whole numbers); if one of them is the label, say 'label first' or 'label last'")
    }
}
