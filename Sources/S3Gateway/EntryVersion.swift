/// The version of one entry of a replicated map: a hybrid logical clock reading (wall-clock
/// nanoseconds, pushed forward past everything this writer has seen) and the writer, which
/// breaks ties. The greatest version of a name wins on every gateway, whatever order the
/// versions arrive in: last writer wins, as S3 resolves concurrent writes of a key.
public struct EntryVersion: Codable, Sendable, Hashable, Comparable {
    /// Nanoseconds since 1970, never less than any version this writer had seen.
    public var time: UInt64
    /// The writer's id (a hash of its signing key).
    public var writer: UInt64

    public init(time: UInt64, writer: UInt64) {
        self.time = time
        self.writer = writer
    }

    public static func < (lhs: EntryVersion, rhs: EntryVersion) -> Bool {
        (lhs.time, lhs.writer) < (rhs.time, rhs.writer)
    }

    /// The version a writer gives a new entry: later than the wall clock, than `seen` (the
    /// latest version it knows anywhere) and than the entry it replaces.
    static func next(after seen: UInt64, replacing current: EntryVersion?, now: UInt64, writer: UInt64) -> EntryVersion {
        EntryVersion(time: max(now, seen &+ 1, (current?.time ?? 0) &+ 1), writer: writer)
    }
}
