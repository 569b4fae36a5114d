import Codecs
import Foundation
import Logging

/// Signed records' part of each repair pass (docs/repair.md). For every key held here:
/// a holder runs a fetch, whose read repair gives every holder the newest record of each
/// signer (every holder that has the key does, as the others may lack it entirely: a few
/// fetches per key and pass, records being few and small); a peer that holds records of a key it no longer owns (a stand-in,
/// or an owner before the ring changed) pushes them to the owners and drops its copy once
/// every owner, all alive, acknowledged. Publishers republishing remain the last line.
extension RecordService {
    func repairPass() async {
        var pages = RatePacer(rate: configuration.pagesPerSecond)
        var cursor: [UInt8]?
        while !Task.isCancelled {
            let keys: [[UInt8]]
            do {
                keys = try await records.keys(after: cursor, limit: configuration.pageSize)
            } catch {
                logger.warning("repair cannot read the record index", metadata: ["error": "\(error)"])
                return
            }
            guard let last = keys.last else { return }
            cursor = last
            for key in keys where !Task.isCancelled { await repairRecords(key: key) }
            await pages.pace(after: 1)
            if keys.count < configuration.pageSize { return }
        }
    }

    private func repairRecords(key: [UInt8]) async {
        let snapshot = placement.snapshot
        let write = QuorumWrite(key: key, snapshot: snapshot)
        let holders = write.holders
        if holders.contains(where: \.isSelf) {
            _ = try? await fetchRecords(key: key)
            return
        }
        guard !holders.contains(where: \.isSelf), let held = try? await records.records(key: key), !held.isEmpty else { return }
        let owners = write.replicas.map(\.target)
        let complete = owners.count >= min(snapshot.replicas, snapshot.peers.count) && owners.allSatisfy { $0.state == .alive }
        for record in held {
            var acknowledged = 0
            for owner in holders {
                do {
                    try await store(record, on: owner)
                    acknowledged += 1
                } catch {
                    logger.debug("record hand-over failed", metadata: ["peer": "\(owner.nodeID.short)", "error": "\(error)"])
                }
            }
            guard complete, acknowledged == owners.count else { continue }
            do {
                try await records.remove(record)
                logger.info("handed a record over to its owners", metadata: [
                    "key": "\(Hex.encode(key).prefix(16))", "signer": "\(Hex.encode(record.signer).prefix(16))",
                ])
            } catch {
                logger.warning("cannot drop a handed-over record", metadata: ["error": "\(error)"])
            }
        }
    }
}
