/// Network-wide settings chosen by the first `p2pd init` and carried to joiners.
public struct NetworkSettings: Codable, Sendable, Equatable {
    /// Replicas kept of every chunk (N).
    public var replicas: Int = 3
    /// Acknowledgements a write waits for (W).
    public var writeQuorum: Int = 2
    /// Seconds a dead peer stays in placement before its data is re-replicated.
    public var removalGraceSeconds: Int = 600

    public init(replicas: Int = 3, writeQuorum: Int = 2, removalGraceSeconds: Int = 600) {
        self.replicas = replicas
        self.writeQuorum = writeQuorum
        self.removalGraceSeconds = removalGraceSeconds
    }

    /// Returns why the settings cannot work, or nil.
    public var problem: String? {
        if replicas < 1 || replicas > 16 { return "--replicas must be between 1 and 16" }
        if writeQuorum < 1 || writeQuorum > replicas { return "--write-quorum must be between 1 and --replicas" }
        if removalGraceSeconds < 1 { return "--removal-grace must be positive" }
        return nil
    }
}
