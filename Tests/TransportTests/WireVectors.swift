import TestSupport

/// The golden byte vectors of `fixtures/wire` (see its README).
enum WireVectors {
    static let frameNames = ["request", "response", "error", "cancel"]
    static let admissionProofName = "admission-proof"

    /// The bytes of `fixtures/wire/<name>.hex`.
    static func bytes(_ name: String) throws -> [UInt8] {
        try HexFixture.bytes("wire/\(name).hex")
    }

    /// All frame vectors, for the fuzzers' seeds.
    static func allFrames() throws -> [[UInt8]] {
        try frameNames.map(bytes)
    }
}
