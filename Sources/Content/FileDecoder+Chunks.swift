extension FileDecoder {
    /// Every chunk a capability needs, manifest nodes first in walk order, then data
    /// chunks in content order: what `p2p locate` reports and repair checks.
    public func chunkIDs(of capability: Capability) async throws -> [ChunkID] {
        let root = try await loadNode(capability.root, expectRoot: true)
        var manifests: [ChunkID] = [capability.root.id]
        var data: [ChunkID] = []
        try await ManifestTreeWalker().walk(
            root: root, rootID: capability.root.id,
            load: { reference in
                manifests.append(reference.id)
                return try await loadNode(reference, expectRoot: false)
            },
            leaf: { node, _ in data += node.entries.map(\.reference.id) })
        return manifests + data
    }
}
