import NIOCore
import Testing
import Transport

/// Decodes and re-encodes the golden vectors of `fixtures/wire` (described in its README).
@Suite struct WireVectorTests {
    static let requestID: UInt64 = 0x0123_4567_89ab_cdef

    /// What each vector must decode to, field by field.
    static let expected: [String: Frame] = [
        "request": Frame(kind: .request, code: 0x0201, requestID: requestID, deadlineMilliseconds: 30_000, payload: ByteBuffer(string: "ping")),
        "response": Frame(kind: .response, requestID: requestID, payload: ByteBuffer(string: "pong")),
        "error": Frame(kind: .error, code: 404, requestID: requestID, payload: ByteBuffer(string: "nothing here")),
        "cancel": Frame(kind: .cancel, requestID: requestID),
    ]

    @Test(arguments: WireVectors.frameNames)
    func frameVectorDecodesFieldByFieldAndReencodesToTheSameBytes(name: String) throws {
        let bytes = try WireVectors.bytes(name)
        let expected = try #require(Self.expected[name])
        var buffer = ByteBuffer(bytes: bytes)
        let frame = try #require(try FrameDecoder.decodeFrame(from: &buffer, maximumLength: Frame.defaultMaximumLength))

        #expect(buffer.readableBytes == 0, "the decoder consumed the whole vector")
        #expect(bytes.count == 4 + Frame.headerSize + expected.payload.readableBytes)
        #expect(frame.kind == expected.kind)
        #expect(frame.code == expected.code)
        #expect(frame.requestID == expected.requestID)
        #expect(frame.deadlineMilliseconds == expected.deadlineMilliseconds)
        #expect(frame.payload == expected.payload)

        var reencoded = ByteBuffer()
        frame.write(to: &reencoded)
        #expect(Array(reencoded.readableBytesView) == bytes)
        var encoded = ByteBuffer()
        expected.write(to: &encoded)
        #expect(Array(encoded.readableBytesView) == bytes)
    }

    @Test(arguments: WireVectors.frameNames)
    func everyStrictPrefixAsksForMoreBytesWithoutConsumingAny(name: String) throws {
        let bytes = try WireVectors.bytes(name)
        for length in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[..<length])
            #expect(try FrameDecoder.decodeFrame(from: &buffer, maximumLength: Frame.defaultMaximumLength) == nil)
            #expect(buffer.readableBytes == length)
        }
    }

    @Test func backToBackVectorsDecodeInOrder() throws {
        var buffer = ByteBuffer(bytes: try WireVectors.allFrames().flatMap { $0 })
        var kinds: [Frame.Kind] = []
        while let frame = try FrameDecoder.decodeFrame(from: &buffer, maximumLength: Frame.defaultMaximumLength) {
            kinds.append(frame.kind)
        }
        #expect(kinds == [.request, .response, .error, .cancel])
        #expect(buffer.readableBytes == 0)
    }

    @Test func aLimitBelowTheVectorRefusesItByItsClaimedLength() throws {
        var buffer = ByteBuffer(bytes: try WireVectors.bytes("request"))
        #expect(throws: TransportError.self) { try FrameDecoder.decodeFrame(from: &buffer, maximumLength: 19) }
        do {
            _ = try FrameDecoder.decodeFrame(from: &buffer, maximumLength: 19)
        } catch {
            guard case .frameTooLarge(let claimed, let limit) = error else { Issue.record("unexpected \(error)"); return }
            #expect(claimed == 20 && limit == 19)
        }
    }

    @Test func admissionProofVector() throws {
        let bytes = try WireVectors.bytes(WireVectors.admissionProofName)
        let secret = Array(UInt8(0x00)...0x1f)
        let exporter = Array(UInt8(0x20)...0x3f)
        let sender = try #require(NodeID(bytes: Array(UInt8(0x40)...0x5f)))

        #expect(bytes.count == AdmissionProof.wireSize)
        #expect(Array(bytes[0..<4]) == Array("P2PA".utf8))
        #expect(bytes[4] == 1)
        #expect(Array(bytes[5...]) == AdmissionProof.mac(secret: secret, exporter: exporter, sender: sender))
        #expect(AdmissionProof.encode(secret: secret, exporter: exporter, sender: sender) == bytes)
        #expect(AdmissionProof.refusal(of: bytes, secret: secret, exporter: exporter, sender: sender) == nil)
        #expect(sender.description == "ibaueq2eivdeoscjjjfuytkoj5ifcustkrkvmv2ylfnfwxc5lzpq")
        #expect(sender.short == "ibaueq2eivde")

        var wrongVersion = bytes
        wrongVersion[4] = 2
        #expect(AdmissionProof.refusal(of: wrongVersion, secret: secret, exporter: exporter, sender: sender) == "unsupported admission version 2")
    }
}
