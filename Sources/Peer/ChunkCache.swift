import APIModel
import Content
import DurableFiles
import Foundation
import Logging
import Synchronization

/// The peer's bounded on-disk cache of chunks it read from other peers (`<home>/cache`):
/// what a mount or a repeated get reads again is served from here instead of the network.
///
/// - One file per chunk, named by its id, written whole (temp + rename); no fsync, since a
///   cache may lose entries in a crash, and every read verifies the bytes against the id
///   (a chunk that does not match is dropped and counts as `corrupt`).
/// - Least recently used chunks are evicted past `capacity`; the order survives restarts
///   through the files' modification times, which a hit refreshes.
/// - Pinned files (`p2p pin`) keep their chunks whatever the size bound; the pins are a
///   small JSON file written durably.
public final class ChunkCache: Sendable {
    public let directory: String
    public let capacity: UInt64
    private let logger: Logger

    private struct Entry {
        var size: UInt64
        var lastUse: UInt64
    }

    private struct State {
        var entries: [ChunkID: Entry] = [:]
        var used: UInt64 = 0
        var clock: UInt64 = 0
        /// Pinned capabilities and their chunks; `pinCounts` counts the pins per chunk.
        var pins: [String: [ChunkID]] = [:]
        var pinCounts: [ChunkID: Int] = [:]
        var localReads: UInt64 = 0
        var hits: UInt64 = 0
        var fetches: UInt64 = 0
        var corrupt: UInt64 = 0

        mutating func touch(_ id: ChunkID) {
            clock += 1
            entries[id]?.lastUse = clock
        }
    }

    private let state = Mutex(State())

    private var pinsFile: String { directory + "/pins.json" }

    /// Opens (or creates, mode 0700) the cache in `directory`, indexing the chunks already there.
    public init(directory: String, capacity: UInt64, logger: Logger) throws {
        self.directory = directory
        self.capacity = capacity
        self.logger = logger
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var found: [(ChunkID, UInt64, Date)] = []
        for name in try files.contentsOfDirectory(atPath: directory) {
            let path = directory + "/" + name
            guard let id = ChunkID(hex: name), name.count == 64 else {
                if name != "pins.json" { try? files.removeItem(atPath: path) }  // a write cut short
                continue
            }
            let attributes = try? files.attributesOfItem(atPath: path)
            let size = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
            found.append((id, size, attributes?[.modificationDate] as? Date ?? .distantPast))
        }
        var initial = State()
        for (id, size, _) in found.sorted(by: { $0.2 < $1.2 }) {
            initial.clock += 1
            initial.entries[id] = Entry(size: size, lastUse: initial.clock)
            initial.used += size
        }
        if let bytes = try? DurableWrite.read(directory + "/pins.json"),
           let pins = try? JSONDecoder().decode([String: [String]].self, from: Data(bytes)) {
            for (capability, hexes) in pins {
                let ids = hexes.compactMap { ChunkID(hex: $0) }
                initial.pins[capability] = ids
                for id in ids { initial.pinCounts[id, default: 0] += 1 }
            }
        }
        state.withLock { $0 = initial }
        evict()
    }

    /// The cached bytes of `id`, verified; nil when absent (or corrupt, then dropped).
    func get(_ id: ChunkID) -> [UInt8]? {
        guard state.withLock({ $0.entries[id] != nil }) else { return nil }
        let path = file(id)
        guard let data = FileManager.default.contents(atPath: path) else {
            forget([id])
            return nil
        }
        let bytes = [UInt8](data)
        guard ChunkID(hashing: bytes) == id else {
            logger.warning("cached chunk does not match its id: dropped", metadata: ["chunk": "\(id)"])
            state.withLock { $0.corrupt += 1 }
            try? FileManager.default.removeItem(atPath: path)
            forget([id])
            return nil
        }
        state.withLock {
            $0.hits += 1
            $0.touch(id)
        }
        utimes(path, nil)  // the order of use, for the next start
        return bytes
    }

    /// Keeps `bytes` (already verified against `id` by the caller) and evicts past the bound.
    func insert(_ id: ChunkID, _ bytes: [UInt8]) {
        if state.withLock({ $0.entries[id] != nil }) { return }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: file(id)), options: .atomic)
        } catch {
            logger.warning("cannot write to the chunk cache", metadata: ["error": "\(error)"])
            return
        }
        state.withLock { state in
            guard state.entries[id] == nil else { return }
            state.clock += 1
            state.entries[id] = Entry(size: UInt64(bytes.count), lastUse: state.clock)
            state.used += UInt64(bytes.count)
        }
        evict()
    }

    /// Counts a read answered by the peer's own store.
    func noteLocalRead() { state.withLock { $0.localReads += 1 } }

    /// Counts a read fetched from another peer.
    func noteFetch() { state.withLock { $0.fetches += 1 } }

    /// Pins `ids` (all in the cache already) under `capability`.
    func pin(_ capability: String, ids: [ChunkID]) throws {
        try state.withLock { state in
            if let old = state.pins[capability] { for id in old { state.pinCounts[id, default: 1] -= 1 } }
            state.pins[capability] = ids
            for id in ids { state.pinCounts[id, default: 0] += 1 }
            state.pinCounts = state.pinCounts.filter { $0.value > 0 }
            try savePins(state.pins)
        }
    }

    /// The chunks pinned under `capability`, nil when it is not pinned.
    func pinnedIDs(_ capability: String) -> [ChunkID]? {
        state.withLock { $0.pins[capability] }
    }

    /// Unpins `capability`; false when it was not pinned. Its chunks stay until evicted.
    func unpin(_ capability: String) throws -> ChunkCacheChange? {
        let change = try state.withLock { state -> ChunkCacheChange? in
            guard let ids = state.pins.removeValue(forKey: capability) else { return nil }
            for id in ids { state.pinCounts[id, default: 1] -= 1 }
            state.pinCounts = state.pinCounts.filter { $0.value > 0 }
            try savePins(state.pins)
            return ChunkCacheChange(chunks: ids.count, bytes: ids.reduce(0) { $0 + (state.entries[$1]?.size ?? 0) })
        }
        evict()
        return change
    }

    /// Drops every chunk that is not pinned.
    public func clear() -> ChunkCacheChange {
        let dropped = state.withLock { state in
            let ids = state.entries.keys.filter { state.pinCounts[$0] == nil }
            let bytes = ids.reduce(0) { $0 + state.entries[$1]!.size }
            for id in ids { state.entries[id] = nil }
            state.used -= bytes
            return (ids, bytes)
        }
        for id in dropped.0 { try? FileManager.default.removeItem(atPath: file(id)) }
        return ChunkCacheChange(chunks: dropped.0.count, bytes: dropped.1)
    }

    public var status: ChunkCacheStatus {
        state.withLock { state in
            ChunkCacheStatus(
                capacityBytes: capacity, usedBytes: state.used, chunks: state.entries.count, pinnedChunks: state.pinCounts.count,
                pinnedFiles: state.pins.keys.sorted(), localReads: state.localReads, hits: state.hits, fetches: state.fetches,
                corrupt: state.corrupt)
        }
    }

    private func file(_ id: ChunkID) -> String { directory + "/" + id.description }

    private func forget(_ ids: [ChunkID]) {
        state.withLock { state in
            for id in ids { if let entry = state.entries.removeValue(forKey: id) { state.used -= entry.size } }
        }
    }

    /// Past the bound, removes least recently used unpinned chunks until they fill 90 % of
    /// it (so that the sort is paid once per tenth of the cache, not once per chunk).
    /// Pinned chunks do not count against the bound: pins never make the cache thrash.
    private func evict() {
        let capacity = capacity, target = capacity / 10 * 9
        let victims = state.withLock { state -> [ChunkID] in
            guard state.used > capacity else { return [] }
            let pinned = state.pinCounts.keys.reduce(UInt64(0)) { $0 + (state.entries[$1]?.size ?? 0) }
            var unpinned = state.used - pinned
            guard unpinned > capacity else { return [] }
            var victims: [ChunkID] = []
            let candidates = state.entries.filter { state.pinCounts[$0.key] == nil }.sorted { $0.value.lastUse < $1.value.lastUse }
            for (id, entry) in candidates where unpinned > target {
                state.entries[id] = nil
                state.used -= entry.size
                unpinned -= entry.size
                victims.append(id)
            }
            return victims
        }
        for id in victims { try? FileManager.default.removeItem(atPath: file(id)) }
    }

    private func savePins(_ pins: [String: [ChunkID]]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = try encoder.encode(pins.mapValues { $0.map(\.description) })
        try DurableWrite.write(Array(bytes), to: pinsFile, mode: 0o600)
    }
}
