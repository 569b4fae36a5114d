import APIModel
import Synchronization

/// The live tree of a synced folder for a mount: built from the flat, merged entries the
/// local peer answers (`GET /v1/sync/folders/tree`), replaced whole when a newer
/// generation arrives. Entries are remote input: a path with an unsafe component, or
/// under a name that is not a directory, is left out; missing parents are implied.
public final class FolderTree: MountSource {
    private struct Snapshot {
        var generation: UInt64?
        var nodes: [String: MountNode] = ["": .directory(capability: "", mode: 0o755, mtimeNanoseconds: 0)]
        var children: [String: [String]] = ["": []]
    }

    private let snapshot = Mutex(Snapshot())
    public var isLive: Bool { true }

    public init() {}

    /// The generation shown, nil before the first tree.
    public var generation: UInt64? { snapshot.withLock { $0.generation } }

    /// Shows `tree` from now on (unless it is the generation already shown).
    public func update(_ tree: FolderAPIDocuments.Tree, mountedAt: Int64) {
        guard tree.unchanged != true, snapshot.withLock({ $0.generation }) != tree.generation else { return }
        var next = Snapshot()
        next.generation = tree.generation
        next.nodes[""] = .directory(capability: "", mode: 0o755, mtimeNanoseconds: mountedAt)
        for entry in tree.entries {
            let parts = entry.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard !parts.isEmpty, parts.allSatisfy(MountNode.isValidName) else { continue }
            guard let node = Self.node(entry, name: parts.last!) else { continue }
            // Parents first: implied directories where the tree names none.
            var parent = ""
            var blocked = false
            for part in parts.dropLast() {
                let path = parent.isEmpty ? part : parent + "/" + part
                switch next.nodes[path] {
                case nil:
                    next.nodes[path] = .directory(capability: "", mode: 0o755, mtimeNanoseconds: mountedAt)
                    next.children[path] = []
                    next.children[parent, default: []].append(part)
                case .directory: break
                default: blocked = true
                }
                if blocked { break }
                parent = path
            }
            if blocked { continue }
            let path = entry.path
            if let existing = next.nodes[path] {
                // A directory implied earlier takes the entry's own attributes; anything else stays.
                if case .directory = existing, case .directory = node { next.nodes[path] = node }
                continue
            }
            next.nodes[path] = node
            next.children[parent, default: []].append(parts.last!)
            if case .directory = node { next.children[path] = next.children[path] ?? [] }
        }
        snapshot.withLock { $0 = next }
    }

    public func node(at path: String) throws(MountError) -> MountNode {
        guard let node = snapshot.withLock({ $0.nodes[Self.key(path)] }) else { throw .notFound }
        return node
    }

    public func entries(at path: String) throws(MountError) -> [(name: String, node: MountNode)] {
        let key = Self.key(path)
        let result: [(name: String, node: MountNode)]? = snapshot.withLock { snapshot in
            guard let names = snapshot.children[key] else { return nil }
            return names.compactMap { name in
                snapshot.nodes[key.isEmpty ? name : key + "/" + name].map { (name, $0) }
            }
        }
        guard let result else {
            if case .some = try? node(at: path) { throw .notDirectory }
            throw .notFound
        }
        return result
    }

    /// A FUSE path (`/a/b`) as the tree's key (`a/b`, `` for the root).
    private static func key(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }

    /// The node an entry names, by the rules of a stored directory's entries (`MountNode`).
    private static func node(_ entry: FolderAPIDocuments.Tree.Entry, name: String) -> MountNode? {
        MountNode(DirectoryDocument.Entry(
            name: name, type: entry.type, mode: entry.mode, mtimeNanoseconds: entry.mtimeNanoseconds, size: entry.size,
            cap: entry.cap, target: entry.target))
    }
}
