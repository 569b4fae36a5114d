import ChunkStore
import Content
import Logging
import NIOCore
import Transport
import Workers

/// The data path of a peer acting as coordinator: files are encoded into chunks that go to
/// their replicas (`ReplicatedWriter`), read back from whichever replicas answer
/// (`ReplicatedReader`), and located on the peers that hold them.
struct ChunkCoordinator: Sendable {
    /// Chunks a put or a get keeps in flight: enough that the replicas' group commits take
    /// several at once and round trips overlap (about 4 MiB at 256 KiB chunks; the daemon's
    /// memory stays bounded by twice that per transfer).
    static let chunksInFlight = 16

    let placement: Placement
    let local: any ChunkHolder
    let calls: any PeerCalls
    /// Answer times per peer: reads ask the nearest replica first.
    let latencies: PeerLatencies
    let background: BackgroundTasks
    let logger: Logger
    /// Chunks read from other peers, kept for the next read (nil: no cache).
    var cache: ChunkCache? = nil
    /// Decoded manifest nodes, shared by every read of this peer (range reads of big files).
    let manifests = ManifestNodeCache(capacityBytes: 64 << 20)

    /// The write path, each copy carrying `leases`.
    func writer(leases: [ChunkLease]) -> ReplicatedWriter {
        ReplicatedWriter(
            placement: placement, local: local, calls: calls, background: background, logger: logger, timeout: .seconds(30),
            leases: leases)
    }

    var reader: ReplicatedReader {
        ReplicatedReader(
            placement: placement, local: local, calls: calls, background: background, logger: logger, timeout: .seconds(30),
            hedgeDelay: .milliseconds(200), latencies: latencies, cache: cache)
    }

    /// Encodes files into this network with `cipher`: chunks are encrypted here and go to
    /// `sink` (the write path, `writer(leases:)`, or a sink around it).
    func fileEncoder(cipher: ConvergentCipher, sink: any ChunkSink) -> FileEncoder {
        FileEncoder(sink: sink, cipher: cipher, maxChunksInFlight: Self.chunksInFlight)
    }

    /// Decodes files from this network, whichever peers hold their chunks.
    func fileDecoder() -> FileDecoder {
        var decoder = FileDecoder(source: reader, maxChunksInFlight: Self.chunksInFlight)
        decoder.nodeCache = manifests
        return decoder
    }

    /// Which peers hold each of `ids`, asked of every usable peer (diagnostic, `p2p locate`).
    func locate(_ requested: [ChunkID]) async -> [ChunkID: [NodeID]] {
        // A file may repeat a chunk; each is asked about once.
        var seen = Set<ChunkID>()
        let ids = requested.filter { seen.insert($0).inserted }
        var holders: [ChunkID: [NodeID]] = [:]
        for peer in placement.snapshot.peers.values where peer.isUsable {
            var held: [ChunkHolding] = []
            if peer.isSelf {
                held = (try? await local.holdings(ids)) ?? []
            } else if let answer = try? await calls.call(ChunkMessages.Has(ids: ids), on: peer, timeout: .seconds(10)) {
                held = answer
            }
            for (id, holding) in zip(ids, held) where holding.isHeld { holders[id, default: []].append(peer.nodeID) }
        }
        return holders
    }
}
