import Foundation

/// Byte-level helpers shared by the text loaders. Working on bytes rather than
/// `String` keeps a 4-million-cell CSV (smnist) well under a second.
enum TextScanning {
    static let comma = UInt8(ascii: ",")
    static let tab = UInt8(ascii: "\t")
    static let space = UInt8(ascii: " ")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let quote = UInt8(ascii: "\"")

    /// The ranges of each line (without its terminator), numbered from 1.
    static func lines(_ bytes: [UInt8]) -> [(number: Int, range: Range<Int>)] {
        var result: [(Int, Range<Int>)] = []
        var start = 0
        var number = 1
        var index = 0
        // A UTF-8 byte-order mark would otherwise glue itself to the first cell.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3; index = 3 }
        while index < bytes.count {
            if bytes[index] == newline {
                var end = index
                if end > start, bytes[end - 1] == carriageReturn { end -= 1 }
                result.append((number, start ..< end))
                number += 1
                start = index + 1
            }
            index += 1
        }
        if start < bytes.count {
            var end = bytes.count
            if bytes[end - 1] == carriageReturn { end -= 1 }
            result.append((number, start ..< end))
        }
        return result
    }

    static func isBlank(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        range.allSatisfy { bytes[$0] == space || bytes[$0] == tab || bytes[$0] == carriageReturn }
    }

    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == space || bytes[lower] == tab { lower += 1 }
        while upper > lower, bytes[upper - 1] == space || bytes[upper - 1] == tab { upper -= 1 }
        return lower ..< upper
    }

    static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// How a delimited line divides into fields.
    enum Separator: Equatable {
        /// One byte (comma, tab, semicolon), honouring double quotes.
        case byte(UInt8)
        /// Runs of blanks, leading and trailing ones ignored: the old UCR archive's `.txt` files.
        case whitespace

        var name: String {
            switch self {
            case .byte(TextScanning.comma): return "commas"
            case .byte(TextScanning.tab): return "tabs"
            case .byte(UInt8(ascii: ";")): return "semicolons"
            case .byte(let byte): return "'\(Character(Unicode.Scalar(byte)))'"
            case .whitespace: return "spaces"
            }
        }
    }

    static func fields(_ bytes: [UInt8], _ range: Range<Int>, separator: Separator) -> [Range<Int>] {
        switch separator {
        case .byte(let byte): return fields(bytes, range, separator: byte)
        case .whitespace: return blankSeparatedFields(bytes, range)
        }
    }

    static func blankSeparatedFields(_ bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var index = range.lowerBound
        while index < range.upperBound {
            while index < range.upperBound, bytes[index] == space || bytes[index] == tab { index += 1 }
            guard index < range.upperBound else { break }
            let start = index
            while index < range.upperBound, bytes[index] != space, bytes[index] != tab { index += 1 }
            result.append(start ..< index)
        }
        return result
    }

    /// A cell that stands for no value: empty, `?` (ARFF, `.ts`) or NaN (the UCR archive's padding).
    static func isMissing(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        let cell = trimmed(bytes, range)
        switch cell.count {
        case 0: return true
        case 1: return bytes[cell.lowerBound] == UInt8(ascii: "?")
        case 3: return string(bytes, cell).lowercased() == "nan"
        default: return false
        }
    }

    /// Splits on `separator`, honouring double-quoted fields (RFC 4180 style, within one line).
    static func fields(_ bytes: [UInt8], _ range: Range<Int>, separator: UInt8) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        var inQuotes = false
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == quote {
                inQuotes.toggle()
            } else if byte == separator, !inQuotes {
                result.append(start ..< index)
                start = index + 1
            }
            index += 1
        }
        result.append(start ..< range.upperBound)
        return result
    }

    /// A field's text with surrounding blanks and one pair of double quotes removed.
    static func unquoted(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        let inner = trimmed(bytes, range)
        if inner.count >= 2, bytes[inner.lowerBound] == quote, bytes[inner.upperBound - 1] == quote {
            return string(bytes, inner.lowerBound + 1 ..< inner.upperBound - 1)
                .replacingOccurrences(of: "\"\"", with: "\"")
        }
        return string(bytes, inner)
    }

    private static let powersOfTen: [Double] = (0 ... 22).map { exponent in
        var value = 1.0
        for _ in 0 ..< exponent { value *= 10 }
        return value
    }

    /// Parses a decimal number; nil when the text is not a number at all.
    /// Plain decimals take an exact fast path (Clinger); anything else goes through
    /// the standard library's correctly rounded parser.
    static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Float? {
        let field = trimmed(bytes, range)
        guard !field.isEmpty else { return nil }
        var index = field.lowerBound
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var sawDigit = false
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        var fast = true
        while index < field.upperBound {
            let byte = bytes[index]
            if byte >= 48, byte <= 57 {
                sawDigit = true
                if digits < 18 {
                    mantissa = mantissa * 10 + UInt64(byte - 48)
                    if mantissa != 0 { digits += 1 }
                    if seenPoint { fractionDigits += 1 }
                } else {
                    fast = false
                }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                fast = false
                break
            }
            index += 1
        }
        if fast, sawDigit, index == field.upperBound, fractionDigits <= 22 {
            let value = Double(mantissa) / powersOfTen[fractionDigits]
            return Float(negative ? -value : value)
        }
        return Float(string(bytes, field))
    }
}
