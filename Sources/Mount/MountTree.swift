import APIModel
import Synchronization

/// The tree a mount shows, resolved path by path from directory listings that are read
/// once and kept: a listing is named by its capability and never changes, so `stat` and
/// `readdir` are answered from memory after the first visit, and no file's bytes are
/// fetched to list or stat it.
///
/// Pure logic over a loader: `load` reads a directory's listing (from the local peer, or
/// from a table in a test).
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
    }

    public let root: MountNode
    public var isLive: Bool { false }
    private let load: @Sendable (String) throws(MountError) -> Listing
    private let listings = Mutex<[String: Listing]>([:])

    public init(rootCapability: String, mtimeNanoseconds: Int64 = 0, load: @escaping @Sendable (String) throws(MountError) -> Listing) {
        self.root = .directory(capability: rootCapability, mode: 0o755, mtimeNanoseconds: mtimeNanoseconds)
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

    /// The entries of the directory at `path`, in listing order.
    public func entries(at path: String) throws(MountError) -> [(name: String, node: MountNode)] {
        guard case .directory(let capability, _, _) = try node(at: path) else { throw .notDirectory }
        let listing = try listing(of: capability)
        return listing.names.map { ($0, listing.nodes[$0]!) }
    }

    /// Listings held in memory.
    public var cachedListings: Int { listings.withLock { $0.count } }

    private func listing(of capability: String) throws(MountError) -> Listing {
        if let cached = listings.withLock({ $0[capability] }) { return cached }
        let loaded = try load(capability)
        listings.withLock { $0[capability] = loaded }
        return loaded
    }
}
