/// What a `Range` header (RFC 9110 §14.2) asks of a representation of `size` bytes:
/// the whole of it, one part of it, or nothing it can have. Pure and total: no header,
/// however long, odd or overflowing, makes it trap.
///
/// The rules, as the RFC gives them:
/// - no header, a unit other than `bytes`, or a header that does not parse (a reversed
///   `bytes=5-3`, garbage) is ignored: the whole file, `200`;
/// - each range is resolved against the size: `a-b` (`b` clamped to the last byte),
///   `a-`, and the suffix `-n` (the last `n` bytes); positions too large for 64 bits are
///   simply beyond any end;
/// - when no range is satisfiable (all start at or past the end, or a `-0` suffix),
///   `416` with `Content-Range: bytes */size`;
/// - the satisfiable ranges are merged where they overlap or touch; if one range is left
///   it is served, `206`; several disjoint ranges are answered with the whole file, `200`
///   (a server may ignore `Range`; `multipart/byteranges` is not served).
public enum ByteRange: Equatable, Sendable {
    case full
    case partial(Range<UInt64>)
    case unsatisfiable

    /// Longest header considered; a longer one is ignored (whole file).
    public static let maximumHeaderLength = 1024

    public static func resolve(_ header: String?, size: UInt64) -> ByteRange {
        guard let header, header.utf8.count <= maximumHeaderLength else { return .full }
        guard let specs = parse(header) else { return .full }
        let satisfiable = specs.compactMap { $0.resolved(size: size) }.sorted { $0.lowerBound < $1.lowerBound }
        guard let first = satisfiable.first else { return .unsatisfiable }
        var merged = first
        for range in satisfiable.dropFirst() {
            guard range.lowerBound <= merged.upperBound else { return .full }
            merged = merged.lowerBound..<max(merged.upperBound, range.upperBound)
        }
        return .partial(merged)
    }

    /// One `byte-range-spec` or `suffix-byte-range-spec`, positions saturated at `UInt64.max`.
    private enum Spec {
        case from(UInt64, through: UInt64?)
        case suffix(UInt64)

        func resolved(size: UInt64) -> Range<UInt64>? {
            switch self {
            case .from(let first, let last):
                guard first < size else { return nil }
                let end = last.map { $0 >= size - 1 ? size : $0 + 1 } ?? size
                return first..<end
            case .suffix(let length):
                guard length > 0, size > 0 else { return nil }
                return (size - min(length, size))..<size
            }
        }
    }

    /// The specs of a `bytes=` header, or nil when it is not one that parses.
    private static func parse(_ header: String) -> [Spec]? {
        let trimmed = trimmingSpaces(Substring(header))
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "bytes=" else { return nil }
        var specs: [Spec] = []
        for element in trimmed.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false) {
            let text = trimmingSpaces(element)
            if text.isEmpty { continue }  // RFC 9110 §5.6.1: empty list elements are allowed
            guard let dash = text.firstIndex(of: "-") else { return nil }
            let firstText = text[..<dash], lastText = text[text.index(after: dash)...]
            if firstText.isEmpty {
                guard let length = saturating(lastText) else { return nil }
                specs.append(.suffix(length))
            } else {
                guard let first = saturating(firstText) else { return nil }
                if lastText.isEmpty {
                    specs.append(.from(first, through: nil))
                } else {
                    guard let last = saturating(lastText), last >= first else { return nil }
                    specs.append(.from(first, through: last))
                }
            }
        }
        return specs.isEmpty ? nil : specs
    }

    /// A run of ASCII digits as a number, `UInt64.max` when it does not fit; nil otherwise.
    private static func saturating(_ digits: Substring) -> UInt64? {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        var value: UInt64 = 0
        for digit in digits.utf8 {
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(UInt64(digit - 0x30))
            if overflowA || overflowB { return .max }
            value = sum
        }
        return value
    }

    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    private static func trimmingSpaces(_ text: Substring) -> Substring {
        let isSpace = { (c: Character) in c == " " || c == "\t" }
        guard let start = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return text[text.endIndex...]
        }
        return text[start...last]
    }
}
