import Codecs
import Foundation
import NIOCore
import Testing
import Transport
@testable import Peer

/// The network key document (`network.json`, RPC `0x0103`, `ControlMessages.RemoveMember`):
/// it round-trips, and hostile documents from an admitted peer are refused whole.
@Suite struct NetworkKeysFileTests {
    static let node = NodeID(bytes: [UInt8](repeating: 7, count: 32))!

    @Test func aDocumentRoundTrips() {
        let keys = NetworkKeys(secret: [UInt8](repeating: 1, count: 32))
            .revoking([Self.node], members: [NodeID(bytes: [UInt8](repeating: 8, count: 32))!], secret: [UInt8](repeating: 2, count: 32))
        #expect(NetworkKeysFile.decode(NetworkKeysFile(keys).encoded()) == keys)
    }

    @Test(arguments: [
        "", "{", "[]", #"{"version":2,"keys":[],"revoked":[],"eligible":[]}"#,
        #"{"version":1,"keys":[],"revoked":[],"eligible":[]}"#,
        #"{"version":1,"keys":[{"epoch":0,"secret":"not base32!"}],"revoked":[],"eligible":[]}"#,
        #"{"version":1,"keys":[{"epoch":0,"secret":"aebagbaf"}],"revoked":[],"eligible":[]}"#,
        #"{"version":1,"keys":[{"epoch":-1,"secret":"aebagbaf"}],"revoked":[],"eligible":[]}"#,
    ])
    func malformedDocumentsAreRefused(_ text: String) {
        #expect(NetworkKeysFile.decode(Array(text.utf8)) == nil)
    }

    @Test func aDocumentNamingAMalformedNodeIsRefused() {
        var file = NetworkKeysFile(NetworkKeys(secret: [UInt8](repeating: 1, count: 32)))
        #expect(NetworkKeysFile.decode(file.encoded()) != nil)
        file.revoked = ["not-a-node"]
        #expect(NetworkKeysFile.decode(file.encoded()) == nil)
        file.revoked = []
        file.keys = Array(repeating: file.keys[0], count: NetworkKeys.maximumKeys + 1)
        #expect(NetworkKeysFile.decode(file.encoded()) == nil)
    }

    @Test func aRemovalIsExactly40Bytes() throws {
        let removal = ControlMessages.RemoveMember(member: Self.node.identifier, incarnation: 42)
        let parsed = try ControlMessages.RemoveMember(payload: removal.payload)
        #expect(parsed.member == Self.node.identifier && parsed.incarnation == 42)
        var long = removal.payload
        long.writeInteger(UInt8(0))
        #expect(throws: ChunkMessageError.self) { try ControlMessages.RemoveMember(payload: long) }
        #expect(throws: ChunkMessageError.self) { try ControlMessages.RemoveMember(payload: ByteBuffer(bytes: [1, 2])) }
    }
}
