import ChunkStore
import Codecs
import Logging
import NIOCore
import OpenSSLKit
import Records
import Transport
import Workers

/// Signed records (docs/records.md): publish to a key's N holders with a write quorum,
/// fetch and merge every signer's newest with read repair, keep what other peers publish
/// here, tell subscribers of news, and hand records over when the ring changes.
struct RecordService: Sendable {
    let placement: Placement
    /// Records held here, leases granted to subscribers, and this node's own subscriptions.
    let records: any RecordHolder
    let leases: RecordLeases
    let listeners: RecordListeners
    let calls: any PeerCalls
    let background: BackgroundTasks
    let nodeID: NodeID
    let configuration: RepairConfiguration
    let logger: Logger

    /// Stores the record on the N peers of its key's preference list (stand-ins as for chunks
    /// if a target is down); returns when W acknowledged, else throws
    /// `DataPathError.recordQuorumNotMet`. A holder keeps, per (key, signer), only the highest
    /// sequence: it refuses an invalid signature or oversize payload (RPC error 400) and
    /// acknowledges an equal or older sequence without replacing the newer one it keeps.
    /// Throws `DataPathError.invalidRecord` before sending anything if the record is invalid.
    func publishRecord(_ record: SignedRecord) async throws {
        if let reason = record.invalidity { throw DataPathError.invalidRecord(key: record.key, reason: reason) }
        let write = QuorumWrite(key: record.key, snapshot: placement.snapshot)
        guard !write.replicas.isEmpty else { throw DataPathError.noPeers }
        let outcome = await write.run(in: background, logger: logger) { peer, _ in
            try await self.store(record, on: peer)
        }
        guard outcome.acknowledged >= write.required else {
            throw DataPathError.recordQuorumNotMet(
                key: record.key, acknowledged: outcome.acknowledged, required: write.required, failures: outcome.failures)
        }
    }

    /// Asks the key's holders (all N, tolerating failures of up to N-1) and merges their
    /// answers: for each signer the valid record with the highest sequence. Invalid records
    /// are dropped and logged (warning, with peer and signer). Holders that returned an older
    /// or no entry get the newest in the background (read repair). Throws
    /// `DataPathError.recordsUnavailable` only if no holder answered. Sorted by signer.
    func fetchRecords(key: [UInt8]) async throws -> [SignedRecord] {
        guard key.count == SignedRecord.keySize else {
            throw DataPathError.invalidRecord(key: key, reason: "key of \(key.count) bytes, expected \(SignedRecord.keySize)")
        }
        let write = QuorumWrite(key: key, snapshot: placement.snapshot)
        guard !write.replicas.isEmpty else { throw DataPathError.noPeers }
        let holders = write.holders
        let answers = await withTaskGroup(of: (PlacementPeer, Result<[SignedRecord], Error>).self) { group in
            for holder in holders {
                group.addTask {
                    do { return (holder, .success(try await self.records(key: key, on: holder))) } catch { return (holder, .failure(error)) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var newest: [[UInt8]: SignedRecord] = [:]
        var held: [(PlacementPeer, [[UInt8]: UInt64])] = []
        var failures: [PeerFailure] = []
        for (holder, answer) in answers {
            switch answer {
            case .failure(let error):
                failures.append(PeerFailure(peer: holder.nodeID, error: error))
            case .success(let records):
                var sequences: [[UInt8]: UInt64] = [:]
                for record in records {
                    if let reason = record.key == key ? record.invalidity : "answered for another key" {
                        logger.warning("dropped an invalid record from a holder", metadata: [
                            "peer": "\(holder.nodeID.short)", "signer": "\(Hex.encode(record.signer).prefix(16))",
                            "key": "\(Hex.encode(key).prefix(16))", "reason": "\(reason)",
                        ])
                        continue
                    }
                    sequences[record.signer] = max(sequences[record.signer] ?? 0, record.sequence)
                    if record.sequence >= newest[record.signer]?.sequence ?? 0 { newest[record.signer] = record }
                }
                held.append((holder, sequences))
            }
        }
        guard !held.isEmpty else { throw DataPathError.recordsUnavailable(key: key, failures: failures) }
        let merged = newest.values.sorted { $0.signer.lexicographicallyPrecedes($1.signer) }
        for (holder, sequences) in held {
            let stale = merged.filter { record in sequences[record.signer].map { $0 < record.sequence } ?? true }
            if !stale.isEmpty { repair(stale, on: holder) }
        }
        return merged
    }

    /// Verifies and keeps a record that arrived here (from a publisher or a read repair), and
    /// tells subscribers of its key when it is news. Returns the sequence now kept.
    func acceptRecord(_ record: SignedRecord, from peer: String) async throws -> UInt64 {
        let metadata: Logger.Metadata = [
            "peer": "\(peer)", "signer": "\(Hex.encode(record.signer).prefix(16))", "key": "\(Hex.encode(record.key).prefix(16))",
        ]
        if let reason = record.invalidity {
            logger.warning("refused an invalid record", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            throw RPCError.badRequest("record under key \(Hex.encode(record.key).prefix(16)): \(reason)")
        }
        switch try await records.put(record) {
        case .stored:
            logger.debug("stored a record", metadata: metadata.merging(["sequence": "\(record.sequence)"]) { $1 })
            notifySubscribers(of: record.key)
            return record.sequence
        case .alreadyCurrent(let kept):
            logger.debug("record already current", metadata: metadata.merging(["offered": "\(record.sequence)", "kept": "\(kept)"]) { $1 })
            return kept
        case .keyFull(let limit):
            logger.info("refused a record: key full", metadata: metadata)
            throw RPCError(status: 413, message: "key \(Hex.encode(record.key).prefix(16)) already holds records of \(limit) signers")
        }
    }

    func store(_ record: SignedRecord, on peer: PlacementPeer) async throws {
        if peer.isSelf {
            _ = try await acceptRecord(record, from: "self")
            return
        }
        _ = try await calls.call(RecordMessages.Store(record), on: peer, timeout: .seconds(10))
    }

    /// Every record `peer` holds under `key`, page by page (at most 1,024 signers).
    private func records(key: [UInt8], on peer: PlacementPeer) async throws -> [SignedRecord] {
        if peer.isSelf { return try await records.records(key: key) }
        var all: [SignedRecord] = []
        var more = true
        while more && all.count < ChunkStore.maximumRecordsPerKey {
            let page = try await calls.call(RecordMessages.Fetch(key: key, after: all.last?.signer), on: peer, timeout: .seconds(10))
            // A page must move forward, or a broken peer could keep us asking forever.
            guard let last = page.records.last, all.last.map({ $0.signer.lexicographicallyPrecedes(last.signer) }) ?? true else { break }
            all += page.records
            more = page.more
        }
        return all
    }

    /// Read repair: gives `holder` the newer records it lacked, in the background.
    private func repair(_ stale: [SignedRecord], on holder: PlacementPeer) {
        background.spawn {
            for record in stale {
                do {
                    try await store(record, on: holder)
                    logger.info("record read repair", metadata: [
                        "peer": "\(holder.nodeID.short)", "signer": "\(Hex.encode(record.signer).prefix(16))", "sequence": "\(record.sequence)",
                    ])
                } catch {
                    logger.debug("record read repair failed", metadata: ["peer": "\(holder.nodeID.short)", "error": "\(error)"])
                }
            }
        }
    }
}
