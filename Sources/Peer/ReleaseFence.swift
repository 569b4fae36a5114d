import Content

/// Keeps an owner's releases and its puts in flight apart (docs/gc.md). A put lists its
/// file in the ledger only after its chunks are stored, so a removal that ran meanwhile
/// would see a chunk the two files share as orphaned, release it, and could end the lease
/// the put had just taken on a holder. With the fence, a put **claims** each chunk before
/// storing it, and a release **fences** the chunks it is about to end:
///
/// - a chunk claimed by a put in flight is left out of the release (the put lists it);
/// - a put that claims a chunk being released waits until the release was delivered, so
///   its own store, which takes the lease again, comes after the release on every holder.
///
/// Releases do not wait for puts, and puts wait only on the chunks a release holds.
actor ReleaseFence {
    /// Chunks the puts in flight stored or are storing, with how many puts claim each.
    private var claimed: [ChunkID: Int] = [:]
    /// Chunks a release is ending now.
    private var releasing: Set<ChunkID> = []
    /// Puts waiting for a release to be delivered.
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Puts waiting for a release now (tests).
    var waitingPuts: Int { waiting.count }

    /// Whether a release is ending `id` now (tests).
    func isFencing(_ id: ChunkID) -> Bool { releasing.contains(id) }

    /// Claims `id` for a put in flight; waits while a release of it is being delivered.
    func claim(_ id: ChunkID) async {
        while releasing.contains(id) {
            await withCheckedContinuation { waiting.append($0) }
        }
        claimed[id, default: 0] += 1
    }

    /// Ends a put's claims once its file is listed in the ledger (or the put failed).
    func unclaim(_ ids: [ChunkID]) {
        for id in ids {
            guard let count = claimed[id] else { continue }
            claimed[id] = count > 1 ? count - 1 : nil
        }
    }

    /// Runs `release` on the chunks of `ids` no put in flight claims, fenced: puts that
    /// claim one of them meanwhile wait until it returns. The callers run one release at a
    /// time (the collector's owner gate). A chunk left out stays leased: the put lists it,
    /// and should that put fail, its lease runs out (as any failed put's does).
    func releasing<T: Sendable>(_ ids: [ChunkID], _ release: @Sendable ([ChunkID]) async throws -> T) async rethrows -> T {
        let fenced = ids.filter { claimed[$0] == nil }
        releasing.formUnion(fenced)
        defer {
            releasing.subtract(fenced)
            let woken = waiting
            waiting = []
            for put in woken { put.resume() }
        }
        return try await release(fenced)
    }
}
