import Codecs
import Content

/// Failures of replicated reads and writes, with every peer's reason.
public enum DataPathError: Error, Sendable, CustomStringConvertible {
    /// Fewer than W replicas acknowledged a chunk.
    case quorumNotMet(chunk: ChunkID, acknowledged: Int, required: Int, failures: [PeerFailure])
    /// No peer could return a chunk whose bytes match its id.
    case chunkUnavailable(chunk: ChunkID, failures: [PeerFailure])
    case noPeers
    /// Fewer than W holders acknowledged a signed record.
    case recordQuorumNotMet(key: [UInt8], acknowledged: Int, required: Int, failures: [PeerFailure])
    /// None of a record key's holders answered.
    case recordsUnavailable(key: [UInt8], failures: [PeerFailure])
    /// A record handed to `publishRecord` is malformed or its signature does not verify.
    case invalidRecord(key: [UInt8], reason: String)

    /// A write that failed because every peer that refused it is full.
    public var isOutOfSpace: Bool {
        guard case .quorumNotMet(_, _, _, let failures) = self else { return false }
        return !failures.isEmpty && failures.allSatisfy(\.isFull)
    }

    public var description: String {
        switch self {
        case .quorumNotMet(let chunk, let acknowledged, let required, let failures) where isOutOfSpace:
            "not enough space: \(failures.count) of \(acknowledged + failures.count) peers are full, \(acknowledged) copies stored, \(required) needed; remove files (`p2p rm`), add capacity or peers, and retry (chunk \(chunk.description.prefix(16)): \(failures.listed))"
        case .quorumNotMet(let chunk, let acknowledged, let required, let failures):
            // Every replica was tried: the acknowledged and the failed are all of them.
            "write quorum not met: \(acknowledged) of \(acknowledged + failures.count) peers reachable, \(required) needed; start the peers that are down (`p2p status`) and retry (chunk \(chunk.description.prefix(16)): \(failures.listed))"
        case .chunkUnavailable(let chunk, let failures):
            "chunk \(chunk.description.prefix(16)) not found on any peer (\(failures.listed))"
        case .noPeers: "no peers in the placement"
        case .recordQuorumNotMet(let key, let acknowledged, let required, let failures):
            "write quorum not met for record key \(Hex.encode(key).prefix(16)): \(acknowledged) of \(required) acknowledgements (\(failures.listed))"
        case .recordsUnavailable(let key, let failures):
            "no holder of record key \(Hex.encode(key).prefix(16)) answered (\(failures.listed))"
        case .invalidRecord(let key, let reason):
            "invalid record under key \(Hex.encode(key).prefix(16)): \(reason)"
        }
    }
}
