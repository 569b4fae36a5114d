import DurableFiles
import Foundation

/// The multipart uploads in progress on this gateway: their parts are files in the network
/// already; which parts belong to which upload is kept here, in `uploads.json` (written
/// durably after every change), until the upload is completed or aborted.
actor MultipartUploads {
    struct Part: Codable, Sendable {
        var number: Int
        var cap: String
        var size: UInt64
        /// MD5 hex of the part's bytes.
        var etag: String
        var modified: Int64
    }

    struct Upload: Codable, Sendable {
        var id: String
        var bucket: String
        var key: String
        var initiated: Int64
        var headers: [String: String]
        var metadata: [String: String]
        var parts: [Int: Part]
    }

    private struct File: Codable {
        var v = 1
        var uploads: [String: Upload]
    }

    /// At most this many uploads in progress per gateway (S3 has no such limit; a bound
    /// keeps the file small).
    static let maximumUploads = 10_000

    private let path: String?
    private var uploads: [String: Upload] = [:]

    /// `path` nil keeps the uploads in memory only (tests).
    init(path: String?) throws {
        self.path = path
        if let path, FileManager.default.fileExists(atPath: path) {
            let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            uploads = file.uploads
        }
    }

    func create(bucket: String, key: String, headers: [String: String], metadata: [String: String], id: String) throws -> Upload {
        guard uploads.count < Self.maximumUploads else { throw MultipartUploadsError.tooMany }
        let upload = Upload(
            id: id, bucket: bucket, key: key, initiated: S3Realm.milliseconds(), headers: headers, metadata: metadata, parts: [:])
        uploads[id] = upload
        try save()
        return upload
    }

    func upload(_ id: String) -> Upload? { uploads[id] }

    /// Records a part; returns the part it replaced, if any (its file is no longer held).
    func add(_ part: Part, to id: String) throws -> Part? {
        guard uploads[id] != nil else { throw MultipartUploadsError.noSuchUpload }
        let replaced = uploads[id]?.parts[part.number]
        uploads[id]?.parts[part.number] = part
        try save()
        return replaced
    }

    /// Forgets the upload; returns it.
    func remove(_ id: String) throws -> Upload? {
        guard let upload = uploads.removeValue(forKey: id) else { return nil }
        try save()
        return upload
    }

    /// Uploads of `bucket`, by key then initiation.
    func list(bucket: String) -> [Upload] {
        uploads.values.filter { $0.bucket == bucket }.sorted { ($0.key, $0.initiated, $0.id) < ($1.key, $1.initiated, $1.id) }
    }

    /// Every part's file held by an upload in progress (held against release).
    func heldFiles() -> [String] {
        uploads.values.flatMap { $0.parts.values.map(\.cap) }
    }

    private func save() throws {
        guard let path else { return }
        try DurableWrite.write(Array(try JSONEncoder().encode(File(uploads: uploads))), to: path, mode: 0o600)
    }
}

enum MultipartUploadsError: Error {
    case tooMany
    case noSuchUpload
}
