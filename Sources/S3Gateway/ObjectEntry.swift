import Foundation

/// A key of a bucket as every gateway stores it: where its bytes are (the capabilities of
/// its parts, in order) and the headers S3 returns for it. Versioned as a `ReplicatedEntry`,
/// so two gateways writing one key converge to the later write.
public struct ObjectEntry: ReplicatedEntry {
    /// One stored run of the object's bytes: a whole single-part object, or one part of a
    /// multipart upload.
    public struct Part: Codable, Sendable, Equatable {
        /// The file's capability (`p2p1:…`).
        public var cap: String
        public var size: UInt64
    }

    /// The object key.
    public var name: String
    public var version: EntryVersion
    public var deleted: Bool
    public var size: UInt64
    /// Without quotes: MD5 hex, or MD5-of-MD5s `-N` for multipart objects.
    public var etag: String
    /// Milliseconds since 1970.
    public var modified: Int64
    /// `Content-Type` and the other stored standard headers (lowercased names).
    public var headers: [String: String]
    /// `x-amz-meta-*`, names lowercased without the prefix.
    public var metadata: [String: String]
    /// The bytes, in order; empty for an empty object. (An entry too large for a record's
    /// recent list goes straight into a snapshot page.)
    public var parts: [Part]

    public init(
        name: String, version: EntryVersion = EntryVersion(time: 0, writer: 0), deleted: Bool = false, size: UInt64 = 0,
        etag: String = "", modified: Int64 = 0, headers: [String: String] = [:], metadata: [String: String] = [:],
        parts: [Part] = []
    ) {
        self.name = name
        self.version = version
        self.deleted = deleted
        self.size = size
        self.etag = etag
        self.modified = modified
        self.headers = headers
        self.metadata = metadata
        self.parts = parts
    }

    /// A deletion of `name`.
    static func tombstone(_ name: String) -> ObjectEntry {
        ObjectEntry(name: name, deleted: true, modified: Int64(Date().timeIntervalSince1970 * 1000))
    }

    public var lastModified: Date { Date(timeIntervalSince1970: Double(modified) / 1000) }

    /// At most 10,000 parts whose sizes add up to `size`, an ETag as S3 makes them, and the
    /// headers and metadata a gateway stores (with room to spare).
    public var isWellFormed: Bool {
        guard parts.count <= 10_000, etag.utf8.count <= 64, headers.count <= 16, metadata.count <= 256 else { return false }
        var total: UInt64 = 0
        for part in parts {
            guard part.cap.utf8.count <= 256 else { return false }
            let (sum, overflow) = total.addingReportingOverflow(part.size)
            guard !overflow else { return false }
            total = sum
        }
        let textBytes = headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
            + metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        return total == size && textBytes <= 16 * 1024
    }
}
