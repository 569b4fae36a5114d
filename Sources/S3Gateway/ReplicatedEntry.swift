/// One entry of a `ReplicatedMap`: a name, the version that decides between writers, and
/// a tombstone flag (a deletion is a newer version, so it wins against older writes).
public protocol ReplicatedEntry: Codable, Sendable, Equatable {
    var name: String { get }
    var version: EntryVersion { get set }
    var deleted: Bool { get }
    /// Whether an entry from another writer keeps the bounds this kind's writers keep; one
    /// that does not makes its whole record or page refused.
    var isWellFormed: Bool { get }
}
