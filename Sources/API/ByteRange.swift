/// The single-range subset of HTTP `Range` (RFC 9110 §14.1.2): `bytes=a-b`, `bytes=a-`,
/// `bytes=-n`. Several ranges are refused rather than half-served.
enum ByteRange {
    static func parse(_ header: String?, size: UInt64) throws -> Range<UInt64>? {
        guard let header else { return nil }
        guard header.hasPrefix("bytes="), !header.contains(",") else {
            throw APIError.badRequest("unsupported Range \(header): use one bytes=first-last range")
        }
        let spec = header.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw APIError.badRequest("malformed Range \(header)") }
        let range: Range<UInt64>
        switch (UInt64(parts[0]), UInt64(parts[1])) {
        case (let first?, let last?) where first <= last:
            range = first..<min(last + 1, size)
        case (let first?, nil) where parts[1].isEmpty:
            range = first..<size
        case (nil, let suffix?) where parts[0].isEmpty:
            range = (size - min(suffix, size))..<size
        default:
            throw APIError.badRequest("malformed Range \(header)")
        }
        guard range.lowerBound < size || (size == 0 && range.isEmpty) else {
            throw APIError.badRequest("Range \(header) starts beyond the end of the \(size)-byte file")
        }
        return range
    }
}
