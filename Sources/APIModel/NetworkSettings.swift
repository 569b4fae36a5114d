/// Network-wide settings chosen by the first `p2pd init` and carried to joiners.
public struct NetworkSettings: Codable, Sendable, Equatable {
    /// Replicas kept of every chunk (N).
    public var replicas: Int = 3
    /// Acknowledgements a write waits for (W).
    public var writeQuorum: Int = 2
    /// Seconds a dead peer stays in placement before its data is re-replicated.
    public var removalGraceSeconds: Int = 600
    /// Seconds an unreferenced chunk is kept before a sweep may collect it (docs/gc.md);
    /// absent in networks made before garbage collection (then `defaultCollectionGrace`).
    /// Network-wide because every owner renews within half of it.
    public var collectionGraceSeconds: Int?

    public static let defaultCollectionGrace = 48 * 3600

    public init(replicas: Int = 3, writeQuorum: Int = 2, removalGraceSeconds: Int = 600, collectionGraceSeconds: Int? = nil) {
        self.replicas = replicas
        self.writeQuorum = writeQuorum
        self.removalGraceSeconds = removalGraceSeconds
        self.collectionGraceSeconds = collectionGraceSeconds
    }

    /// The collection grace in force.
    public var collectionGrace: Int { collectionGraceSeconds ?? Self.defaultCollectionGrace }

    /// Returns why the settings cannot work, or nil.
    public var problem: String? {
        if replicas < 1 || replicas > 16 { return "--replicas must be between 1 and 16" }
        if writeQuorum < 1 || writeQuorum > replicas { return "--write-quorum must be between 1 and --replicas" }
        if removalGraceSeconds < 1 { return "--removal-grace must be positive" }
        if collectionGrace < 2 || collectionGrace > 365 * 86_400 { return "--gc-grace must be between 2s and 365 days" }
        return nil
    }
}
