import GRDB

/// The store's SQLite schema as named, append-only migrations.
///
/// A migration that has shipped is never edited: change the schema by appending a new one.
/// Every column is documented here and in `docs/storage.md`. Times are integer milliseconds
/// since the Unix epoch (UTC); ids are raw 32-byte BLOBs.
enum ChunkStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: chunk, peer, hint, meta") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2: records") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3: record endorsements") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4: segments") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5: leases and owned files") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("v6: retired segments") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("v7: pending releases") { db in
            try db.execute(sql: v7)
        }
        migrator.registerMigration("v8: released leases") { db in
            try db.execute(sql: v8)
        }
        // Foreign keys are off while a migration runs (GRDB checks them after it), so
        // dropping the old owned_file does not cascade into owned_chunk.
        migrator.registerMigration("v9: owned files by capability and source") { db in
            try db.execute(sql: v9)
        }
        return migrator
    }

    private static let v1 = """
        -- Chunks whose file is in place under chunks/ab/cd/<hex id>.
        CREATE TABLE chunk (
            -- SHA-256 of the chunk bytes (ciphertext); the file name in hex.
            id BLOB NOT NULL PRIMARY KEY CHECK (typeof(id) = 'blob' AND length(id) = 32),
            -- Length of the chunk file in bytes; the sum over all rows is the used capacity.
            size INTEGER NOT NULL CHECK (size >= 0),
            -- First 8 bytes of id as a big-endian unsigned integer with the top bit flipped,
            -- stored as a signed int64, so that SQL order on this column is ring order.
            ring_position INTEGER NOT NULL,
            -- When this peer stored the chunk (ms since the Unix epoch).
            stored_at INTEGER NOT NULL,
            -- When the bytes were last re-read and found to hash to id (ms); NULL = not since stored.
            last_verified INTEGER,
            -- When the chunk's lease runs out and it may be collected (ms); NULL = no lease recorded.
            lease_expiry INTEGER
        ) WITHOUT ROWID;
        -- Ring-range scans for anti-entropy and rebalancing.
        CREATE INDEX chunk_on_ring_position ON chunk(ring_position);
        -- Scrub picks the least recently verified chunks first (NULLs sort first).
        CREATE INDEX chunk_on_last_verified ON chunk(last_verified);

        -- The daemon's address book: every peer we know, persisted across restarts.
        CREATE TABLE peer (
            -- NodeID: SHA-256 of the peer certificate's SubjectPublicKeyInfo (DER).
            node_id BLOB NOT NULL PRIMARY KEY CHECK (typeof(node_id) = 'blob' AND length(node_id) = 32),
            -- host:port the peer advertises for peer traffic.
            address TEXT NOT NULL,
            -- Failure zone for placement; '' when unset.
            zone TEXT NOT NULL DEFAULT '',
            -- Capacity the peer announced, in bytes.
            capacity INTEGER NOT NULL CHECK (capacity >= 0),
            -- SWIM incarnation number; higher wins.
            incarnation INTEGER NOT NULL CHECK (incarnation >= 0),
            -- Membership state last known.
            state TEXT NOT NULL CHECK (state IN ('alive', 'suspect', 'dead', 'left')),
            -- When we last heard from the peer directly (ms); NULL = never.
            last_seen INTEGER
        ) WITHOUT ROWID;

        -- Hinted handoff: chunks stored here on behalf of a peer that was down.
        CREATE TABLE hint (
            -- The chunk to hand off; deleting the chunk deletes its hints.
            chunk_id BLOB NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
            -- NodeID of the peer the chunk belongs on (not a foreign key: the peer may be unknown here yet).
            peer_id BLOB NOT NULL CHECK (typeof(peer_id) = 'blob' AND length(peer_id) = 32),
            -- When the hint was recorded (ms).
            created_at INTEGER NOT NULL,
            PRIMARY KEY (chunk_id, peer_id)
        ) WITHOUT ROWID;
        -- Handoff walks the hints of one peer when it comes back.
        CREATE INDEX hint_on_peer_id ON hint(peer_id);

        -- Small facts about the store: format name, layout version, clean-shutdown flag.
        CREATE TABLE meta (
            -- Name of the fact (see MetaRecord.Key).
            key TEXT NOT NULL PRIMARY KEY,
            -- Its value, as text.
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES
            ('format', 'p2pstore-chunkstore'),
            ('layout_version', '1'),
            ('clean_shutdown', '0');
        """

    private static let v2 = """
        -- Signed mutable records (SignedRecord in the node engine): per (key, signer) only the
        -- highest sequence is kept. Signatures are verified before a row is written.
        CREATE TABLE records (
            -- The record's 32-byte place on the ring (placed like a chunk id).
            key BLOB NOT NULL CHECK (typeof(key) = 'blob' AND length(key) = 32),
            -- The signer's raw 32-byte Ed25519 public key.
            signer BLOB NOT NULL CHECK (typeof(signer) = 'blob' AND length(signer) = 32),
            -- The signer's sequence number, a u64 stored offset-binary (top bit flipped) as
            -- a signed int64, so SQL order is numeric order. Only ever replaced by a higher one.
            sequence INTEGER NOT NULL,
            -- The opaque payload (encrypted by the writer), at most 64 KiB.
            payload BLOB NOT NULL CHECK (typeof(payload) = 'blob' AND length(payload) <= 65536),
            -- Ed25519 signature over "p2p-record-v1" || key || signer || sequence || payload.
            signature BLOB NOT NULL CHECK (typeof(signature) = 'blob' AND length(signature) = 64),
            -- When this peer stored this version (ms since the Unix epoch).
            stored_at INTEGER NOT NULL,
            PRIMARY KEY (key, signer)
        ) WITHOUT ROWID;
        """

    private static let v3 = """
        -- Who may write under a key (RecordEndorsement): the key is SHA-256 of
        -- "p2p-record-key-v1" || owner, and the owner signs "p2p-endorse-v1" || key || signer.
        -- Rows from before (empty here) fail verification when read, and are dropped.
        ALTER TABLE records ADD COLUMN owner BLOB NOT NULL DEFAULT x'';
        ALTER TABLE records ADD COLUMN endorsement BLOB NOT NULL DEFAULT x'';
        """

    private static let v4 = """
        -- Layout 2: chunks are records in append-only segment files. NULL in both columns marks
        -- a chunk of layout 1 (its own file) until open moves it into a segment.
        -- The segment file's number (segments/<8 hex>.seg).
        ALTER TABLE chunk ADD COLUMN segment INTEGER;
        -- Offset of the chunk's record (its 40-byte header) in the segment.
        ALTER TABLE chunk ADD COLUMN segment_offset INTEGER;
        -- Live bytes per segment, for compaction; and rows to drop when a segment is cut.
        CREATE INDEX chunk_on_segment ON chunk(segment, segment_offset);

        -- One row per segment that has indexed records.
        CREATE TABLE segment (
            -- The file's number.
            number INTEGER NOT NULL PRIMARY KEY CHECK (number > 0),
            -- Every record before this offset is indexed (or was, and was deleted since); after a
            -- crash, open indexes or cuts the file's tail from here.
            indexed_end INTEGER NOT NULL CHECK (indexed_end >= 0)
        );
        """

    private static let v5 = """
        -- Garbage collection (docs/gc.md). From here chunk.lease_expiry is when the chunk's last
        -- lease ends: the latest expiry of its leases, or the moment the last one was released;
        -- the chunk is collected once that is more than the grace ago. NULL only for a chunk
        -- indexed by recovery, until recovery gives it a provisional lease.
        CREATE INDEX chunk_on_lease_expiry ON chunk(lease_expiry);

        -- The owners that keep a chunk, each until its lease's expiry.
        CREATE TABLE lease (
            -- The chunk; collecting it drops its leases.
            chunk_id BLOB NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
            -- NodeID of the peer that stored it; 32 zero bytes: a pin (chunks stored before
            -- leases, synced folders, chunks recovery re-indexed); 32 x 0xFF: a provisional lease.
            owner BLOB NOT NULL CHECK (typeof(owner) = 'blob' AND length(owner) = 32),
            -- When the lease ends unless renewed (ms since the Unix epoch).
            expiry INTEGER NOT NULL,
            PRIMARY KEY (chunk_id, owner)
        ) WITHOUT ROWID;
        -- Nothing stored before leases is ever collected: its owners are unknown.
        INSERT INTO lease (chunk_id, owner, expiry) SELECT id, zeroblob(32), 253402300799000 FROM chunk;
        UPDATE chunk SET lease_expiry = 253402300799000;

        -- What this peer stored as an owner, so that it can renew and release its leases.
        CREATE TABLE owned_file (
            id INTEGER PRIMARY KEY,
            -- The file's capability (p2p1:…): secret, like the home it is in.
            capability TEXT NOT NULL UNIQUE,
            -- Plaintext size in bytes.
            size INTEGER NOT NULL CHECK (size >= 0),
            -- When it was first stored (ms).
            stored_at INTEGER NOT NULL,
            -- How: 'put', or the synced folder's name.
            source TEXT NOT NULL
        );
        -- The chunks each owned file uses, manifest nodes included.
        CREATE TABLE owned_chunk (
            chunk_id BLOB NOT NULL CHECK (typeof(chunk_id) = 'blob' AND length(chunk_id) = 32),
            file INTEGER NOT NULL REFERENCES owned_file(id) ON DELETE CASCADE,
            PRIMARY KEY (chunk_id, file)
        ) WITHOUT ROWID;
        CREATE INDEX owned_chunk_on_file ON owned_chunk(file);
        """

    private static let v6 = """
        -- Compaction (docs/storage.md): segments whose records all live elsewhere now. A segment
        -- enters here, leaving the segment table, in the durable transaction after its last row
        -- moved, and leaves once its file is unlinked. Open unlinks any file still listed rather
        -- than re-indexing it, which would bring back the chunks deleted from it.
        CREATE TABLE retired_segment (
            -- The file's number (segments/<8 hex>.seg); numbers are never reused.
            number INTEGER NOT NULL PRIMARY KEY CHECK (number > 0)
        );
        """

    private static let v7 = """
        -- Releases an owner could not deliver (docs/gc.md): the peer was down when the file was
        -- removed. Retried at every renewal round until the peer answers; dropped for a chunk
        -- the owner stores again (a late release would end the new file's lease).
        CREATE TABLE pending_release (
            -- NodeID of the peer still to be told.
            peer BLOB NOT NULL CHECK (typeof(peer) = 'blob' AND length(peer) = 32),
            chunk_id BLOB NOT NULL CHECK (typeof(chunk_id) = 'blob' AND length(chunk_id) = 32),
            PRIMARY KEY (peer, chunk_id)
        ) WITHOUT ROWID;
        CREATE INDEX pending_release_on_chunk ON pending_release(chunk_id);
        """

    private static let v8 = """
        -- Leases an owner released here (docs/gc.md). A copy of the chunk from a holder that
        -- has not heard of the release yet carries the old lease; it must not revive it, or
        -- the chunk would spread back to every replica for a lease length. Kept for a lease
        -- length after the release: every lease granted before it has ended by then.
        CREATE TABLE released_lease (
            chunk_id BLOB NOT NULL CHECK (typeof(chunk_id) = 'blob' AND length(chunk_id) = 32),
            owner BLOB NOT NULL CHECK (typeof(owner) = 'blob' AND length(owner) = 32),
            -- Milliseconds since 1970, on this holder's clock.
            released_at INTEGER NOT NULL,
            PRIMARY KEY (chunk_id, owner)
        ) WITHOUT ROWID;
        CREATE INDEX released_lease_by_time ON released_lease(released_at);
        """

    private static let v9 = """
        -- A capability may be owned more than once: stored with `p2p put` and kept as a version
        -- of a synced folder (docs/gc.md, "Folder versions"). Each source holds its own row, so
        -- `p2p rm` ends the put's claim and leaves the folder's.
        CREATE TABLE owned_file_v9 (
            id INTEGER PRIMARY KEY,
            -- The file's capability (p2p1:…): secret, like the home it is in.
            capability TEXT NOT NULL,
            -- Plaintext size in bytes.
            size INTEGER NOT NULL CHECK (size >= 0),
            -- When it was first stored (ms).
            stored_at INTEGER NOT NULL,
            -- How: 'put', or 'folder:' and the synced folder's id.
            source TEXT NOT NULL,
            UNIQUE (capability, source)
        );
        INSERT INTO owned_file_v9 (id, capability, size, stored_at, source)
            SELECT id, capability, size, stored_at, source FROM owned_file;
        DROP TABLE owned_file;
        ALTER TABLE owned_file_v9 RENAME TO owned_file;
        CREATE INDEX owned_file_by_source ON owned_file(source);
        """
}
