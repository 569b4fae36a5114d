/// The body of DeleteObjects: up to 1000 keys and whether to report only failures.
///
///     <Delete><Quiet>true</Quiet><Object><Key>a</Key><VersionId>…</VersionId></Object>…</Delete>
public enum DeleteObjectsRequest {
    /// S3's limit per request.
    public static let maximumObjects = 1000
    /// A thousand keys of up to 1024 bytes, escaped, with room to spare.
    public static let maximumBodySize = 8 << 20

    /// The keys in request order (untrimmed: keys may start or end with spaces) and the
    /// `Quiet` flag. Version ids are ignored. No objects, more than 1000, or a missing
    /// `Key` give `MalformedXML`.
    public static func parse(_ bytes: [UInt8], limit: Int = maximumBodySize) throws(S3Error) -> (keys: [String], quiet: Bool) {
        let root = try S3XMLParser.parse(bytes, limit: limit)
        guard root.name == "Delete" else { throw .malformedXML }
        let objects = root.children("Object")
        guard !objects.isEmpty, objects.count <= maximumObjects else { throw .malformedXML }
        var keys: [String] = []
        keys.reserveCapacity(objects.count)
        for object in objects {
            guard let key = object.child("Key")?.text, !key.isEmpty else { throw .malformedXML }
            keys.append(key)
        }
        var quiet = false
        if let flag = root.child("Quiet") {
            switch flag.trimmedText.lowercased() {
            case "true": quiet = true
            case "false": quiet = false
            default: throw .malformedXML
            }
        }
        return (keys, quiet)
    }
}
