import Foundation
import Testing

@testable import S3Protocol

/// The streaming example of sigv4-streaming.html: 66560 bytes of `a` in 64 KiB chunks.
struct AWSChunkedDecoderTests {
    static let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    static let chunkSignatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]
    static let payload = [UInt8](repeating: UInt8(ascii: "a"), count: 66_560)

    static let head = SignedRequestHead(
        method: "PUT", rawPath: "/examplebucket/chunkObject.txt", rawQuery: "",
        headers: [
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("Authorization", SigV4Tests.authorization(
                "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class", seed)),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", "66824"),
        ])

    static func body(signatures: [String] = chunkSignatures, sizes: [Int] = [65_536, 1024]) -> [UInt8] {
        var body: [UInt8] = []
        for (size, signature) in zip(sizes + [0], signatures) {
            body += Array("\(String(size, radix: 16));chunk-signature=\(signature)\r\n".utf8)
            body += [UInt8](repeating: UInt8(ascii: "a"), count: size) + Array("\r\n".utf8)
        }
        return body
    }

    static func signedDecoder() throws -> AWSChunkedDecoder {
        let authorization = try #require(try SigV4.parse(head))
        #expect(authorization.payload == .streaming)
        let key = try SigV4.verify(head, authorization, secret: SigV4Tests.secret, now: SigV4Tests.soon)
        return AWSChunkedDecoder(signingKey: key, seedSignature: authorization.signature, date: authorization.date, scope: authorization.scope)
    }

    /// Decodes all at once, or in pieces of `step` bytes; the error code when it fails.
    static func decode(_ body: [UInt8], step: Int? = nil, decoder: AWSChunkedDecoder) -> (output: [UInt8], error: String?) {
        var decoder = decoder
        var output: [UInt8] = []
        do throws(S3Error) {
            var index = 0
            let step = step ?? max(body.count, 1)
            while index < body.count {
                output += try decoder.feed(body[index..<min(body.count, index + step)])
                index += step
            }
            try decoder.finish()
            return (output, nil)
        } catch {
            return (output, error.code)
        }
    }

    @Test func theDocumentedExampleDecodesAllAtOnceAndByteByByte() throws {
        let body = Self.body()
        #expect(body.count == 66_824)
        let decoder = try Self.signedDecoder()
        let whole = Self.decode(body, decoder: decoder)
        #expect(whole.error == nil)
        #expect(whole.output == Self.payload)
        let bytewise = Self.decode(body, step: 1, decoder: decoder)
        #expect(bytewise.error == nil)
        #expect(bytewise.output == Self.payload)
        #expect(Self.decode(body, step: 4093, decoder: decoder).output == Self.payload)
    }

    @Test func signedBytesAreReleasedOnlyOnceTheirChunkVerifies() throws {
        var decoder = try Self.signedDecoder()
        let body = Self.body()
        #expect(try decoder.feed(body[0..<60_000]).isEmpty)
        #expect(try decoder.feed(body[60_000..<65_626]).count == 65_536)
    }

    @Test func aBadChunkSignatureIsRefused() throws {
        var signatures = Self.chunkSignatures
        signatures[1] = String(signatures[1].reversed())
        #expect(Self.decode(Self.body(signatures: signatures), decoder: try Self.signedDecoder()).error == "SignatureDoesNotMatch")
        signatures = Self.chunkSignatures
        signatures[2] = signatures[0]
        let result = Self.decode(Self.body(signatures: signatures), step: 1, decoder: try Self.signedDecoder())
        #expect(result.error == "SignatureDoesNotMatch")
        #expect(result.output.count == 66_560, "both data chunks verified; only the final one failed")
    }

    @Test func reorderedOrReplayedChunksFail() throws {
        // The second chunk's data with the first chunk's signature: the chain breaks.
        let body = Self.body(signatures: [Self.chunkSignatures[0], Self.chunkSignatures[0], Self.chunkSignatures[2]])
        #expect(Self.decode(body, decoder: try Self.signedDecoder()).error == "SignatureDoesNotMatch")
    }

    @Test func framingLiesAndTruncation() throws {
        let decoder = try Self.signedDecoder()
        let body = Self.body()
        // Claims more bytes than follow before the next header.
        var lying = body
        lying.replaceSubrange(0..<5, with: Array("10002".utf8))
        #expect(Self.decode(lying, decoder: decoder).error != nil)
        // Claims fewer: the data does not end in CRLF where it should.
        lying = body
        lying.replaceSubrange(0..<5, with: Array("0fffe".utf8))
        #expect(Self.decode(lying, decoder: decoder).error == "IncompleteBody")
        // Cut short anywhere: never complete.
        for cut in [0, 10, 88, 65_000, 65_626, body.count - 1] {
            #expect(Self.decode(Array(body[..<cut]), decoder: decoder).error == "IncompleteBody")
        }
        // Bytes after the end.
        #expect(Self.decode(body + Array("x".utf8), decoder: decoder).error == "IncompleteBody")
    }

    @Test func oversizeChunksAndEndlessLinesAreRefusedWithoutAllocating() {
        let unsigned = AWSChunkedDecoder(signingKey: nil, seedSignature: nil, date: SigV4Tests.exampleDate, scope: "s", maximumChunkSize: 1 << 20)
        #expect(Self.decode(Array("100001\r\n".utf8), decoder: unsigned).error == "InvalidArgument")
        #expect(Self.decode(Array("ffffffffffffffffff\r\n".utf8), decoder: unsigned).error == "IncompleteBody")
        #expect(Self.decode(Array("7fffffffffffffff\r\n".utf8), decoder: unsigned).error == "InvalidArgument")
        #expect(Self.decode([UInt8](repeating: UInt8(ascii: "1"), count: 10_000), step: 1, decoder: unsigned).error == "IncompleteBody")
        #expect(Self.decode(Array("zz\r\n".utf8), decoder: unsigned).error == "IncompleteBody")
        #expect(Self.decode(Array("5\nhello\r\n".utf8), decoder: unsigned).error == "IncompleteBody")
    }

    @Test func unsignedTrailerVariantWithChecksumTrailer() {
        let body = Array("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n".utf8)
        let decoder = AWSChunkedDecoder(signingKey: nil, seedSignature: nil, date: SigV4Tests.exampleDate, scope: "s")
        for step in [nil, 1, 3] {
            let result = Self.decode(body, step: step, decoder: decoder)
            #expect(result.error == nil)
            #expect(String(decoding: result.output, as: UTF8.self) == "hello world")
        }
        let endless = Array("0\r\n".utf8) + Array(repeating: Array("x-amz-a:b\r\n".utf8), count: 500).flatMap { $0 } + Array("\r\n".utf8)
        #expect(Self.decode(endless, decoder: decoder).error == "IncompleteBody")
        #expect(Self.decode(Array("0\r\n".utf8), decoder: decoder).error == "IncompleteBody")
    }
}
