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
    /// Listings loaded, and loads running, by capability; failed loads are forgotten. A
    /// loaded listing is answered from memory on the calling thread (no task, no wait).
    private let listings = Mutex<(loaded: [String: Listing], loading: [String: Task<Listing, any Error>])>(([:], [:]))
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
        let (loaded, running) = listings.withLock { listings -> (Listing?, Task<Listing, any Error>?) in
            if let loaded = listings.loaded[capability] { return (loaded, nil) }
            if let running = listings.loading[capability] { return (nil, running) }
            let task = loadTask(capability, throttled: false)
            listings.loading[capability] = task
            return (nil, task)
        }
        if let loaded { return loaded }
        do throws(MountError) {
            return try Blocking.run(timeout: timeout) { try await running!.value }
        } catch {
            listings.withLock { listings in
                if listings.loading[capability] == running { listings.loading[capability] = nil }  // tried again next time
            }
            throw error
        }
    }

    private func prefetch(_ capabilities: some Sequence<String>) {
        listings.withLock { listings in
            for capability in capabilities where listings.loaded[capability] == nil && listings.loading[capability] == nil {
                listings.loading[capability] = loadTask(capability, throttled: true)
            }
        }
    }

    /// Loads a listing and moves it to `loaded` (a failed load is forgotten when awaited).
    private func loadTask(_ capability: String, throttled: Bool) -> Task<Listing, any Error> {
        let load = load, throttle = throttle
        return Task { [weak self] in
            if throttled { await throttle.acquire() }
            defer { if throttled { Task { await throttle.release() } } }
            let listing = try await load(capability)
            self?.listings.withLock { listings in
                listings.loaded[capability] = listing
                listings.loading[capability] = nil
            }
            return listing
        }
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
