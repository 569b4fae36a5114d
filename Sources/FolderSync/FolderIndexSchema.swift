import FolderKeys
import GRDB

/// The sync database's schema as named, append-only migrations (never edit a shipped
/// one). Times are milliseconds since 1970; 64-bit unsigned values are stored as their
/// signed bit pattern.
enum FolderIndexSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: folder, entry, device, stored_chunk") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2: index_page") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3: file versions and retention") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4: on-demand folders") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5: tombstones dropped") { db in
            try db.execute(sql: v5)
        }
        return migrator
    }

    private static let v1 = """
        -- The folders this device syncs. Their tokens are files sync/<id>.token (mode 0600).
        CREATE TABLE folder (
            -- FolderToken.folderID: 16 hex digits derived from the token.
            id TEXT NOT NULL PRIMARY KEY,
            -- Absolute path of the local folder.
            path TEXT NOT NULL UNIQUE,
            -- The last sequence number this device signed for its index record.
            sequence INTEGER NOT NULL DEFAULT 0,
            -- When the folder was added here (ms).
            added_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- This device's index of each folder: what it last saw on disk or applied.
        CREATE TABLE entry (
            folder TEXT NOT NULL REFERENCES folder(id) ON DELETE CASCADE,
            -- Relative, '/'-separated.
            path TEXT NOT NULL,
            -- 1 file, 2 directory, 3 symlink.
            kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
            -- Permission bits.
            mode INTEGER NOT NULL,
            -- File modification time (ns since 1970); 0 for directories and symlinks.
            modified_ns INTEGER NOT NULL,
            -- File size in bytes.
            size INTEGER NOT NULL,
            -- The file's capability; '' otherwise.
            capability TEXT NOT NULL,
            -- A symlink's target; '' otherwise.
            symlink_target TEXT NOT NULL,
            -- 1 for a tombstone: the path was deleted at this version.
            deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
            -- Version vector: (device u64, counter u64) pairs, big-endian.
            version BLOB NOT NULL,
            -- Short id of the device that made this version.
            modified_by INTEGER NOT NULL,
            -- Inode at the last scan or apply: a replaced file is a changed file.
            inode INTEGER NOT NULL,
            PRIMARY KEY (folder, path)
        ) WITHOUT ROWID;

        -- The other devices of each folder, as last applied from their records.
        CREATE TABLE device (
            folder TEXT NOT NULL REFERENCES folder(id) ON DELETE CASCADE,
            -- The device's 32-byte id (its record's signer).
            device BLOB NOT NULL CHECK (length(device) = 32),
            -- Sequence of the newest record applied; older records are ignored.
            sequence INTEGER NOT NULL,
            -- Capability of that record's folder index.
            index_capability TEXT NOT NULL,
            -- Entries in that index.
            entry_count INTEGER NOT NULL,
            -- When the device published it (ms, its clock).
            published_at INTEGER NOT NULL,
            -- When this device applied it (ms).
            seen_at INTEGER NOT NULL,
            PRIMARY KEY (folder, device)
        ) WITHOUT ROWID;

        -- Chunks this device already wrote to the network: a rename or an unchanged part
        -- of an edited file is not uploaded again.
        CREATE TABLE stored_chunk (
            id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 32)
        ) WITHOUT ROWID;
        """

    private static let v2 = """
        -- The pages of the other devices' index trees (docs/sync.md, "Publishing by pages"),
        -- decrypted: a pull fetches only the pages not held here. Exactly the pages of each
        -- device's last applied tree are kept (a new tree replaces the old one's), so the
        -- table is as large as those indexes. Since v2, device.index_capability holds
        -- 'pages:' and the root page's id for a tree.
        CREATE TABLE index_page (
            folder TEXT NOT NULL REFERENCES folder(id) ON DELETE CASCADE,
            -- The device whose tree holds the page.
            device BLOB NOT NULL CHECK (length(device) = 32),
            -- The page's chunk id (SHA-256 of its ciphertext).
            id BLOB NOT NULL CHECK (length(id) = 32),
            -- The page's plaintext, verified against its key again before use.
            plaintext BLOB NOT NULL,
            PRIMARY KEY (folder, device, id)
        );
        """

    private static let v3 = """
        -- How long a folder keeps the versions its files no longer have (docs/sync.md,
        -- "Versions"); 30 days unless set when the folder was added.
        ALTER TABLE folder ADD COLUMN retention_seconds INTEGER NOT NULL DEFAULT 2592000;

        -- File versions that are no longer current here: replaced by a newer version, or the
        -- file deleted. Recorded in the transaction that saves the entry replacing them; kept
        -- for the folder's retention, while this device holds references on their chunks.
        CREATE TABLE version (
            folder TEXT NOT NULL REFERENCES folder(id) ON DELETE CASCADE,
            -- Relative, '/'-separated.
            path TEXT NOT NULL,
            -- The version's capability.
            capability TEXT NOT NULL,
            -- Its size, permission bits and modification time (ns since 1970).
            size INTEGER NOT NULL,
            mode INTEGER NOT NULL,
            modified_ns INTEGER NOT NULL,
            -- Short id of the device that made the version.
            modified_by INTEGER NOT NULL,
            -- When this device saw it replaced (ms).
            superseded_at INTEGER NOT NULL,
            -- 1 when what replaced it was a deletion (or a directory or link).
            deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
            PRIMARY KEY (folder, path, superseded_at, capability)
        ) WITHOUT ROWID;
        CREATE INDEX version_by_time ON version(folder, superseded_at);
        """

    private static let v4 = """
        -- 1 for a folder followed on demand (docs/mount.md): its devices' indexes are read,
        -- nothing is written to its path, and `p2p mount --folder` shows the merged tree.
        ALTER TABLE folder ADD COLUMN on_demand INTEGER NOT NULL DEFAULT 0 CHECK (on_demand IN (0, 1));
        """

    private static let v5 = """
        -- The highest version counter of a tombstone this device dropped from its index
        -- (docs/sync.md, "Tombstones"): a path created again starts above it.
        ALTER TABLE folder ADD COLUMN counter_floor INTEGER NOT NULL DEFAULT 0;
        -- When this device last published its index record of the folder (ms; 0: never):
        -- a device silent for longer than the others wait checks before publishing again
        -- (docs/sync.md, "Away longer than the retention").
        ALTER TABLE folder ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
        """
}
