/// The parts of a request that SigV4 signs, exactly as they arrived.
public struct SignedRequestHead: Sendable {
    public var method: String
    /// The path exactly as on the wire, before `?`, still percent-encoded.
    public var rawPath: String
    /// The query exactly as on the wire after `?`; empty when there is none.
    public var rawQuery: String
    /// The headers as received. Names are case-insensitive; a name may repeat.
    public var headers: [(name: String, value: String)]

    public init(method: String, rawPath: String, rawQuery: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
    }

    /// Every value of a header, in order; `name` must be lowercase.
    func values(of name: String) -> [String] {
        headers.compactMap { $0.name.lowercased() == name ? $0.value : nil }
    }

    /// The first value of a header, trimmed; `name` must be lowercase.
    func value(of name: String) -> String? {
        values(of: name).first.map { SigV4.trimAll($0) }
    }

    /// The query's parameters, names and values percent-decoded (`+` stays `+`: SigV4
    /// clients encode spaces as `%20`), a parameter without `=` having an empty value.
    var queryParameters: [(name: String, value: String)] {
        rawQuery.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(decoding: URIEncoding.decodeLeniently(parts[0]), as: UTF8.self)
            let value = parts.count > 1 ? String(decoding: URIEncoding.decodeLeniently(parts[1]), as: UTF8.self) : ""
            return (name, value)
        }
    }
}
