import Foundation
import Home

/// What `p2p put -r` stored before, so that a file unchanged since is neither read nor sent
/// again: (device, inode, size, mtime, ctime) → capability, kept in the home as
/// `put-r.cache` (mode 0600: capabilities are secrets). A capability is reused only while
/// this peer still owns it (`GET /v1/files`), so a file removed with `p2p rm` meanwhile is
/// stored again rather than named with chunks that may be gone.
struct PutCache {
    /// Most entries kept; past it, only the ones this run used.
    static let maximumEntries = 1_000_000

    let path: String
    private var known: [String: String]
    private var used: [String: String] = [:]

    /// The cache of `home`; empty when there is none or it cannot be read.
    init(home: PeerHome) {
        path = home.file("put-r.cache")
        let data = FileManager.default.contents(atPath: path) ?? Data()
        known = (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }

    /// The key of a file as `lstat` describes it.
    static func key(_ info: stat) -> String {
        "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    /// The capability stored for `key`, if this peer still owns it.
    mutating func capability(for key: String, owned: Set<String>) -> String? {
        guard let cap = known[key], owned.contains(cap) else { return nil }
        used[key] = cap
        return cap
    }

    mutating func record(_ cap: String, for key: String) {
        used[key] = cap
    }

    /// Writes the entries this run used and, within the bound, the earlier ones still owned.
    func save(owned: Set<String>) throws {
        var kept = used
        if known.count + used.count <= Self.maximumEntries {
            for (key, cap) in known where kept[key] == nil && owned.contains(cap) { kept[key] = cap }
        }
        let file = try TemporaryFile(finalPath: path, mode: 0o600)
        let bytes = try JSONEncoder().encode(kept)
        do {
            try bytes.withUnsafeBytes { try file.write($0) }
        } catch {
            file.discard()
            throw error
        }
        try file.commit()
    }
}
