/// What one repair (or hand-off) pass over the local chunks found and did.
struct RepairPassReport: Sendable, Equatable {
    var chunks = 0
    var atN = 0
    var belowN = 0
    var zeroKnownReplicas = 0
    var backlog = 0
    var pushedCopies = 0
    var pushedBytes: UInt64 = 0
    var surplusDeleted = 0
    var seconds: Double = 0
}
