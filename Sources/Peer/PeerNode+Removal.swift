import ChunkStore
import Content

/// `p2p rm CAP`, as the node carries it out (docs/gc.md, "Trees"): a file this peer put, or
/// a whole tree it stored with `put -r`.
extension PeerNode {
    /// What a removal gave up.
    public struct Removal: Sendable, Equatable {
        /// Files and directory listings forgotten (one file for `p2p rm` of a file).
        public var files: Int
        public var directories: Int
        public var released: Int
        public var unreachable: Int
    }

    /// Why a removal was refused (nothing was removed).
    public enum RemovalRefusal: Error, CustomStringConvertible {
        /// A file this peer stored only as part of trees: removing it would break them.
        case partOfTrees
        /// A directory inside trees this peer stored.
        case insideTrees(String)
        /// A listing of this owner's trees could not be read, so what the other trees still
        /// use is not known.
        case listingUnreadable(String)

        public var description: String {
            switch self {
            case .partOfTrees: "it is a file inside a tree this peer stored (put -r); remove that tree instead"
            case .insideTrees(let reason): reason
            case .listingUnreadable(let reason): "cannot read a directory listing of this peer's trees now (\(reason)); try again"
            }
        }
    }

    /// Removes what this peer stored at `capability`: a file it put, or a tree's root and
    /// everything below it that no other of its trees uses. Nil when it stored nothing there.
    public nonisolated func removeOwned(_ capability: Capability) async throws -> Removal? {
        let cap = capability.description
        let sources = try await local.ownedSources(capability: cap)
        if sources.contains(OwnedFile.treeRootSource) || sources.contains(OwnedFile.treeSource) { return try await removeTree(cap) }
        if sources.contains(OwnedFile.putSource) {
            let removal = try await collector.remove(capabilities: [cap], sources: [OwnedFile.putSource])
            logger.info("removed a file", metadata: ["chunks released": "\(removal.released.count)"])
            return Removal(files: removal.removed, directories: 0, released: removal.released.count, unreachable: removal.unreachable)
        }
        guard sources.contains(OwnedFile.treeFileSource) else { return nil }
        // A tree's file: removed alone only when no tree reaches it (its `put -r` did not finish).
        let trees = try await ownedTrees()
        if TreeRemoval.reaches(cap, children: trees.children, explicitRoots: trees.roots) { throw RemovalRefusal.partOfTrees }
        let removal = try await collector.remove(capabilities: [cap], sources: [OwnedFile.treeFileSource])
        return Removal(files: removal.removed, directories: 0, released: removal.released.count, unreachable: removal.unreachable)
    }

    /// Removes the tree at `root`: its listings and files, less what this owner's other
    /// trees reach (`TreeRemoval`), and its mark as a root.
    private nonisolated func removeTree(_ root: String) async throws -> Removal {
        let trees = try await ownedTrees()
        let treeFiles = try await local.ownedCapabilities(source: OwnedFile.treeFileSource)
        let plan: TreeRemoval
        do {
            plan = try TreeRemoval.plan(removing: root, children: trees.children, explicitRoots: trees.roots)
        } catch {
            throw RemovalRefusal.insideTrees("\(error)")
        }
        let sources = [OwnedFile.treeSource, OwnedFile.treeRootSource, OwnedFile.treeFileSource]
        let removal = try await collector.remove(capabilities: Array(plan.listings.union(plan.files)), sources: sources)
        // A root another tree also holds as a directory stays as that directory.
        let mark = try await collector.remove(capabilities: [root], sources: [OwnedFile.treeRootSource])
        logger.info("removed a tree", metadata: [
            "files": "\(plan.files.count)", "directories": "\(plan.listings.count)", "chunks released": "\(removal.released.count)",
        ])
        return Removal(
            files: plan.files.intersection(treeFiles).count, directories: plan.listings.intersection(Set(trees.children.keys)).count,
            released: removal.released.count + mark.released.count, unreachable: max(removal.unreachable, mark.unreachable))
    }

    /// Every listing this owner stored with its direct entries, and the roots `put -r`
    /// printed. A listing that cannot be read refuses the removal: what the other trees use
    /// would not be known.
    private nonisolated func ownedTrees() async throws -> (children: [String: TreeRemoval.Children], roots: Set<String>) {
        let roots = try await local.ownedCapabilities(source: OwnedFile.treeRootSource)
        let listings = try await local.ownedCapabilities(source: OwnedFile.treeSource).union(roots)
        var children: [String: TreeRemoval.Children] = [:]
        let decoder = fileDecoder()
        for listing in listings {
            let entries: [DirectoryEntry]
            do {
                entries = try await decoder.readDirectory(try Capability(parsing: listing)).entries
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw RemovalRefusal.listingUnreadable("\(error)")
            }
            var found = TreeRemoval.Children()
            for entry in entries {
                switch entry.kind {
                case .file(let reference): found.files.append(Capability(root: reference).description)
                case .directory(let reference): found.directories.append(Capability(root: reference).description)
                case .symlink: break
                }
            }
            children[listing] = found
        }
        return (children, roots)
    }
}
