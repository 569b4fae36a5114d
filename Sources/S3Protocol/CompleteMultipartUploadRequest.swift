/// The body of CompleteMultipartUpload: the parts to join, in order.
///
///     <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…</CompleteMultipartUpload>
public enum CompleteMultipartUploadRequest {
    /// Ten thousand parts of about a hundred bytes each, with room to spare.
    public static let maximumBodySize = 2 << 20
    /// S3's part numbers.
    public static let partNumbers = 1...10_000

    /// The parts as listed. ETags are returned as given (usually quoted); compare them
    /// through `unquotedETag`. Part numbers outside 1...10000 give `InvalidArgument`,
    /// numbers not strictly ascending `InvalidPartOrder`, anything else amiss `MalformedXML`.
    public static func parse(_ bytes: [UInt8], limit: Int = maximumBodySize) throws(S3Error) -> [(partNumber: Int, etag: String)] {
        let root = try S3XMLParser.parse(bytes, limit: limit)
        guard root.name == "CompleteMultipartUpload" else { throw .malformedXML }
        let parts = root.children("Part")
        guard !parts.isEmpty, parts.count <= partNumbers.count else { throw .malformedXML }
        var result: [(partNumber: Int, etag: String)] = []
        result.reserveCapacity(parts.count)
        for part in parts {
            guard let numberText = part.child("PartNumber")?.trimmedText, let number = Int(numberText),
                let etag = part.child("ETag")?.trimmedText, !etag.isEmpty
            else { throw .malformedXML }
            guard partNumbers.contains(number) else {
                throw .invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
            }
            if let previous = result.last, previous.partNumber >= number { throw .invalidPartOrder }
            result.append((number, etag))
        }
        return result
    }

    /// An ETag without surrounding whitespace and double quotes: `"abc"` → `abc`.
    public static func unquotedETag(_ etag: String) -> String {
        var text = Substring(etag.trimmingXMLWhitespace())
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        return String(text)
    }
}

extension String {
    fileprivate func trimmingXMLWhitespace() -> String {
        XMLNode(name: "", text: self).trimmedText
    }
}
