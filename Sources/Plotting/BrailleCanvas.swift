/// A grid of terminal cells, each holding a character and an optional colour.
struct CellGrid {
    struct Cell: Equatable {
        var character: Character = " "
        var color: PlotColor?
    }

    let columns: Int
    let rows: Int
    private(set) var cells: [Cell]

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        cells = Array(repeating: Cell(), count: columns * rows)
    }

    subscript(column: Int, row: Int) -> Cell {
        get { cells[row * columns + column] }
        set { cells[row * columns + column] = newValue }
    }

    func contains(column: Int, row: Int) -> Bool {
        column >= 0 && column < columns && row >= 0 && row < rows
    }

    mutating func put(_ character: Character, column: Int, row: Int, color: PlotColor?) {
        guard contains(column: column, row: row) else { return }
        self[column, row] = Cell(character: character, color: color)
    }
}

/// A canvas of braille dots, 2 × 4 per terminal cell, for lines at four times
/// the resolution of characters. Each cell keeps the colour of the last dot set
/// in it (a terminal cell has one colour).
struct BrailleCanvas {
    let columns: Int
    let rows: Int
    private var bits: [UInt8]
    private var colors: [PlotColor?]

    var pixelWidth: Int { columns * 2 }
    var pixelHeight: Int { rows * 4 }

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        bits = Array(repeating: 0, count: columns * rows)
        colors = Array(repeating: nil, count: columns * rows)
    }

    /// Unicode braille dot numbering: dots 1-2-3 and 7 down the left column,
    /// 4-5-6 and 8 down the right, each one bit of the offset from U+2800.
    private static let dotBits: [[UInt8]] = [
        [0x01, 0x02, 0x04, 0x40],
        [0x08, 0x10, 0x20, 0x80],
    ]

    /// Sets the dot at pixel (x, y), y = 0 at the top; pixels outside are ignored.
    mutating func set(x: Int, y: Int, color: PlotColor?) {
        guard x >= 0, x < pixelWidth, y >= 0, y < pixelHeight else { return }
        let cell = (y / 4) * columns + x / 2
        bits[cell] |= Self.dotBits[x % 2][y % 4]
        colors[cell] = color
    }

    /// A straight line of dots (Bresenham) between two pixels, both ends included.
    mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), color: PlotColor?) {
        rasterize(from: a, to: b) { set(x: $0, y: $1, color: color) }
    }

    /// Copies the non-empty cells onto `grid`, whose top-left cell is (column, row).
    func draw(onto grid: inout CellGrid, column: Int, row: Int) {
        for r in 0 ..< rows {
            for c in 0 ..< columns where bits[r * columns + c] != 0 {
                let scalar = Unicode.Scalar(0x2800 + UInt32(bits[r * columns + c])) ?? " "
                grid.put(Character(scalar), column: column + c, row: row + r, color: colors[r * columns + c])
            }
        }
    }
}

/// Bresenham's line: calls `plot` for every integer point from `a` to `b`.
func rasterize(from a: (x: Int, y: Int), to b: (x: Int, y: Int), _ plot: (Int, Int) -> Void) {
    var x = a.x, y = a.y
    let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
    let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
    var error = dx + dy
    while true {
        plot(x, y)
        if x == b.x && y == b.y { return }
        let e2 = 2 * error
        if e2 >= dy { error += dy; x += sx }
        if e2 <= dx { error += dx; y += sy }
    }
}
