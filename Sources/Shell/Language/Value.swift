import Foundation

/// A script value: every variable holds a number or a string.
public enum Value: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)

    /// Reads a word as a number when it is one, so `let x = $1` and `$1 > 3` work on arguments.
    public init(parsing text: String) {
        if let number = Double(text), !text.isEmpty { self = .number(number) } else { self = .string(text) }
    }

    /// The text a value interpolates to: integers without a decimal point,
    /// other numbers with up to 6 significant digits (enough for accuracies and sizes).
    public var description: String {
        switch self {
        case .string(let s): return s
        case .number(let x): return Value.format(x)
        }
    }

    public static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.6g", x)
    }

    /// Truthiness for `if` and `assert`: non-zero numbers and non-empty strings.
    public var isTrue: Bool {
        switch self {
        case .number(let x): return x != 0 && !x.isNaN
        case .string(let s): return !s.isEmpty
        }
    }

    public var number: Double? {
        switch self {
        case .number(let x): return x
        case .string(let s): return Double(s)
        }
    }

    /// The name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .number: return "number"
        case .string: return "string"
        }
    }
}
