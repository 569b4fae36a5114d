import APIModel
import Foundation

extension APIClient {
    /// `POST /v1/s3/keys`: a new network-wide S3 access key, with its secret.
    public func createS3Key(name: String, buckets: [String]) async throws -> S3AccessKey {
        let body = Array(try JSONEncoder().encode(S3AccessKey.CreateRequest(name: name, buckets: buckets)))
        return try decodeDocument(S3AccessKey.self, from: try await request(.POST, "/v1/s3/keys", body: body))
    }

    /// `GET /v1/s3/keys`: the keys, without their secrets.
    public func s3Keys() async throws -> [S3AccessKey] {
        try decodeDocument([S3AccessKey].self, from: try await request(.GET, "/v1/s3/keys"))
    }

    /// `DELETE /v1/s3/keys/{id}`.
    public func deleteS3Key(_ id: String) async throws {
        _ = try await request(.DELETE, "/v1/s3/keys/\(Self.pathComponent(id))")
    }
}
