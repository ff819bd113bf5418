/// A point marker; each series gets its own so that plots read without colour.
public enum Marker: String, Sendable, CaseIterable, Codable {
    case dot, cross, diamond, triangle, square, plus, star, circle

    /// The terminal character in braille (Unicode) style.
    public var unicode: Character {
        switch self {
        case .dot: return "●"
        case .cross: return "×"
        case .diamond: return "◆"
        case .triangle: return "▲"
        case .square: return "■"
        case .plus: return "+"
        case .star: return "★"
        case .circle: return "○"
        }
    }

    /// The terminal character in ASCII style.
    public var ascii: Character {
        switch self {
        case .dot: return "o"
        case .cross: return "x"
        case .diamond: return "#"
        case .triangle: return "^"
        case .square: return "s"
        case .plus: return "+"
        case .star: return "*"
        case .circle: return "O"
        }
    }
}
