/// What a mount shows: a tree of `MountNode`s by path. `MountTree` serves a stored
/// directory (immutable), `FolderTree` a synced folder's merged tree (live).
public protocol MountSource: Sendable {
    /// Whether what a path names may change while mounted: the kernel then keeps
    /// attributes for a second and drops a file's pages when it is opened again.
    var isLive: Bool { get }

    /// The node at `path` (absolute, `/` for the root).
    func node(at path: String) throws(MountError) -> MountNode

    /// The entries of the directory at `path`, in listing order.
    func entries(at path: String) throws(MountError) -> [(name: String, node: MountNode)]
}
