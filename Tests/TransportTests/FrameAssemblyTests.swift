import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
import TestSupport

@testable import Transport

/// Big payloads that span reads are assembled in a buffer of their own, taking the bytes
/// out of each read: the handler's cumulation never holds a whole payload, so appending a
/// read never copies a buffer a delivered frame still shares.
@Suite struct FrameAssemblyTests {
    @Test func theVectorsDecodeTheSameWhenEveryPayloadIsAssembledApart() throws {
        let pairs = try WireVectors.allFrames().map { bytes -> (ByteBuffer, [Frame]) in
            var buffer = ByteBuffer(bytes: bytes)
            let frame = try #require(try FrameDecoder.decodeFrame(from: &buffer, maximumLength: Frame.defaultMaximumLength))
            return (ByteBuffer(bytes: bytes), [frame])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder(streamingThreshold: 0) }
    }

    @Test func aBigPayloadInPiecesIsAssembledWithoutCumulatingIt() throws {
        var random = SplitMix64(seed: 42)
        let big = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let frames = [
            Frame(kind: .request, code: 7, requestID: 1, deadlineMilliseconds: 500, payload: ByteBuffer(bytes: big)),
            Frame(kind: .response, requestID: 2, payload: ByteBuffer(bytes: [1, 2, 3])),
            Frame(kind: .cancel, requestID: 3),
            Frame(kind: .response, requestID: 4, payload: ByteBuffer(bytes: big.reversed())),
        ]
        var wire = ByteBuffer()
        for frame in frames { frame.write(to: &wire) }

        let seen = ReadableSizes()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MeasuredDecoder(seen: seen)))
        var largestPiece = 0
        while wire.readableBytes > 0 {
            let piece = min(wire.readableBytes, Int.random(in: 1...40_000, using: &random))
            largestPiece = max(largestPiece, piece)
            try channel.writeInbound(wire.readSlice(length: piece)!)
        }
        var received: [Frame] = []
        while let frame = try channel.readInbound(as: Frame.self) { received.append(frame) }
        #expect(received == frames)
        // The decoder never saw more than a piece and a small frame's leftovers at once.
        #expect(seen.largest <= largestPiece + 64, "the cumulation held \(seen.largest) bytes")
        #expect(try channel.finish().isClean)
    }

    @Test func aConnectionEndingInsideAnAssembledPayloadIsAnError() throws {
        var wire = ByteBuffer()
        Frame(kind: .request, requestID: 1, payload: ByteBuffer(repeating: 9, count: 100_000)).write(to: &wire)
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        try channel.writeInbound(wire.readSlice(length: 50_000)!)
        #expect(try channel.readInbound(as: Frame.self) == nil)
        #expect(throws: TransportError.self) { try channel.finish() }
    }
}

/// The largest buffer a `FrameDecoder` is handed.
private final class ReadableSizes {
    var largest = 0
}

private struct MeasuredDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame
    let seen: ReadableSizes
    var decoder = FrameDecoder()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        seen.largest = max(seen.largest, buffer.readableBytes)
        return try decoder.decode(context: context, buffer: &buffer)
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decoder.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }
}
