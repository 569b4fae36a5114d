import Codecs
import NIOCore
import Records
import Ring
import Transport

extension PeerNode {
    /// Local subscription to a record key: the stream yields the key each time a holder tells
    /// this node that a newer record was stored under it. Subscribing registers a lease
    /// (90 s) at the key's current holders, renewed every 30 s while the stream lives (so a
    /// change of holders is picked up within one renewal). Ending iteration cancels the
    /// subscription. A key that is not 32 bytes gives a stream that ends at once.
    public nonisolated func subscribeRecords(key: [UInt8]) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(16))
        guard key.count == SignedRecord.keySize else {
            continuation.finish()
            return stream
        }
        let id = listeners.add(key: key, continuation)
        let renewal = Task {
            while !Task.isCancelled, await !self.isStopped {
                await self.registerLease(key: key, duration: RecordLeases.duration)
                try? await Task.sleep(for: RecordLeases.renewalInterval)  // the lease renewal period
            }
        }
        continuation.onTermination = { _ in
            renewal.cancel()
            if self.listeners.remove(key: key, id: id) == 0 {
                Task { if await !self.isStopped { await self.registerLease(key: key, duration: .zero) } }
            }
        }
        return stream
    }

    /// Asks every current holder of `key` for a lease of `duration` (zero cancels); best effort.
    nonisolated func registerLease(key: [UInt8], duration: Duration) async {
        let holders = QuorumWrite(key: key, snapshot: placement.snapshot).holders
        let seconds = UInt32(duration.components.seconds)
        await withTaskGroup(of: Void.self) { group in
            for holder in holders {
                group.addTask {
                    if holder.isSelf {
                        _ = self.leases.grant(key: key, to: self.nodeID, for: duration, now: .now)
                        return
                    }
                    do {
                        let connection = try await self.pool.connection(to: holder)
                        _ = try await connection.call(
                            PeerMethod.subscribeRecords, RecordMessages.subscribe(key: key, leaseSeconds: seconds), timeout: .seconds(5))
                    } catch {
                        self.logger.debug("record lease request failed", metadata: ["peer": "\(holder.nodeID.short)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    /// Sends a notify (just the key) to every peer with a live lease on `key`: fire and
    /// forget, short timeout. A subscriber that answers 404 no longer listens; its lease ends.
    nonisolated func notifySubscribers(of key: [UInt8]) {
        let subscribers = leases.subscribers(of: key, now: .now)
        guard !subscribers.isEmpty else { return }
        let snapshot = placement.snapshot
        for subscriber in subscribers {
            if subscriber == nodeID {
                if !listeners.deliver(key) { leases.cancel(key: key, subscriber: subscriber) }
                continue
            }
            guard let ringID = RingNodeID(bytes: subscriber.bytes), let peer = snapshot.peers[ringID], peer.isUsable else { continue }
            Task {
                do {
                    let connection = try await pool.connection(to: peer)
                    _ = try await connection.call(PeerMethod.notifyRecord, RecordMessages.notify(key: key), timeout: .seconds(2))
                } catch TransportError.remote(404, _) {
                    leases.cancel(key: key, subscriber: subscriber)
                } catch {
                    logger.debug("record notify failed", metadata: ["peer": "\(peer.nodeID.short)", "error": "\(error)"])
                }
            }
        }
    }
}
