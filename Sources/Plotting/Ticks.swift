#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Axis ranges, 1-2-5 tick steps and their labels.
public enum Ticks {
    /// The step of the form {1, 2, 5} × 10^k that cuts `span` into about
    /// `count` intervals (the rule of d3's `tickIncrement`: of the candidates
    /// around span/count, the one nearest on a logarithmic scale).
    public static func step(span: Double, count: Int) -> Double {
        guard span.isFinite, span > 0 else { return 1 }
        let raw = span / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let error = raw / magnitude
        if error >= 50.0.squareRoot() { return 10 * magnitude }
        if error >= 10.0.squareRoot() { return 5 * magnitude }
        if error >= 2.0.squareRoot() { return 2 * magnitude }
        return magnitude
    }

    /// The multiples of `step(span:count:)` inside `range`, computed as
    /// integer × step so that no rounding error accumulates.
    public static func values(in range: ClosedRange<Double>, count: Int) -> (values: [Double], step: Double) {
        let step = self.step(span: range.upperBound - range.lowerBound, count: count)
        guard range.lowerBound.isFinite, range.upperBound.isFinite else { return ([], step) }
        let first = ceil(range.lowerBound / step - 1e-9)
        let last = floor(range.upperBound / step + 1e-9)
        guard last >= first, last - first < 1000 else { return ([], step) }
        let values = stride(from: first, through: last, by: 1).map { k -> Double in
            let v = k * step
            return v == 0 ? 0 : v   // no "-0"
        }
        return (values, step)
    }

    /// The automatic axis range: the data's extent plus 5 % of it on each side.
    /// A single value v gets v ± 5 % of |v| (± 1 for 0), no data gets 0...1.
    public static func autoRange(_ values: [Double]) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return 0 ... 1 }
        if high > low {
            let margin = 0.05 * (high - low)
            return (low - margin) ... (high + margin)
        }
        let half = low == 0 ? 1 : 0.05 * abs(low)
        return (low - half) ... (low + half)
    }

    /// A tick label with just enough decimals for `step` (never locale-dependent).
    public static func label(_ value: Double, step: Double) -> String {
        let decimals = step > 0 && step.isFinite ? max(0, Int(ceil(-log10(step) - 1e-9))) : 2
        return fixed(value, decimals: decimals)
    }

    /// `value` with exactly `decimals` decimals, '.' as separator, no "-0".
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        let decimals = min(max(0, decimals), 12)
        var scale: Int64 = 1
        for _ in 0 ..< decimals { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let units = Int64(scaled)
        let negative = value < 0 && units != 0
        var text = String(units / scale)
        if decimals > 0 {
            let fraction = String(units % scale)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return negative ? "-" + text : text
    }
}
