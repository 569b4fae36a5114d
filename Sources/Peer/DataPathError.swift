import Content

/// Failures of replicated reads and writes, with every peer's reason.
public enum DataPathError: Error, Sendable, CustomStringConvertible {
    /// Fewer than W replicas acknowledged a chunk.
    case quorumNotMet(chunk: ChunkID, acknowledged: Int, required: Int, failures: [String])
    /// No peer could return a chunk whose bytes match its id.
    case chunkUnavailable(chunk: ChunkID, failures: [String])
    case noPeers

    public var description: String {
        switch self {
        case .quorumNotMet(let chunk, let acknowledged, let required, let failures):
            "write quorum not met for chunk \(chunk.description.prefix(16)): \(acknowledged) of \(required) acknowledgements (\(failures.joined(separator: "; ")))"
        case .chunkUnavailable(let chunk, let failures):
            "chunk \(chunk.description.prefix(16)) not found on any peer (\(failures.joined(separator: "; ")))"
        case .noPeers: "no peers in the placement"
        }
    }
}
