import APIModel
import Foundation
import GRDB

/// The sync database (`sync/sync.sqlite` in the home, WAL): the folders, this device's
/// index of each, the other devices last applied, and which chunks are already stored.
/// One store type over any GRDB writer: a `DatabasePool` in a home, an in-memory
/// `DatabaseQueue` in tests.
public final class FolderIndexStore: Sendable {
    let database: any DatabaseWriter

    /// A registered folder.
    public struct Folder: Sendable, Hashable {
        public var id: String
        public var path: String
        public var sequence: UInt64
        /// How long versions no longer current are kept.
        public var retentionSeconds: Int
        /// Followed on demand: nothing is written to `path` (`p2p mount --folder`).
        public var onDemand = false
    }

    /// Another device of a folder, as last applied.
    public struct Device: Sendable, Hashable {
        public var device: [UInt8]
        public var sequence: UInt64
        public var indexCapability: String
        public var entryCount: Int
        public var publishedMilliseconds: Int64
        public var seenMilliseconds: Int64
    }

    /// The store in the SQLite file at `path` (WAL, every commit synced).
    public convenience init(path: String) throws {
        try self.init(database: DatabasePool(path: path, configuration: Self.configuration))
    }

    /// A store that lives in memory only, gone when released (tests).
    public static func inMemory() throws -> FolderIndexStore {
        try FolderIndexStore(database: DatabaseQueue(configuration: configuration))
    }

    init(database: any DatabaseWriter) throws {
        self.database = database
        try FolderIndexSchema.migrator.migrate(database)
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return configuration
    }

    // MARK: folders

    public func folders() throws -> [Folder] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, path, sequence, retention_seconds, on_demand FROM folder ORDER BY path").map {
                Folder(
                    id: $0["id"], path: $0["path"], sequence: UInt64(bitPattern: $0["sequence"]),
                    retentionSeconds: $0["retention_seconds"], onDemand: $0["on_demand"])
            }
        }
    }

    public func addFolder(
        id: String, path: String, retentionSeconds: Int = FolderAPIDocuments.defaultRetentionSeconds, onDemand: Bool = false
    ) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO folder (id, path, added_at, retention_seconds, on_demand) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, path, Self.now(), retentionSeconds, onDemand])
        }
    }

    public func removeFolder(id: String) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM folder WHERE id = ?", arguments: [id]) }
    }

    /// Reserves the next sequence number for this device's record of `folder`.
    public func nextSequence(folder: String) throws -> UInt64 {
        try database.write { db in
            try db.execute(sql: "UPDATE folder SET sequence = sequence + 1 WHERE id = ?", arguments: [folder])
            let value = try Int64.fetchOne(db, sql: "SELECT sequence FROM folder WHERE id = ?", arguments: [folder]) ?? 0
            return UInt64(bitPattern: value)
        }
    }

    /// Makes the next reserved sequence number greater than `sequence` (one this device
    /// already used, as the network shows).
    public func raiseSequence(folder: String, past sequence: UInt64) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE folder SET sequence = ? WHERE id = ? AND sequence < ?",
                arguments: [Int64(bitPattern: sequence), folder, Int64(bitPattern: sequence)])
        }
    }

    // MARK: entries

    public func entries(folder: String) throws -> [PathKey: LocalEntry] {
        try database.read { db in
            var result: [PathKey: LocalEntry] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM entry WHERE folder = ?", arguments: [folder])
            while let row = try rows.next() {
                let entry = IndexEntry(
                    path: row["path"], kind: IndexEntry.Kind(rawValue: row["kind"]) ?? .file, mode: row["mode"],
                    modifiedNanoseconds: row["modified_ns"], size: UInt64(bitPattern: row["size"]),
                    capability: row["capability"], symlinkTarget: row["symlink_target"], deleted: row["deleted"],
                    version: Self.version(row["version"]), modifiedBy: UInt64(bitPattern: row["modified_by"]))
                result[PathKey(entry.path)] = LocalEntry(entry: entry, inode: UInt64(bitPattern: row["inode"]))
            }
            return result
        }
    }

    /// Removes the tombstones at `paths` (nothing else: a path live again meanwhile stays)
    /// and raises the folder's counter floor to `floor`, in one transaction.
    public func dropTombstones(folder: String, paths: [String], floor: UInt64) throws {
        guard !paths.isEmpty else { return }
        try database.write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM entry WHERE folder = ? AND path = ? AND deleted = 1")
            for path in paths { try delete.execute(arguments: [folder, path]) }
            try db.execute(
                sql: "UPDATE folder SET counter_floor = max(counter_floor, ?) WHERE id = ?",
                arguments: [Int64(bitPattern: min(floor, UInt64(Int64.max))), folder])
        }
    }

    /// Records that this device's record of `folder` was published at `milliseconds`.
    public func markPublished(folder: String, at milliseconds: Int64) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE folder SET published_at = ? WHERE id = ?", arguments: [milliseconds, folder])
        }
    }

    /// When this device last published its record of `folder` (ms; 0: never).
    public func lastPublished(folder: String) throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT published_at FROM folder WHERE id = ?", arguments: [folder]) ?? 0 }
    }

    /// The highest version counter of a tombstone dropped from `folder`'s index.
    public func counterFloor(folder: String) throws -> UInt64 {
        try database.read { db in
            UInt64(bitPattern: try Int64.fetchOne(db, sql: "SELECT counter_floor FROM folder WHERE id = ?", arguments: [folder]) ?? 0)
        }
    }

    /// Records changed entries in one transaction. A file version an entry replaces (a new
    /// content, a deletion) is kept as a version of the file, superseded `now`.
    public func save(folder: String, _ changed: [LocalEntry], now: Int64? = nil) throws {
        guard !changed.isEmpty else { return }
        let now = now ?? Self.now()
        try database.write { db in
            let previous = try db.cachedStatement(sql: """
                SELECT capability, size, mode, modified_ns, modified_by FROM entry
                WHERE folder = ? AND path = ? AND kind = 1 AND deleted = 0 AND capability != ''
                """)
            let keep = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO version (folder, path, capability, size, mode, modified_ns, modified_by, superseded_at, deleted)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for local in changed {
                let entry = local.entry
                guard let old = try Row.fetchOne(previous, arguments: [folder, entry.path]) else { continue }
                let replaced = entry.deleted || entry.kind != .file
                guard replaced || (old["capability"] as String) != entry.capability else { continue }
                try keep.execute(arguments: [
                    folder, entry.path, old["capability"], old["size"], old["mode"], old["modified_ns"], old["modified_by"], now,
                    replaced,
                ])
            }
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO entry (folder, path, kind, mode, modified_ns, size, capability, symlink_target,
                    deleted, version, modified_by, inode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for local in changed {
                let entry = local.entry
                try statement.execute(arguments: [
                    folder, entry.path, entry.kind.rawValue, entry.mode, entry.modifiedNanoseconds, Int64(bitPattern: entry.size),
                    entry.capability, entry.symlinkTarget, entry.deleted, Self.encode(entry.version),
                    Int64(bitPattern: entry.modifiedBy), Int64(bitPattern: local.inode),
                ])
            }
        }
    }

    // MARK: versions

    /// The versions of `path` no longer current here, newest first.
    public func versions(folder: String, path: String) throws -> [FolderAPIDocuments.Version] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM version WHERE folder = ? AND path = ? ORDER BY superseded_at DESC, capability",
                arguments: [folder, path]
            ).map(Self.fileVersion(row:))
        }
    }

    /// Forgets the versions superseded before `cutoff` (ms); returns how many.
    @discardableResult
    public func dropVersions(folder: String, supersededBefore cutoff: Int64) throws -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM version WHERE folder = ? AND superseded_at < ?", arguments: [folder, cutoff])
            return db.changesCount
        }
    }

    /// When the oldest kept version was superseded (ms), or nil when none is kept.
    public func oldestVersion(folder: String) throws -> Int64? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(superseded_at) FROM version WHERE folder = ?", arguments: [folder])
        }
    }

    /// Every capability the folder keeps here, current or an older version, with its size:
    /// what this device holds references on.
    public func capabilitiesInUse(folder: String) throws -> [String: UInt64] {
        try database.read { db in
            var found: [String: UInt64] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT capability, size FROM entry WHERE folder = ? AND kind = 1 AND deleted = 0 AND capability != ''
                UNION SELECT capability, size FROM version WHERE folder = ?
                """, arguments: [folder, folder])
            while let row = try rows.next() { found[row[0]] = UInt64(bitPattern: row[1]) }
            return found
        }
    }

    static func fileVersion(row: Row) -> FolderAPIDocuments.Version {
        FolderAPIDocuments.Version(
            path: row["path"], capability: row["capability"], size: UInt64(bitPattern: row["size"]), mode: row["mode"],
            modifiedNanoseconds: row["modified_ns"], modifiedBy: DeviceShortID(bitPattern: row["modified_by"] as Int64).label,
            supersededMilliseconds: row["superseded_at"] as Int64, deleted: row["deleted"])
    }

    // MARK: devices

    public func devices(folder: String) throws -> [Device] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM device WHERE folder = ? ORDER BY device", arguments: [folder]).map {
                Device(
                    device: [UInt8]($0["device"] as Data), sequence: UInt64(bitPattern: $0["sequence"]),
                    indexCapability: $0["index_capability"], entryCount: $0["entry_count"],
                    publishedMilliseconds: $0["published_at"], seenMilliseconds: $0["seen_at"])
            }
        }
    }

    public func saveDevice(folder: String, _ device: Device) throws {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO device (folder, device, sequence, index_capability, entry_count, published_at, seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    folder, Data(device.device), Int64(bitPattern: device.sequence), device.indexCapability, device.entryCount,
                    device.publishedMilliseconds, device.seenMilliseconds,
                ])
        }
    }

    // MARK: stored chunks

    public func storedChunks() throws -> Set<[UInt8]> {
        try database.read { db in
            var found: Set<[UInt8]> = []
            let ids = try Data.fetchCursor(db, sql: "SELECT id FROM stored_chunk")
            while let id = try ids.next() { found.insert([UInt8](id)) }
            return found
        }
    }

    /// Forgets chunks as stored: their leases were released, so they may be collected and
    /// must be sent again when a file uses them.
    public func forgetStored(_ ids: [[UInt8]]) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM stored_chunk WHERE id = ?")
            for id in ids { try statement.execute(arguments: [Data(id)]) }
        }
    }

    public func markStored(_ ids: [[UInt8]]) throws {
        guard !ids.isEmpty else { return }
        try database.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO stored_chunk (id) VALUES (?)")
            for id in ids { try statement.execute(arguments: [Data(id)]) }
        }
    }

    // MARK: encoding

    static func encode(_ version: VersionVector) -> Data {
        var data = Data(capacity: version.counters.count * 16)
        for counter in version.counters {
            withUnsafeBytes(of: counter.device.bigEndian) { data.append(contentsOf: $0) }
            withUnsafeBytes(of: counter.value.bigEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func version(_ data: Data) -> VersionVector {
        let bytes = [UInt8](data)
        var counters: [VersionVector.Counter] = []
        var offset = 0
        func number(_ at: Int) -> UInt64 { bytes[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        while offset + 16 <= bytes.count {
            counters.append(VersionVector.Counter(device: number(offset), value: number(offset + 8)))
            offset += 16
        }
        return VersionVector(counters)
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
