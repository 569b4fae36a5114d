import Content
import Testing

struct CapabilityTests {
    static let capability = Capability(root: ChunkReference(
        id: ChunkID(bytes: (0..<32).map { UInt8($0) })!, key: ChunkKey(bytes: (0..<32).map { UInt8(255 - $0) })!))

    @Test func roundTrips() throws {
        let text = Self.capability.description
        #expect(text.hasPrefix("p2p1:"))
        #expect(text.count == 5 + Capability.encodedLength)
        #expect(try Capability(parsing: text) == Self.capability)
        #expect(try Capability(parsing: " " + text.uppercased().replacingOccurrences(of: "P2P1:", with: "p2p1:") + "\n")
            == Self.capability)
    }

    @Test func rejectsEmpty() {
        #expect(throws: CapabilityError.empty) { try Capability(parsing: "") }
        #expect(throws: CapabilityError.empty) { try Capability(parsing: "  \n") }
    }

    @Test func rejectsForeignPrefixes() {
        #expect(throws: CapabilityError.foreignPrefix("ipfs")) { try Capability(parsing: "ipfs:abc") }
        #expect(throws: CapabilityError.foreignPrefix("URI")) { try Capability(parsing: "URI:CHK:abc") }
        #expect(throws: CapabilityError.joinTokenGiven) { try Capability(parsing: "p2pnet1:abcd@host:1") }
        let body = Self.capability.description.dropFirst(5)
        #expect(throws: CapabilityError.foreignPrefix(String(body.prefix(16)))) { try Capability(parsing: String(body)) }
    }

    @Test func rejectsTruncatedAndExtended() {
        let text = Self.capability.description
        #expect(throws: CapabilityError.wrongLength(expected: 111, actual: 110)) { try Capability(parsing: String(text.dropLast())) }
        #expect(throws: CapabilityError.wrongLength(expected: 111, actual: 0)) { try Capability(parsing: "p2p1:") }
        #expect(throws: CapabilityError.wrongLength(expected: 111, actual: 112)) { try Capability(parsing: text + "a") }
    }

    @Test func rejectsEveryOneCharacterChange() {
        let text = Array(Self.capability.description)
        for position in 5..<text.count {
            var changed = text
            changed[position] = changed[position] == "a" ? "b" : "a"
            #expect(throws: CapabilityError.checksumMismatch) { try Capability(parsing: String(changed)) }
        }
    }

    @Test func rejectsInvalidCharacters() {
        var text = Array(Self.capability.description)
        text[20] = "1"
        #expect(throws: CapabilityError.invalidCharacter("1", position: 20)) { try Capability(parsing: String(text)) }
    }

    @Test func errorsReadAsOneLine() {
        let errors: [CapabilityError] = [.empty, .foreignPrefix("x"), .joinTokenGiven, .wrongLength(expected: 111, actual: 3),
                                         .invalidCharacter("!", position: 9), .checksumMismatch, .unsupportedFormat(9)]
        for error in errors {
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
        }
    }
}
