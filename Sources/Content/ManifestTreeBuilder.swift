/// Builds a file's manifest tree bottom-up from its data-chunk entries in file order,
/// holding at most one node's worth of entries per level.
///
/// A level that is full when another entry arrives is closed into an interior node,
/// which the caller seals and stores, then passes back through `add(_:level:)` one level up.
struct ManifestTreeBuilder {
    let fanout: Int
    private var levels: [[ManifestEntry]] = [[]]

    init(fanout: Int) {
        precondition(fanout >= 2, "a manifest tree needs at least two entries per node")
        self.fanout = fanout
    }

    /// Adds an entry at `level`; returns a closed node to store first, if the level was full.
    /// After storing it, the caller adds its reference at `level + 1`.
    mutating func add(_ entry: ManifestEntry, level: Int) throws(ContentError) -> FileManifestNode? {
        if level == levels.count {
            guard level <= FileManifestNode.maxLevel else { throw .fileTooLarge(entries: fanout) }
            levels.append([])
        }
        var closed: FileManifestNode?
        if levels[level].count == fanout {
            closed = FileManifestNode(root: nil, level: level, entries: levels[level])
            levels[level].removeAll(keepingCapacity: true)
        }
        levels[level].append(entry)
        return closed
    }

    /// The lowest level that still holds entries below the top, closed into an interior
    /// node, or nil when only the top level is left.
    mutating func closeLowestOpenLevel() -> FileManifestNode? {
        for level in 0..<(levels.count - 1) where !levels[level].isEmpty {
            let node = FileManifestNode(root: nil, level: level, entries: levels[level])
            levels[level].removeAll()
            return node
        }
        return nil
    }

    /// The root, once `closeLowestOpenLevel()` returns nil.
    func root(kind: ContentKind, contentHash: [UInt8]) -> FileManifestNode {
        FileManifestNode(root: .init(kind: kind, contentHash: contentHash), level: levels.count - 1, entries: levels[levels.count - 1])
    }
}
