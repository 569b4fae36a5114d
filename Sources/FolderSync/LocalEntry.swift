/// An entry of this device's index together with what only this device needs: the inode
/// the file had when it was recorded.
public struct LocalEntry: Sendable, Hashable {
    public var entry: IndexEntry
    public var inode: UInt64

    public init(entry: IndexEntry, inode: UInt64) {
        self.entry = entry
        self.inode = inode
    }
}
