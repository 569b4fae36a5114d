import Foundation

/// The golden byte vectors under `fixtures/`, read straight from the repository (no
/// SwiftPM resources) so other implementations and the fuzzers share the very same files.
public enum HexFixture {
    /// `fixtures`, found from this source file: Tests/TestSupport/… → repo root.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("fixtures")

    /// The bytes of `fixtures/<path>`: hex digits, with whitespace and `#` comments ignored.
    public static func bytes(_ path: String) throws -> [UInt8] {
        let text = try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
        return try parse(text, name: path)
    }

    /// The `.hex` files of `fixtures/<folder>`, by name without the extension, sorted.
    public static func names(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(".hex") }
            .map { String($0.dropLast(4)) }
            .sorted()
    }

    public static func parse(_ text: String, name: String) throws -> [UInt8] {
        var nibbles: [UInt8] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            for character in line.prefix(while: { $0 != "#" }) where !character.isWhitespace {
                guard let nibble = character.hexDigitValue else { throw FormatError(name: name, problem: "'\(character)' is not a hex digit") }
                nibbles.append(UInt8(nibble))
            }
        }
        guard nibbles.count.isMultiple(of: 2) else { throw FormatError(name: name, problem: "odd number of hex digits") }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let name: String
        public let problem: String
        public var description: String { "fixtures/\(name): \(problem)" }
    }
}
