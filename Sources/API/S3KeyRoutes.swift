import APIModel
import Foundation
import Hummingbird
import Peer

/// What the S3 key routes need: the network-wide access keys (the daemon's `S3Realm`).
public protocol S3KeySource: Sendable {
    func createKey(name: String, buckets: [String]) async throws -> S3AccessKey
    func keys() async throws -> [S3AccessKey]
    /// False when there is no key with that id.
    func deleteKey(_ id: String) async throws -> Bool
}

/// `POST /v1/s3/keys` (`{"name":…,"buckets":[…]}`, answers the key with its secret),
/// `GET /v1/s3/keys` (without secrets), `DELETE /v1/s3/keys/{id}`.
enum S3KeyRoutes {
    static let maximumRequestSize = 64 * 1024

    static func add(to router: Router<BasicRequestContext>, source: any S3KeySource) {
        router.post("/v1/s3/keys") { request, _ -> Response in
            let body = try await request.body.collect(upTo: maximumRequestSize)
            let create: S3AccessKey.CreateRequest
            do {
                create = try JSONDecoder().decode(S3AccessKey.CreateRequest.self, from: Data(buffer: body))
            } catch {
                throw APIError.badRequest("the body must be {\"name\":…,\"buckets\":[…]}")
            }
            guard create.name.utf8.count <= 256, create.buckets.count <= 1000 else {
                throw APIError.badRequest("a key name is at most 256 bytes and a key names at most 1000 buckets")
            }
            return try JSONResponse.make(try await unavailableWhenUnreachable { try await source.createKey(name: create.name, buckets: create.buckets) }, status: .created)
        }
        router.get("/v1/s3/keys") { _, _ -> Response in
            try JSONResponse.make(try await unavailableWhenUnreachable { try await source.keys() })
        }
        router.delete("/v1/s3/keys/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard try await unavailableWhenUnreachable({ try await source.deleteKey(id) }) else {
                throw APIError.resourceNotFound("no S3 access key \(id)")
            }
            return Response(status: .noContent)
        }
    }

    /// The keys live in the network: a quorum not met is 503, not a server error.
    private static func unavailableWhenUnreachable<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DataPathError {
            throw APIError.unavailable("the network cannot be reached for the S3 keys: \(error)")
        }
    }
}
