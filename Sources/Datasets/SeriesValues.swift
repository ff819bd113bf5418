/// One series' values from its cells, as the archives write them (`.ts`, `.arff`): trailing
/// missing cells (`?`, NaN, empty) are the padding of a shorter series; a missing cell before
/// the end, or a series of padding alone, is an error naming where.
enum SeriesValues {
    /// `dimension` (1-based) names the channel of a multivariate series in messages; `place`
    /// turns a byte offset into a file location; `whole` is where the series as a whole is.
    static func read(_ bytes: [UInt8], _ cells: ArraySlice<Range<Int>>, dimension: Int?, whole: FileLocation,
                     at place: (Int) -> FileLocation) throws(DatasetError) -> [Float] {
        var end = cells.endIndex
        while end > cells.startIndex, TextScanning.isMissing(bytes, cells[end - 1]) { end -= 1 }
        guard end > cells.startIndex else {
            throw .malformed(whole, problem: dimension.map { "dimension \($0) has no values" } ?? "the series has no values, only missing ones")
        }
        var values: [Float] = []
        values.reserveCapacity(end - cells.startIndex)
        for cell in cells[..<end] {
            if TextScanning.isMissing(bytes, cell) {
                let inside = dimension.map { "in dimension \($0)" } ?? "inside the series"
                throw .malformed(place(cell.lowerBound), problem: "missing value \(inside) (only trailing padding may be missing)")
            }
            values.append(try CSVLoader.number(bytes, cell, at: place(cell.lowerBound)))
        }
        return values
    }
}
