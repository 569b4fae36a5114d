/// What `p2p rm` of a tree this peer stored gives up (docs/gc.md, "Trees"). Pure: the
/// listings come decoded.
///
/// Trees share: a file or a whole subdirectory unchanged between two `put -r` runs is the
/// same capability in both (convergent encryption), and the ledger holds it once. So a
/// removal gives up only what no other tree of this owner reaches: the listings and files
/// reachable from the removed root, less those reachable from every other root.
struct TreeRemoval: Sendable, Equatable {
    /// Directory listings and files (capabilities) to forget.
    var listings: Set<String> = []
    var files: Set<String> = []

    /// A listing's direct entries, as capabilities.
    struct Children: Sendable, Equatable {
        var directories: [String] = []
        var files: [String] = []
    }

    enum Refusal: Error, Equatable, CustomStringConvertible {
        /// The capability is a directory inside trees this peer stored (their roots).
        case insideTrees([String])

        var description: String {
            switch self {
            case .insideTrees(let roots):
                "it is a directory inside \(roots.count == 1 ? "a tree" : "\(roots.count) trees") this peer stored; "
                    + "remove \(roots.count == 1 ? "that tree" : "those trees") instead (\(roots.map { $0.prefix(24) + "…" }.joined(separator: ", ")))"
            }
        }
    }

    /// The plan for removing the tree at `root`, given every listing this owner stored and
    /// its direct entries. A root is a listing no other listing lists.
    static func plan(removing root: String, children: [String: Children]) throws(Refusal) -> TreeRemoval {
        let listed = Set(children.values.flatMap(\.directories))
        if listed.contains(root) {
            let roots = children.keys.filter { !listed.contains($0) && reach(from: [$0], children).listings.contains(root) }
            throw .insideTrees(roots.sorted())
        }
        let others = children.keys.filter { $0 != root && !listed.contains($0) }
        let kept = reach(from: others, children)
        let removed = reach(from: [root], children)
        return TreeRemoval(listings: removed.listings.subtracting(kept.listings), files: removed.files.subtracting(kept.files))
    }

    /// Every listing and file reachable from `roots` (listings not in `children` are not
    /// this owner's: not walked).
    private static func reach(from roots: [String], _ children: [String: Children]) -> TreeRemoval {
        var found = TreeRemoval()
        var pending = roots
        while let listing = pending.popLast() {
            guard found.listings.insert(listing).inserted, let entries = children[listing] else { continue }
            found.files.formUnion(entries.files)
            pending += entries.directories
        }
        return found
    }
}
