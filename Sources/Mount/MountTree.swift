import APIModel
import Content
import Synchronization

/// The tree a mount shows, resolved path by path from directory listings that are read
/// once and kept: a listing is named by its capability and never changes, so `stat` and
/// `readdir` are answered from memory after the first visit, and no file's bytes are
/// fetched to list or stat it.
///
/// Listing a directory also starts loading its subdirectories' listings in the background
/// (`prefetchWidth` at a time): `ls -lR` and `find` then find each one ready when they
/// descend, instead of waiting for one round trip per directory.
///
/// Path resolution is pure logic over a loader: `load` reads a directory's listing (from
/// the local peer, or from a table in a test).
public final class MountTree: MountSource {
    /// A directory's entries in the order `readdir` gives them, and by name.
    public struct Listing: Sendable {
        public var names: [String]
        public var nodes: [String: MountNode]

        /// The entries of `document` a mount may show; the others (bad names, unknown types,
        /// directories without a capability, repeated names) are left out rather than
        /// failing the whole directory.
        public init(_ document: DirectoryDocument) {
            var names: [String] = []
            var nodes: [String: MountNode] = [:]
            for entry in document.entries {
                guard let node = MountNode(entry), nodes[entry.name] == nil else { continue }
                if case .directory(let capability, _, _) = node, capability.isEmpty { continue }
                names.append(entry.name)
                nodes[entry.name] = node
            }
            self.names = names
            self.nodes = nodes
        }

        /// The entries of a listing decoded from its binary form (names already checked by
        /// the decoder, checked again here).
        public init(_ listing: DirectoryListing) {
            var names: [String] = []
            var nodes: [String: MountNode] = [:]
            names.reserveCapacity(listing.entries.count)
            for entry in listing.entries where MountNode.isValidName(entry.name) && nodes[entry.name] == nil {
                let mode = entry.mode & 0o777, mtime = entry.modificationTimeNanoseconds
                switch entry.kind {
                case .file(let root):
                    nodes[entry.name] = .file(capability: Capability(root: root).description, size: entry.size, mode: mode, mtimeNanoseconds: mtime)
                case .directory(let root):
                    nodes[entry.name] = .directory(capability: Capability(root: root).description, mode: mode, mtimeNanoseconds: mtime)
                case .symlink(let target):
                    guard !target.isEmpty, !target.utf8.contains(0) else { continue }
                    nodes[entry.name] = .symlink(target: target, mtimeNanoseconds: mtime)
                }
                names.append(entry.name)
            }
            self.names = names
            self.nodes = nodes
        }
    }

    public typealias Load = @Sendable (String) async throws -> Listing

    /// Subdirectory listings loaded at once in the background after a `readdir`.
    public static let prefetchWidth = 4
    /// Subdirectories of one directory prefetched at most (the rest load when visited).
    static let prefetchLimit = 512

    public let root: MountNode
    public var isLive: Bool { false }
    private let load: Load
    private let timeout: Duration
    /// A listing's load, running or queued behind the prefetch throttle.
    private struct Loading {
        var id: UInt64
        var task: Task<Listing, any Error>
        /// Whether it has begun (a queued prefetch has not: a reader that needs it loads it itself).
        var started: Bool
    }

    private struct Listings {
        var loaded: [String: Listing] = [:]
        /// Loaded capabilities, oldest first, and the entries they hold (the bound).
        var order: [String] = []
        var entries = 0
        var loading: [String: Loading] = [:]
        var nextID: UInt64 = 0

        /// Keeps a loaded listing, forgetting the oldest past the bound.
        mutating func store(_ listing: Listing, for capability: String, id: UInt64) {
            if loading[capability]?.id == id { loading[capability] = nil }
            guard loaded[capability] == nil else { return }
            loaded[capability] = listing
            order.append(capability)
            entries += listing.names.count
            var dropped = 0
            while entries > MountTree.maximumEntries, dropped < order.count - 1 {
                if let old = loaded.removeValue(forKey: order[dropped]) { entries -= old.names.count }
                dropped += 1
            }
            if dropped > 0 { order.removeFirst(dropped) }
        }
    }

    /// Listings loaded, and loads running, by capability. A loaded listing is answered from
    /// memory on the calling thread (no task, no wait); past `maximumEntries` the oldest
    /// are forgotten (and read again if visited again).
    private let listings = Mutex(Listings())
    /// Entries held in loaded listings at most.
    static let maximumEntries = 2_000_000
    private let throttle = Throttle(width: MountTree.prefetchWidth)

    public init(rootCapability: String, mtimeNanoseconds: Int64 = 0, timeout: Duration = .seconds(60), load: @escaping Load) {
        self.root = .directory(capability: rootCapability, mode: 0o755, mtimeNanoseconds: mtimeNanoseconds)
        self.timeout = timeout
        self.load = load
    }

    /// The node at `path` (absolute, `/` for the root).
    public func node(at path: String) throws(MountError) -> MountNode {
        var node = root
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard case .directory(let capability, _, _) = node else { throw .notDirectory }
            guard let child = try listing(of: capability).nodes[String(component)] else { throw .notFound }
            node = child
        }
        return node
    }

    /// The entries of the directory at `path`, in listing order; its subdirectories'
    /// listings start loading.
    public func entries(at path: String) throws(MountError) -> [(name: String, node: MountNode)] {
        guard case .directory(let capability, _, _) = try node(at: path) else { throw .notDirectory }
        let listing = try listing(of: capability)
        let entries = listing.names.map { ($0, listing.nodes[$0]!) }
        prefetch(entries.lazy.compactMap { entry -> String? in
            if case .directory(let capability, _, _) = entry.1 { capability } else { nil }
        }.prefix(Self.prefetchLimit))
        return entries
    }

    /// Listings held in memory.
    public var cachedListings: Int { listings.withLock { $0.loaded.count } }

    private func listing(of capability: String) throws(MountError) -> Listing {
        let (loaded, running) = listings.withLock { listings -> (Listing?, Loading?) in
            if let loaded = listings.loaded[capability] { return (loaded, nil) }
            if let running = listings.loading[capability], running.started { return (nil, running) }
            // Not loading, or queued behind other prefetches: this reader loads it now.
            let loading = startLoad(capability, throttled: false, in: &listings)
            return (nil, loading)
        }
        if let loaded { return loaded }
        return try Blocking.run(timeout: timeout) { try await running!.task.value }
    }

    private func prefetch(_ capabilities: some Sequence<String>) {
        listings.withLock { listings in
            for capability in capabilities where listings.loaded[capability] == nil && listings.loading[capability] == nil {
                _ = startLoad(capability, throttled: true, in: &listings)
            }
        }
    }

    /// Starts loading a listing; when done it moves to `loaded` (a failure is forgotten, so
    /// the next visit tries again).
    private func startLoad(_ capability: String, throttled: Bool, in listings: inout Listings) -> Loading {
        let load = load, throttle = self.throttle, id = listings.nextID
        listings.nextID += 1
        let task = Task { [weak self] () throws -> Listing in
            if throttled {
                await throttle.acquire()
                // A reader may have taken it over meanwhile: then nothing is left to do.
                let current = self?.listings.withLock { listings -> Bool in
                    guard listings.loading[capability]?.id == id else { return false }
                    listings.loading[capability]?.started = true
                    return true
                }
                guard current == true else {
                    await throttle.release()
                    throw CancellationError()
                }
            }
            defer { if throttled { Task { await throttle.release() } } }
            do {
                let listing = try await load(capability)
                self?.listings.withLock { listings in listings.store(listing, for: capability, id: id) }
                return listing
            } catch {
                self?.listings.withLock { listings in
                    if listings.loading[capability]?.id == id { listings.loading[capability] = nil }
                }
                throw error
            }
        }
        let loading = Loading(id: id, task: task, started: !throttled)
        listings.loading[capability] = loading
        return loading
    }
}

/// At most `width` holders at once; the others wait in order.
actor Throttle {
    private let width: Int
    private var holders = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func acquire() async {
        if holders < width {
            holders += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { holders -= 1 } else { waiting.removeFirst().resume() }
    }
}
