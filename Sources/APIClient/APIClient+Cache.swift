import APIModel
import Foundation

extension APIClient {
    /// `GET /v1/cache`.
    public func cacheStatus() async throws -> ChunkCacheStatus {
        try decodeDocument(ChunkCacheStatus.self, from: try await request(.GET, "/v1/cache"))
    }

    /// `DELETE /v1/cache`: drops every chunk that is not pinned.
    public func clearCache() async throws -> ChunkCacheChange {
        try decodeDocument(ChunkCacheChange.self, from: try await request(.DELETE, "/v1/cache"))
    }

    /// `POST /v1/cache/pins/{cap}`: fetches every chunk of a file or tree into the cache and keeps it.
    public func pin(capability: String) async throws -> ChunkCacheChange {
        try decodeDocument(ChunkCacheChange.self, from: try await request(.POST, "/v1/cache/pins/\(Self.pathComponent(capability))"))
    }

    /// `DELETE /v1/cache/pins/{cap}`.
    public func unpin(capability: String) async throws -> ChunkCacheChange {
        try decodeDocument(ChunkCacheChange.self, from: try await request(.DELETE, "/v1/cache/pins/\(Self.pathComponent(capability))"))
    }

    static func pathComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? text
    }
}
