import Content

/// Reads a range of an object whose bytes are several files in order (the parts of a
/// multipart upload): each part's overlap with the range, from the network, verified.
enum ObjectReader {
    static func read(
        _ parts: [ObjectEntry.Part], range: Range<UInt64>, network: any S3Network,
        to body: (ArraySlice<UInt8>) async throws -> Void
    ) async throws {
        var start: UInt64 = 0
        for part in parts {
            let end = start + part.size
            defer { start = end }
            let lower = max(range.lowerBound, start), upper = min(range.upperBound, end)
            guard lower < upper else { continue }
            let local = (lower - start)..<(upper - start)
            try await network.read(try Capability(parsing: part.cap), range: local == 0..<part.size ? nil : local, to: body)
        }
    }
}
