import APIModel
import FolderKeys
import FolderSync
import Foundation
import Hummingbird

/// `/v1/sync/folders`: the folders this peer keeps in sync (docs/api.md).
/// - `POST` `{"path": "/abs/dir", "token": "p2pfolder2:…"?}` → 201 `{"path","folder","token","created"}`
/// - `GET` → `{"folders": [FolderStatus…]}`
/// - `GET /v1/sync/folders/token?path=/abs/dir` → `{"path","folder","token","created":false}`:
///   the token of a synced folder, to add it on another device.
/// - `DELETE ?path=/abs/dir` → `{"removed": "/abs/dir"}`; the files stay.
/// - `POST /v1/sync/folders/rescan?path=/abs/dir` → `{"path","seconds"}`: a full scan now,
///   answered when it has finished, with its duration.
/// - `GET /v1/sync/folders/versions?path=/abs/dir/file` → `{"path","folder","retentionSeconds","versions"}`.
/// - `POST /v1/sync/folders/restore?path=/abs/dir/file[&at=ms]` → `{"path","restored"}`; 404 when
///   no kept version answers, 409 when the file changed on disk since the last scan.
/// - `GET /v1/sync/folders/tree?folder=/abs/dir-or-id[&since=generation]` → `{"folder","generation","entries"}`:
///   the merged tree (`p2p mount --folder`); `"unchanged":true` and no entries when still `since`.
enum SyncRoutes {
    static let maximumRequestSize = 64 * 1024

    static func add<Context: RequestContext>(to router: some RouterMethods<Context>, service: SyncService) {
        router.post("v1/sync/folders") { request, context in
            let body = try await request.body.collect(upTo: maximumRequestSize)
            let requested: FolderAPIDocuments.AddRequest
            do {
                requested = try JSONDecoder().decode(FolderAPIDocuments.AddRequest.self, from: Data(buffer: body))
            } catch {
                throw APIError.badRequest("expected {\"path\": \"/absolute/dir\", \"token\": \"p2pfolder1:…\" (optional)}")
            }
            var given: FolderToken?
            if let text = requested.token {
                do { given = try FolderToken(parsing: text) } catch { throw APIError.badRequest("\(error)") }
            }
            let retention = requested.retentionSeconds ?? FolderAPIDocuments.defaultRetentionSeconds
            guard retention >= 0 else { throw APIError.badRequest("retentionSeconds must not be negative") }
            let token = try await mapped {
                try await service.add(path: requested.path, token: given, retentionSeconds: retention, onDemand: requested.onDemand ?? false)
            }
            return try JSONResponse.make(
                FolderAPIDocuments.Added(path: FolderAPIDocuments.normalizedPath(requested.path), folder: token.folderID, token: token.description, created: given == nil),
                status: .created)
        }
        router.get("v1/sync/folders") { _, _ in
            try JSONResponse.make(FolderAPIDocuments.Listing(folders: await service.status()))
        }
        router.get("v1/sync/folders/token") { request, _ in
            guard let path = request.uri.queryParameters.get("path") else { throw APIError.badRequest("missing ?path=") }
            let token = try await mapped { try await service.token(path: path) }
            return try JSONResponse.make(
                FolderAPIDocuments.Added(path: FolderAPIDocuments.normalizedPath(path), folder: token.folderID, token: token.description, created: false))
        }
        router.delete("v1/sync/folders") { request, _ in
            guard let path = request.uri.queryParameters.get("path") else { throw APIError.badRequest("missing ?path=") }
            try await mapped { try await service.remove(path: path) }
            return try JSONResponse.make(FolderAPIDocuments.Removed(removed: FolderAPIDocuments.normalizedPath(path)))
        }
        router.post("v1/sync/folders/rescan") { request, _ in
            guard let path = request.uri.queryParameters.get("path") else { throw APIError.badRequest("missing ?path=") }
            let elapsed = try await mapped { try await service.rescan(path: path) }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return try JSONResponse.make(FolderAPIDocuments.Rescanned(path: FolderAPIDocuments.normalizedPath(path), seconds: seconds))
        }
        router.get("v1/sync/folders/versions") { request, _ in
            guard let path = request.uri.queryParameters.get("path") else { throw APIError.badRequest("missing ?path=") }
            return try JSONResponse.make(try await mapped { try await service.versions(path: path) })
        }
        router.get("v1/sync/folders/tree") { request, _ in
            guard let folder = request.uri.queryParameters.get("folder") else { throw APIError.badRequest("missing ?folder=") }
            var tree = try await mapped { try await service.tree(folder: String(folder)) }
            if let since = request.uri.queryParameters.get("since").flatMap({ UInt64($0) }), since == tree.generation {
                tree.entries = []
                tree.unchanged = true
            }
            return try JSONResponse.make(tree)
        }
        router.post("v1/sync/folders/restore") { request, _ in
            guard let path = request.uri.queryParameters.get("path") else { throw APIError.badRequest("missing ?path=") }
            var at: Int64?
            if let text = request.uri.queryParameters.get("at") {
                guard let value = Int64(text), value >= 0 else { throw APIError.badRequest("at= must be milliseconds since 1970") }
                at = value
            }
            let restored = try await mapped { try await service.restore(path: path, at: at) }
            return try JSONResponse.make(FolderAPIDocuments.Restored(path: FolderAPIDocuments.normalizedPath(path), restored: restored))
        }
    }

    /// Sync errors as API errors: bad input is 400, an unknown folder 404.
    private static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as FolderSyncError {
            switch error {
            case .invalidToken, .invalidFolder: throw APIError.badRequest(error.description)
            case .unknownFolder, .noVersion: throw APIError.resourceNotFound(error.description)
            case .restoreRefused: throw APIError.conflict(error.description)
            default: throw error
            }
        }
    }
}
