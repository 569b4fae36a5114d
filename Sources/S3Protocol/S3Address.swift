/// Where a request points: the bucket and key, from a virtual-host name or the path.
public enum S3Address {
    /// Virtual-host style when `host` (port stripped, lowercased) ends with `.` + `domain`:
    /// the bucket is what precedes, and the whole path is the key. Otherwise path style:
    /// the first segment is the bucket, the rest the key. Keys are percent-decoded and keep
    /// empty segments and trailing slashes exactly (`/b/a//c/` → `a//c/`); an empty key is
    /// nil. A bad escape or a key that is not UTF-8 gives `InvalidURI`.
    public static func parse(host: String?, rawPath: String, domain: String?) throws(S3Error) -> (bucket: String?, key: String?) {
        guard rawPath.hasPrefix("/") else { throw .invalidURI }
        let path = rawPath.dropFirst()
        if let domain, let host, let bucket = virtualHostBucket(host: host, domain: domain) {
            return (bucket, try decodedKey(path))
        }
        guard !path.isEmpty else { return (nil, nil) }
        let slash = path.firstIndex(of: "/")
        let bucket = try decoded(slash.map { path[..<$0] } ?? path)
        guard !bucket.isEmpty else { throw .invalidBucketName(bucket) }
        guard let slash else { return (bucket, nil) }
        return (bucket, try decodedKey(path[path.index(after: slash)...]))
    }

    private static func virtualHostBucket(host: String, domain: String) -> String? {
        var name = Substring(host.lowercased())
        if name.hasPrefix("[") {
            return nil  // an IPv6 literal is never a bucket host
        }
        if let colon = name.lastIndex(of: ":") { name = name[..<colon] }
        if name.hasSuffix(".") { name = name.dropLast() }
        let suffix = "." + domain.lowercased()
        guard name.hasSuffix(suffix), name.count > suffix.count else { return nil }
        return String(name.dropLast(suffix.count))
    }

    private static func decodedKey(_ raw: Substring) throws(S3Error) -> String? {
        let key = try decoded(raw)
        return key.isEmpty ? nil : key
    }

    private static func decoded(_ raw: Substring) throws(S3Error) -> String {
        guard let bytes = URIEncoding.decode(raw), let text = String(validating: bytes, as: UTF8.self) else { throw .invalidURI }
        return text
    }
}
