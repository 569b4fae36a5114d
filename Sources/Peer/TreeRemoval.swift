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

    /// The plan for removing the tree at `root`, given every listing this owner stored with
    /// its direct entries, and the roots `put -r` printed (`explicitRoots`). Any listing no
    /// other listing names is a root too (trees stored before roots were recorded).
    static func plan(removing root: String, children: [String: Children], explicitRoots: Set<String>) throws(Refusal) -> TreeRemoval {
        let roots = allRoots(children, explicitRoots)
        guard roots.contains(root) else {
            throw .insideTrees(roots.filter { reach(from: [$0], children).listings.contains(root) }.sorted())
        }
        let kept = reach(from: Array(roots.subtracting([root])), children)
        let removed = reach(from: [root], children)
        return TreeRemoval(listings: removed.listings.subtracting(kept.listings), files: removed.files.subtracting(kept.files))
    }

    /// Whether any tree of this owner reaches `file` (a tree file no tree reaches is left by a
    /// `put -r` that did not finish).
    static func reaches(_ file: String, children: [String: Children], explicitRoots: Set<String>) -> Bool {
        reach(from: Array(allRoots(children, explicitRoots)), children).files.contains(file)
    }

    private static func allRoots(_ children: [String: Children], _ explicitRoots: Set<String>) -> Set<String> {
        let listed = Set(children.values.flatMap(\.directories))
        return explicitRoots.union(children.keys.filter { !listed.contains($0) })
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
