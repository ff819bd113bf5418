/// A small palette that reads on dark and light terminals and on paper.
public enum PlotColor: String, Sendable, CaseIterable, Codable {
    case blue, orange, green, red, purple, cyan, gray, black

    /// The ANSI SGR foreground code (16-colour set, so every terminal has it).
    public var ansiCode: Int {
        switch self {
        case .blue: return 34
        case .orange: return 33
        case .green: return 32
        case .red: return 31
        case .purple: return 35
        case .cyan: return 36
        case .gray: return 90
        case .black: return 39   // the terminal's default foreground
        }
    }

    /// The SVG colour (Tableau 10 hues).
    public var svg: String {
        switch self {
        case .blue: return "#4e79a7"
        case .orange: return "#f28e2b"
        case .green: return "#59a14f"
        case .red: return "#e15759"
        case .purple: return "#b07aa1"
        case .cyan: return "#76b7b2"
        case .gray: return "#79706e"
        case .black: return "#222222"
        }
    }
}
