import Synchronization

/// Decoded manifest nodes, kept for the next read of the same file: a range read (a
/// mount's window, a seek) loads the root and one node per level, and the root of a large
/// file holds up to 14,000 entries, so decoding it for every range would cost more than
/// the range. Nodes are immutable (content-addressed) and were verified when decoded.
///
/// Keyed by the whole `ChunkReference`, id and key: a request that names the right id
/// with a wrong key must fail to decrypt, never be answered from here. Bounded by the
/// nodes' encoded size; the least recently used go first.
public final class ManifestNodeCache: Sendable {
    public let capacityBytes: Int

    private struct State {
        var nodes: [ChunkReference: (node: FileManifestNode, cost: Int, lastUse: UInt64)] = [:]
        var used = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    public func node(_ reference: ChunkReference) -> FileManifestNode? {
        state.withLock { state in
            guard let held = state.nodes[reference] else { return nil }
            state.clock += 1
            state.nodes[reference]?.lastUse = state.clock
            return held.node
        }
    }

    public func insert(_ node: FileManifestNode, for reference: ChunkReference) {
        let cost = 64 + node.entries.count * FileManifestNode.entrySize + (node.inlineContent?.count ?? 0)
        guard cost <= capacityBytes / 4 else { return }
        state.withLock { state in
            guard state.nodes[reference] == nil else { return }
            state.clock += 1
            state.nodes[reference] = (node, cost, state.clock)
            state.used += cost
            guard state.used > capacityBytes else { return }
            // Down to 3/4 of the bound, oldest first: one sort per quarter of the cache.
            for (key, held) in state.nodes.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where state.used > capacityBytes / 4 * 3 {
                state.nodes[key] = nil
                state.used -= held.cost
            }
        }
    }

    /// Nodes held.
    public var count: Int { state.withLock { $0.nodes.count } }
}
