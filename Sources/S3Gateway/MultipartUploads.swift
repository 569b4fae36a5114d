import DurableFiles
import Foundation
import Logging

/// The multipart uploads in progress on this gateway: their parts are files in the network
/// already; which parts belong to which upload is kept here until the upload is completed
/// or aborted, one folder per upload (`upload.json`, then `part-N.json` per part, each
/// written durably before the part is acknowledged), so a part costs one small file
/// whatever the upload's size. An unreadable folder is skipped (and logged), never fatal.
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

    /// At most this many uploads in progress per gateway (S3 has no such limit; a bound
    /// keeps memory and the folder small).
    static let maximumUploads = 10_000

    private let directory: String?
    private var uploads: [String: Upload] = [:]

    /// `directory` nil keeps the uploads in memory only (tests).
    init(directory: String?, logger: Logger) throws {
        self.directory = directory
        guard let directory else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for id in try FileManager.default.contentsOfDirectory(atPath: directory) {
            do {
                let folder = directory + "/" + id
                var upload = try JSONDecoder().decode(Upload.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/upload.json")))
                for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasPrefix("part-") {
                    let part = try JSONDecoder().decode(Part.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)))
                    upload.parts[part.number] = part
                }
                guard upload.id == id else { throw MultipartUploadsError.noSuchUpload }
                uploads[id] = upload
            } catch {
                logger.warning("skipped an unreadable multipart upload", metadata: ["upload": "\(id)", "error": "\(error)"])
            }
        }
    }

    func create(bucket: String, key: String, headers: [String: String], metadata: [String: String], id: String) throws -> Upload {
        guard uploads.count < Self.maximumUploads else { throw MultipartUploadsError.tooMany }
        let upload = Upload(
            id: id, bucket: bucket, key: key, initiated: S3Realm.milliseconds(), headers: headers, metadata: metadata, parts: [:])
        if let folder = folder(id) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            if let directory { try FileSystem<FileSystemError>.syncDirectory(directory) }
            try DurableWrite.write(Array(try JSONEncoder().encode(upload)), to: folder + "/upload.json", mode: 0o600)
        }
        uploads[id] = upload
        return upload
    }

    func upload(_ id: String) -> Upload? { uploads[id] }

    /// Records a part; returns the part it replaced, if any (its file is no longer held).
    func add(_ part: Part, to id: String) throws -> Part? {
        guard uploads[id] != nil else { throw MultipartUploadsError.noSuchUpload }
        if let folder = folder(id) {
            try DurableWrite.write(Array(try JSONEncoder().encode(part)), to: folder + "/part-\(part.number).json", mode: 0o600)
        }
        let replaced = uploads[id]?.parts[part.number]
        uploads[id]?.parts[part.number] = part
        return replaced
    }

    /// Forgets the upload; returns it.
    func remove(_ id: String) throws -> Upload? {
        guard let upload = uploads.removeValue(forKey: id) else { return nil }
        if let folder = folder(id) { try FileManager.default.removeItem(atPath: folder) }
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

    /// The folder of an upload this gateway made (ids are 32 hex digits, never a path).
    private func folder(_ id: String) -> String? {
        guard let directory, id.count == 32, id.allSatisfy(\.isHexDigit) else { return nil }
        return directory + "/" + id
    }
}

enum MultipartUploadsError: Error {
    case tooMany
    case noSuchUpload
}
