/// Failures of encoding or decoding stored content.
public enum ContentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The convergence secret is too short to keep guessed plaintexts from being confirmed.
    case weakConvergenceSecret(length: Int)
    /// A fetched chunk's bytes do not hash to the id it was fetched by.
    case chunkHashMismatch(expected: ChunkID, actual: ChunkID)
    /// A chunk hashed correctly but did not decrypt with the key from its reference.
    case decryptionFailed(ChunkID)
    /// A decrypted chunk's length differs from the length its manifest recorded.
    case chunkLengthMismatch(ChunkID, expected: UInt64, actual: Int)
    /// The reassembled file's SHA-256 differs from the one in its manifest.
    case fileHashMismatch(expected: String, actual: String)
    /// A store has no chunk with this id.
    case chunkNotFound(ChunkID)
    /// A requested byte range lies outside the file.
    case rangeOutOfBounds(lower: UInt64, upper: UInt64, size: UInt64)
    /// A manifest failed to decode or its tree is malformed.
    case manifest(ManifestError)
    /// The file is too large for a manifest tree of the maximum depth with this fan-out.
    case fileTooLarge(entries: Int)
    /// The capability points at something other than the expected kind of content.
    case wrongContentKind(expected: ContentKind, actual: ContentKind)

    public var description: String {
        switch self {
        case .weakConvergenceSecret(let length): "convergence secret of \(length) bytes is too short (need at least 16)"
        case .chunkHashMismatch(let expected, let actual): "chunk \(expected) is corrupt: its bytes hash to \(actual)"
        case .decryptionFailed(let id): "chunk \(id) did not decrypt with the key from its manifest"
        case .chunkLengthMismatch(let id, let expected, let actual):
            "chunk \(id) decrypted to \(actual) bytes, its manifest says \(expected)"
        case .fileHashMismatch(let expected, let actual): "file content hashes to \(actual), its manifest says \(expected)"
        case .chunkNotFound(let id): "chunk \(id) not found"
        case .rangeOutOfBounds(let lower, let upper, let size): "range \(lower)..<\(upper) is outside the file of \(size) bytes"
        case .manifest(let error): "bad manifest: \(error)"
        case .fileTooLarge(let entries): "\(entries) chunks exceed the manifest tree's maximum depth"
        case .wrongContentKind(let expected, let actual): "expected \(expected) content, found \(actual)"
        }
    }
}
