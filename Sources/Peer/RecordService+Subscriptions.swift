import Codecs
import NIOCore
import Records
import Ring
import Transport
import Workers

extension RecordService {
    /// Local subscription to a record key: the stream yields the key each time a holder tells
    /// this node that a newer record was stored under it. Subscribing registers a lease
    /// (90 s) at the key's current holders, renewed every 30 s while the stream lives (so a
    /// change of holders is picked up within one renewal). Ending iteration cancels the
    /// subscription. A key that is not 32 bytes gives a stream that ends at once.
    func subscribeRecords(key: [UInt8]) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(16))
        guard key.count == SignedRecord.keySize else {
            continuation.finish()
            return stream
        }
        let id = listeners.add(key: key, continuation)
        let ended = WorkerTrigger()
        let started = background.spawn {
            repeat {
                await registerLease(key: key, duration: RecordLeases.duration)
            } while !(await ended.wait(atLeast: .zero, atMost: RecordLeases.renewalInterval)) && !Task.isCancelled
        }
        if !started { continuation.finish() }
        continuation.onTermination = { _ in
            ended.fire()
            if listeners.remove(key: key, id: id) == 0 {
                background.spawn { await registerLease(key: key, duration: .zero) }
            }
        }
        return stream
    }

    /// Asks every current holder of `key` for a lease of `duration` (zero cancels); best effort.
    func registerLease(key: [UInt8], duration: Duration) async {
        let holders = QuorumWrite(key: key, snapshot: placement.snapshot).holders
        let seconds = UInt32(duration.components.seconds)
        await withTaskGroup(of: Void.self) { group in
            for holder in holders {
                group.addTask {
                    if holder.isSelf {
                        _ = leases.grant(key: key, to: nodeID, for: duration, now: .now)
                        return
                    }
                    do {
                        try await calls.call(RecordMessages.Subscribe(key: key, leaseSeconds: seconds), on: holder, timeout: .seconds(5))
                    } catch {
                        logger.debug("record lease request failed", metadata: ["peer": "\(holder.nodeID.short)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    /// Sends a notify (just the key) to every peer with a live lease on `key`: fire and
    /// forget, short timeout. A subscriber that answers 404 no longer listens; its lease ends.
    func notifySubscribers(of key: [UInt8]) {
        let subscribers = leases.subscribers(of: key, now: .now)
        guard !subscribers.isEmpty else { return }
        let snapshot = placement.snapshot
        for subscriber in subscribers {
            if subscriber == nodeID {
                if !listeners.deliver(key) { leases.cancel(key: key, subscriber: subscriber) }
                continue
            }
            guard let peer = snapshot.peers[subscriber.identifier], peer.isUsable else { continue }
            background.spawn {
                do {
                    try await calls.call(RecordMessages.Notify(key: key), on: peer, timeout: .seconds(2))
                } catch TransportError.remote(404, _) {
                    leases.cancel(key: key, subscriber: subscriber)
                } catch {
                    logger.debug("record notify failed", metadata: ["peer": "\(peer.nodeID.short)", "error": "\(error)"])
                }
            }
        }
    }
}
