import NIOCore
import NIOEmbedded
import NIOTestUtils
import TestSupport
import Testing
import Transport

/// The frame decoder against random and mutated input: it must never crash, must only
/// fail with a `TransportError`, and whatever it accepts must re-encode to the very bytes
/// it consumed.
@Suite struct FrameFuzzTests {
    static let seed: UInt64 = 0x5032_5053_5452_4531  // "P2PSTRE1"
    static let inputCount = 120_000

    /// What came of the inputs, so the test can show each path was taken.
    struct Outcomes {
        var frames = 0
        var needMoreData = 0
        var tooLarge = 0
        var malformed = 0
        var badVersion = 0
        var badKind = 0
    }

    @Test func randomAndMutatedInputsNeverCrashTheDecoder() throws {
        var random = SplitMix64(seed: Self.seed)
        let seeds = try WireVectors.allFrames()
        var outcomes = Outcomes()
        for index in 0..<Self.inputCount {
            let input = index.isMultiple(of: 4)
                ? random.bytes(count: Int.random(in: 0...64, using: &random))
                : Self.mutate(seeds, using: &random)
            // Alternate the default limit with a small one so both refusal paths are hit.
            let limit = index.isMultiple(of: 3) ? 40 : Frame.defaultMaximumLength
            Self.decodeAll(input, limit: limit, into: &outcomes)
        }
        #expect(outcomes.frames > 10_000)
        #expect(outcomes.needMoreData > 10_000)
        #expect(outcomes.tooLarge > 1_000)
        #expect(outcomes.malformed > 1_000)
        #expect(outcomes.badVersion > 1_000)
        #expect(outcomes.badKind > 1_000)
    }

    @Test func mutatedAdmissionProofsAreAllRefused() throws {
        var random = SplitMix64(seed: Self.seed)
        let proof = try WireVectors.bytes(WireVectors.admissionProofName)
        let secret = Array(UInt8(0x00)...0x1f)
        let exporter = Array(UInt8(0x20)...0x3f)
        let sender = try #require(NodeID(bytes: Array(UInt8(0x40)...0x5f)))
        var refused = 0
        for _ in 0..<20_000 {
            let input = Self.mutate([proof], using: &random)
            guard input != proof else { continue }
            #expect(AdmissionProof.refusal(of: input, secret: secret, exporter: exporter, sender: sender) != nil)
            refused += 1
        }
        #expect(refused > 19_000)
    }

    @Test func verifierFeedsTheVectorsByteByByteAndAllAtOnce() throws {
        let pairs = try WireVectors.allFrames().map { bytes -> (ByteBuffer, [Frame]) in
            var buffer = ByteBuffer(bytes: bytes)
            let frame = try #require(try FrameDecoder.decodeFrame(from: &buffer, maximumLength: Frame.defaultMaximumLength))
            return (ByteBuffer(bytes: bytes), [frame])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder() }
    }

    @Test(arguments: [UInt32(1) << 31, UInt32.max])
    func aHugeClaimedLengthIsRefusedFromItsFourBytesAlone(claimed: UInt32) throws {
        let seen = SeenBuffers()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RecordingFrameDecoder(seen: seen)))
        try channel.pipeline.syncOperations.addHandler(CloseOnError())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        var lengthOnly = ByteBuffer()
        lengthOnly.writeInteger(claimed)
        do {
            try channel.writeInbound(lengthOnly)
            Issue.record("a claimed length of \(claimed) was not refused")
        } catch let error as TransportError {
            guard case .frameTooLarge(let reported, let limit) = error else { throw error }
            #expect(reported == Int(claimed))
            #expect(limit == Frame.defaultMaximumLength)
        }
        // The decoder was asked once, with the four bytes it had, and nothing grew for the claim.
        #expect(seen.readable == [4])
        #expect(seen.capacities.allSatisfy { $0 <= 1024 })
        #expect(!channel.isActive)
        _ = try? channel.finish()
    }

    // MARK: - Inputs

    /// One of the vectors (or two back to back), changed in one to three ways.
    static func mutate(_ seeds: [[UInt8]], using random: inout SplitMix64) -> [UInt8] {
        var bytes = seeds.randomElement(using: &random)!
        if Bool.random(using: &random) { bytes += seeds.randomElement(using: &random)! }
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<7, using: &random) {
            case 0:  // flip one bit
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1:  // overwrite one header byte (length, version, kind) with anything
                bytes[Int.random(in: 0..<min(6, bytes.count), using: &random)] = .random(in: .min ... .max, using: &random)
            case 2:  // truncate
                bytes.removeLast(Int.random(in: 0...bytes.count, using: &random))
            case 3:  // extend: a longer claimed length, or trailing garbage
                setLength(of: &bytes, to: UInt32.random(in: 16...64, using: &random))
                bytes += random.bytes(count: Int.random(in: 0...48, using: &random))
            case 4:  // a huge claimed length
                setLength(of: &bytes, to: [UInt32(1) << 30 + 16, UInt32(1) << 31, .max, UInt32(Frame.defaultMaximumLength) + 1].randomElement(using: &random)!)
            case 5:  // a length below the header
                setLength(of: &bytes, to: UInt32.random(in: 0..<16, using: &random))
            default:  // an unknown version or kind
                if bytes.count > 5 { bytes[Int.random(in: 4...5, using: &random)] = .random(in: 5 ... .max, using: &random) }
            }
            if bytes.isEmpty { break }
        }
        return bytes
    }

    private static func setLength(of bytes: inout [UInt8], to length: UInt32) {
        guard bytes.count >= 4 else { return }
        bytes[0..<4] = [UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
    }

    /// Decodes frames until the decoder wants more bytes or refuses, checking each step.
    static func decodeAll(_ input: [UInt8], limit: Int, into outcomes: inout Outcomes) {
        var buffer = ByteBuffer(bytes: input)
        while true {
            let before = buffer
            do {
                guard let frame = try FrameDecoder.decodeFrame(from: &buffer, maximumLength: limit) else {
                    #expect(buffer.readerIndex == before.readerIndex, "nil must consume nothing")
                    outcomes.needMoreData += 1
                    return
                }
                outcomes.frames += 1
                let consumed = buffer.readerIndex - before.readerIndex
                #expect(consumed >= 4 + Frame.headerSize && consumed <= 4 + limit)
                var reencoded = ByteBuffer()
                frame.write(to: &reencoded)
                #expect(reencoded.readableBytesView.elementsEqual(before.readableBytesView.prefix(consumed)), "input \(input)")
            } catch {
                // `decodeFrame` throws `TransportError` by its type; only the framing cases may occur.
                switch error {
                case .frameTooLarge(let claimed, _): outcomes.tooLarge += 1; #expect(claimed > limit)
                case .malformedFrame: outcomes.malformed += 1
                case .unsupportedVersion(let version): outcomes.badVersion += 1; #expect(version != Frame.version)
                case .unknownFrameKind(let kind): outcomes.badKind += 1; #expect(Frame.Kind(rawValue: kind) == nil)
                default: Issue.record("decoder threw a non-framing error: \(error)")
                }
                return
            }
        }
    }
}

/// What a `RecordingFrameDecoder` was handed, for the memory assertion.
private final class SeenBuffers {
    var readable: [Int] = []
    var capacities: [Int] = []
}

/// `FrameDecoder`, noting the size of the cumulation buffer it is given each time.
private struct RecordingFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame
    let seen: SeenBuffers
    var decoder = FrameDecoder()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        seen.readable.append(buffer.readableBytes)
        seen.capacities.append(buffer.capacity)
        return try decoder.decode(context: context, buffer: &buffer)
    }
}

/// Closes on the first error, as `RPCHandler` does at the top of the real pipeline.
private final class CloseOnError: ChannelInboundHandler {
    typealias InboundIn = Frame

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
        context.fireErrorCaught(error)
    }
}
