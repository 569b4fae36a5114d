/// Walks a file's manifest tree in order and checks its structure on the way down: each
/// child is an interior node one level below its parent, covers exactly the bytes its
/// parent's entry claims, and is not one of its own ancestors.
///
/// Node loading is a parameter, so the walk is tested on hand-made trees (content
/// addressing makes real cycles impossible to build, but a broken or hostile source
/// must still not send the walker round in circles).
public struct ManifestTreeWalker: Sendable {
    /// Loads and decodes the node a reference points to.
    public typealias NodeLoader = (ChunkReference) async throws -> FileManifestNode

    /// Deepest path from the root, counting the root.
    public static let maxDepth = FileManifestNode.maxLevel + 1

    public init() {}

    /// Calls `leaf` with every level-0 node that overlaps `range` (all when nil) and the
    /// content offset of its first byte, in content order. An inline root is its own leaf,
    /// with no entries: its content is in `inlineContent`.
    public func walk(
        root: FileManifestNode, rootID: ChunkID, range: Range<UInt64>? = nil, load: NodeLoader,
        leaf: (FileManifestNode, UInt64) async throws -> Void
    ) async throws {
        try await visit(root, path: [rootID], offset: 0, range: range, load: load, leaf: leaf)
    }

    private func visit(
        _ node: FileManifestNode, path: [ChunkID], offset: UInt64, range: Range<UInt64>?, load: NodeLoader,
        leaf: (FileManifestNode, UInt64) async throws -> Void
    ) async throws {
        guard path.count <= Self.maxDepth else {
            throw ContentError.manifest(.tooDeep(level: path.count, limit: Self.maxDepth))
        }
        if node.level == 0 {
            try await leaf(node, offset)
            return
        }
        var childOffset = offset
        for entry in node.entries {
            defer { childOffset += entry.length }
            if let range, range.upperBound <= childOffset || childOffset + entry.length <= range.lowerBound {
                continue
            }
            let id = entry.reference.id
            guard !path.contains(id) else { throw ContentError.manifest(.cycle(id)) }
            let child = try await load(entry.reference)
            // A root (inline or not) below the top is refused here, so inline content is
            // only ever read from the root the capability names.
            guard child.root == nil else {
                throw ContentError.manifest(.unexpectedNodeType(expected: FileManifestNode.interiorType, actual: child.nodeType))
            }
            guard child.level == node.level - 1 else {
                throw ContentError.manifest(.levelMismatch(expected: node.level - 1, actual: child.level))
            }
            guard child.totalSize == entry.length else {
                throw ContentError.manifest(.sizeMismatch(claimed: entry.length, actual: child.totalSize))
            }
            try await visit(child, path: path + [id], offset: childOffset, range: range, load: load, leaf: leaf)
        }
    }
}
