import Content
import Foundation
import GRDB

extension FolderIndexStore {
    /// The cached pages of one device's last applied index tree, by id (unverified).
    func indexPages(folder: String, device: [UInt8]) throws -> [ChunkID: [UInt8]] {
        try database.read { db in
            var pages: [ChunkID: [UInt8]] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, plaintext FROM index_page WHERE folder = ? AND device = ?", arguments: [folder, Data(device)])
            while let row = try rows.next() {
                if let id = ChunkID(bytes: [UInt8](row["id"] as Data)) { pages[id] = [UInt8](row["plaintext"] as Data) }
            }
            return pages
        }
    }

    /// Makes the cache hold exactly the pages of a device's new tree: adds (or replaces)
    /// `added`, drops every page not in `tree`. One transaction.
    func replaceIndexPages(folder: String, device: [UInt8], tree: Set<ChunkID>, added: [(id: ChunkID, plaintext: [UInt8])]) throws {
        try database.write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO index_page (folder, device, id, plaintext) VALUES (?, ?, ?, ?)")
            for page in added {
                try insert.execute(arguments: [folder, Data(device), Data(page.id.bytes), Data(page.plaintext)])
            }
            let held = try Data.fetchAll(
                db, sql: "SELECT id FROM index_page WHERE folder = ? AND device = ?", arguments: [folder, Data(device)])
            let delete = try db.cachedStatement(sql: "DELETE FROM index_page WHERE folder = ? AND device = ? AND id = ?")
            for id in held where !(ChunkID(bytes: [UInt8](id)).map(tree.contains) ?? false) {
                try delete.execute(arguments: [folder, Data(device), id])
            }
        }
    }
}
