import APIModel
import Content
import Foundation
import Hummingbird
import Peer

/// What the cache routes need from the node.
public protocol CacheSource: Sendable {
    var cacheStatus: ChunkCacheStatus { get }
    func pin(_ capability: Capability) async throws -> ChunkCacheChange
    func unpin(_ capability: Capability) throws -> ChunkCacheChange?
    func clearCache() -> ChunkCacheChange
}

extension PeerNode: CacheSource {
    public nonisolated var cacheStatus: ChunkCacheStatus { cache.status }
    public nonisolated func clearCache() -> ChunkCacheChange { cache.clear() }
}

/// `GET /v1/cache`, `DELETE /v1/cache` (drops what is not pinned), and pins:
/// `POST /v1/cache/pins/{cap}`, `DELETE /v1/cache/pins/{cap}`.
enum CacheRoutes {
    static func add(to router: Router<BasicRequestContext>, source: any CacheSource) {
        router.get("/v1/cache") { _, _ -> Response in
            try JSONResponse.make(source.cacheStatus)
        }
        router.delete("/v1/cache") { _, _ -> Response in
            try JSONResponse.make(source.clearCache())
        }
        router.post("/v1/cache/pins/:cap") { _, context -> Response in
            let capability = try FileRoutes.parseCapability(context.parameters.get("cap") ?? "")
            do {
                return try JSONResponse.make(try await source.pin(capability))
            } catch DataPathError.chunkUnavailable, ContentError.chunkNotFound {
                throw APIError.resourceNotFound("no peer holds every chunk of this capability: nothing pinned")
            }
        }
        router.delete("/v1/cache/pins/:cap") { _, context -> Response in
            let capability = try FileRoutes.parseCapability(context.parameters.get("cap") ?? "")
            guard let change = try source.unpin(capability) else { throw APIError.resourceNotFound("this capability is not pinned") }
            return try JSONResponse.make(change)
        }
    }
}
