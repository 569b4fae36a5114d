import Foundation

/// The golden byte vectors of `fixtures/wire`, read straight from the repository (no
/// SwiftPM resources) so other implementations can share the very same files.
enum WireVectors {
    static let frameNames = ["request", "response", "error", "cancel"]
    static let admissionProofName = "admission-proof"

    /// `fixtures/wire`, found from this source file: Tests/TransportTests/… → repo root.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("fixtures/wire")

    /// The bytes of `<name>.hex`: hex digits, with whitespace and `#` comments ignored.
    static func bytes(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".hex"), encoding: .utf8)
        return try parse(text, name: name)
    }

    static func parse(_ text: String, name: String) throws -> [UInt8] {
        var nibbles: [UInt8] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            for character in line.prefix(while: { $0 != "#" }) where !character.isWhitespace {
                guard let nibble = character.hexDigitValue else { throw VectorError(name: name, problem: "'\(character)' is not a hex digit") }
                nibbles.append(UInt8(nibble))
            }
        }
        guard nibbles.count.isMultiple(of: 2) else { throw VectorError(name: name, problem: "odd number of hex digits") }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    /// All frame vectors, for the fuzzers' seeds.
    static func allFrames() throws -> [[UInt8]] {
        try frameNames.map(bytes)
    }

    struct VectorError: Error, CustomStringConvertible {
        let name: String
        let problem: String
        var description: String { "fixtures/wire/\(name).hex: \(problem)" }
    }
}
