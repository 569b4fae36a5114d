import Foundation

/// Parses the sizes (`K`, `M`, `G`, `T`, powers of 1024) and durations (`ms`, `s`, `m`, `h`, `d`)
/// of the command-line contract.
public enum SizeParser {
    public static func bytes(_ text: String) -> UInt64? {
        let units: [(String, UInt64)] = [("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        let upper = text.uppercased().replacingOccurrences(of: "IB", with: "")
        for (suffix, multiplier) in units where upper.hasSuffix(suffix) {
            guard let value = UInt64(upper.dropLast(suffix.count)) else { return nil }
            return value.multipliedReportingOverflow(by: multiplier).overflow ? nil : value * multiplier
        }
        return UInt64(upper)
    }

    /// Whole seconds of a duration; `ms` values round up to a second.
    public static func seconds(_ text: String) -> Int? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, multiplier) in units where text.hasSuffix(suffix) {
            // Finite and within a century: a duration past that is a typo, and would trap.
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value * multiplier <= 3.2e9 else { return nil }
            return Int((value * multiplier).rounded(.up))
        }
        return Int(text)
    }
}
