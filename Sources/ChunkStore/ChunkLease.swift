import Foundation

/// One owner's claim on a chunk (docs/gc.md): the holder keeps the chunk at least until
/// `expiry`, and until a grace period after the last of its leases ended.
///
/// An owner is 32 bytes: the NodeID of the peer that put a file. The all-zero owner is the
/// *pin*: chunks stored before leases existed, chunks of synced folders and chunks
/// recovery re-indexed carry it, expiring never, so that none of them is ever collected.
/// The all-0xFF owner holds provisional leases.
public struct ChunkLease: Sendable, Hashable {
    /// Who holds the lease.
    public let owner: Data
    /// When it ends unless renewed.
    public let expiry: Date
    /// Whether the lease comes with a copy from another holder (repair, hinted handoff)
    /// rather than from its owner. A copied lease never revives one its owner released
    /// here: the holder it came from may not have heard of the release yet.
    public let isCopy: Bool

    /// A lease of `owner` (32 bytes) until `expiry`; nil when the owner is not 32 bytes.
    public init?(owner: Data, expiry: Date, isCopy: Bool = false) {
        guard owner.count == 32 else { return nil }
        self.owner = owner
        self.expiry = min(expiry, Self.never)
        self.isCopy = isCopy
    }

    /// This lease as a copy carries it (``isCopy``).
    public var copied: ChunkLease { ChunkLease(owner: owner, expiry: expiry, isCopy: true)! }

    /// How long an owner's lease lasts from its latest put or renewal (docs/gc.md). A holder
    /// remembers a release this long: a lease granted before it has ended by then.
    public static let length: TimeInterval = 31 * 86_400

    /// The owner of pins.
    public static let pinOwner = Data(count: 32)
    /// The owner of a provisional lease: what a chunk that came without any gets, so that
    /// its end survives another owner's release.
    public static let provisionalOwner = Data(repeating: 0xFF, count: 32)
    /// The end of a pin: 9999-12-31, far enough, and exact in milliseconds as an SQLite integer.
    public static let never = Date(timeIntervalSince1970: 253_402_300_799)
    /// A lease that never ends, for chunks whose owners are not known.
    public static let pin = ChunkLease(owner: pinOwner, expiry: never)!

    /// `expiry` in milliseconds since the Unix epoch, as the store keeps it.
    public var expiryMilliseconds: Int64 { Self.milliseconds(expiry) }

    /// A date in the store's integer milliseconds.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
