import Codecs
import NIOCore
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
            while !Task.isCancelled {
                await self.registerLease(key: key, duration: RecordLeases.duration)
                try? await Task.sleep(for: RecordLeases.renewalInterval)  // the lease renewal period
            }
        }
        continuation.onTermination = { _ in
            renewal.cancel()
            if self.listeners.remove(key: key, id: id) == 0 {
                Task { await self.registerLease(key: key, duration: .zero) }
            }
        }
        return stream
    }

    /// Asks every current holder of `key` for a lease of `duration` (zero cancels); best effort.
    nonisolated func registerLease(key: [UInt8], duration: Duration) async {
        let write = QuorumWrite(key: key, snapshot: placement.snapshot)
        let holders = write.replicas.compactMap { $0.target.isUsable ? $0.target : $0.standIns.first }
        let seconds = UInt32(duration.components.seconds)
        await withTaskGroup(of: Void.self) { group in
            for holder in holders {
                group.addTask {
                    if holder.isSelf {
                        _ = self.leases.grant(key: key, to: self.nodeID, for: duration, now: .now)
                        return
                    }
                    do {
                        let connection = try await self.pool.connection(to: holder.address)
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
                    let connection = try await pool.connection(to: peer.address)
                    _ = try await connection.call(PeerMethod.notifyRecord, RecordMessages.notify(key: key), timeout: .seconds(2))
                } catch TransportError.remote(404, _) {
                    leases.cancel(key: key, subscriber: subscriber)
                } catch {
                    logger.debug("record notify failed", metadata: ["peer": "\(peer.nodeID.short)", "error": "\(error)"])
                }
            }
        }
    }

    /// Answers the record RPCs (methods 0x03xx) for `PeerService`.
    nonisolated func answerRecordRequest(_ request: RPCRequest) async throws -> ByteBuffer {
        switch request.method {
        case PeerMethod.storeRecord:
            let record = try parse { () throws(ChunkMessageError) in try RecordMessages.parseStore(request.payload) }
            return RecordMessages.stored(sequence: try await acceptRecord(record, from: request.peer.short))
        case PeerMethod.fetchRecords:
            let (key, after) = try parse { () throws(ChunkMessageError) in try RecordMessages.parseFetch(request.payload) }
            let held = try await records.records(key: key, after: after, limit: RecordMessages.maximumPageCount)
            var page: [SignedRecord] = []
            var size = 0
            for record in held {
                let encodedSize = record.payload.count + SignedRecord.maximumEncodedSize - SignedRecord.maxPayloadSize
                if !page.isEmpty && size + encodedSize > RecordMessages.pageBudget { break }
                page.append(record)
                size += encodedSize
            }
            return RecordMessages.page(page, more: page.count < held.count)
        case PeerMethod.subscribeRecords:
            let (key, seconds) = try parse { () throws(ChunkMessageError) in try RecordMessages.parseSubscribe(request.payload) }
            guard leases.grant(key: key, to: request.peer, for: .seconds(Int(seconds)), now: .now) else {
                logger.info("refused a record lease: too many", metadata: ["peer": "\(request.peer.short)"])
                throw RPCError.busy("too many record leases")
            }
            return ByteBuffer()
        case PeerMethod.notifyRecord:
            let key = try parse { () throws(ChunkMessageError) in try RecordMessages.parseNotify(request.payload) }
            guard listeners.deliver(key) else { throw RPCError.notFound("no subscription to key \(Hex.encode(key).prefix(16))") }
            return ByteBuffer()
        default:
            throw RPCError.unknownMethod(request.method)
        }
    }

    private nonisolated func parse<T>(_ body: () throws(ChunkMessageError) -> T) throws -> T {
        do { return try body() } catch { throw RPCError.badRequest(error.reason) }
    }
}
