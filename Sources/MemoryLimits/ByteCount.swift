import Foundation

/// Sizes written as `4G`, `512M` or plain bytes, as the `GQ_MAX_…` settings take them.
public enum ByteCount {
    /// The bytes `text` names; nil for anything else (zero, negative, overflowing, words).
    public static func parse(_ text: String?) -> Int? {
        guard var text = text?.trimmingCharacters(in: .whitespaces).uppercased(), !text.isEmpty else { return nil }
        // 4G, 4GB and 4GiB all mean 4 × 2^30 bytes here.
        if text.hasSuffix("IB") { text.removeLast(2) } else if text.hasSuffix("B"), text.count > 1 { text.removeLast() }
        var factor = 1
        if let unit = text.last, let shift = ["K": 10, "M": 20, "G": 30, "T": 40][String(unit)] {
            factor = 1 << shift
            text.removeLast()
        }
        guard let value = Int(text), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : bytes
    }

    /// `bytes` for a person: "4.4 GB", "590 MB", "12 kB".
    public static func text(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.0f MB", value / 1e6) }
        return String(format: "%.0f kB", max(value, 1) / 1e3)
    }
}
