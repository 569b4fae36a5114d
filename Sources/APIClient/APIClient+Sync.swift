import APIModel
import Foundation

extension APIClient {
    /// `GET /v1/sync/folders/tree?folder=`: the merged tree of a synced folder (its path or id);
    /// with `since`, an answer without entries (`unchanged`) when the tree is still that generation.
    public func folderTree(folder: String, since generation: UInt64? = nil) async throws -> FolderAPIDocuments.Tree {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        let query = folder.addingPercentEncoding(withAllowedCharacters: allowed) ?? folder
        return try decodeDocument(FolderAPIDocuments.Tree.self, from: try await request(.GET, "/v1/sync/folders/tree?folder=\(query)" + (generation.map { "&since=\($0)" } ?? "")))
    }
}
