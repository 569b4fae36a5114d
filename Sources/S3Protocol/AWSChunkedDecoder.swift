import Foundation
import OpenSSLKit

/// Decodes a `Content-Encoding: aws-chunked` body incrementally
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
///
/// Signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`): `hex-size;chunk-signature=sig\r\n<data>\r\n`,
/// each signature chained from the previous one, starting from the request's signature.
/// A signed chunk's bytes are released only once its signature checks, so no
/// unauthenticated byte ever reaches storage; memory is bounded by `maximumChunkSize`.
/// Unsigned (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`): `hex-size\r\n<data>\r\n`, bytes released
/// as they come. Both end with a zero-size chunk, optional trailer headers (checksums,
/// accepted and ignored) and an empty line.
///
/// Framing errors give `IncompleteBody`, an oversize chunk `InvalidArgument`, a bad chunk
/// signature `SignatureDoesNotMatch`. Feeding byte by byte or all at once is the same.
public struct AWSChunkedDecoder: Sendable {
    /// The longest chunk header or trailer line accepted.
    public static let maximumLineLength = 4096
    /// The most trailer bytes accepted after the final chunk.
    public static let maximumTrailerSize = 4096

    private enum State: Sendable {
        case header
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailer
        case done
        case failed(S3Error)
    }

    private let signingKey: [UInt8]?
    private let amzDate: String
    private let scope: String
    private let maximumChunkSize: Int
    private var previousSignature: String
    private var state = State.header
    private var line: [UInt8] = []
    private var trailerSize = 0
    /// The current signed chunk: its claimed signature and the bytes so far.
    private var chunkSignature = ""
    private var chunk: [UInt8] = []

    /// `signingKey` and `seedSignature` (the request's own signature) for signed bodies,
    /// both nil for the unsigned-trailer variant; `date` and `scope` from the authorization.
    public init(signingKey: [UInt8]?, seedSignature: String?, date: Date, scope: String, maximumChunkSize: Int = 16 << 20) {
        precondition((signingKey == nil) == (seedSignature == nil), "a signed body needs both the signing key and the seed signature")
        self.signingKey = signingKey
        self.previousSignature = seedSignature ?? ""
        self.amzDate = HTTPDate.amzDate(date)
        self.scope = scope
        self.maximumChunkSize = maximumChunkSize
    }

    /// Consumes the next bytes of the body and returns the payload bytes they complete
    /// (possibly none). After a thrown error every later call throws it again.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(S3Error) -> [UInt8] {
        if case .failed(let error) = state { throw error }
        do {
            return try consume(bytes)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Checks that the body ended exactly after the final chunk and its trailers.
    public func finish() throws(S3Error) {
        switch state {
        case .done: return
        case .failed(let error): throw error
        default: throw .incompleteBody
        }
    }

    private mutating func consume(_ bytes: ArraySlice<UInt8>) throws(S3Error) -> [UInt8] {
        var output: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch state {
            case .header, .trailer:
                let newline = bytes[index...].firstIndex(of: 0x0A)
                let end = newline ?? bytes.endIndex
                // The line's CR counts too; checked before copying so a flood costs nothing.
                guard line.count + (end - index) <= Self.maximumLineLength + 1 else { throw .incompleteBody }
                line.append(contentsOf: bytes[index..<end])
                index = newline.map { $0 + 1 } ?? end
                if newline != nil {
                    guard line.last == 0x0D else { throw .incompleteBody }
                    line.removeLast()
                    let complete = line
                    line = []
                    if case .header = state { try startChunk(complete) } else { try trailerLine(complete) }
                }
            case .data(let remaining):
                let count = min(remaining, bytes.endIndex - index)
                if signingKey == nil {
                    output.append(contentsOf: bytes[index..<(index + count)])
                } else {
                    chunk.append(contentsOf: bytes[index..<(index + count)])
                }
                index += count
                state = remaining == count ? .dataCR : .data(remaining: remaining - count)
            case .dataCR:
                guard bytes[index] == 0x0D else { throw .incompleteBody }
                index += 1
                state = .dataLF
            case .dataLF:
                guard bytes[index] == 0x0A else { throw .incompleteBody }
                index += 1
                if signingKey != nil {
                    try verifyChunk()
                    output.append(contentsOf: chunk)
                    chunk = []
                }
                state = .header
            case .done:
                throw .incompleteBody.with(message: "The aws-chunked body continues after its final chunk.")
            case .failed(let error):
                throw error
            }
        }
        return output
    }

    /// Parses `hex-size[;chunk-signature=sig]` and moves to the chunk's data.
    private mutating func startChunk(_ header: [UInt8]) throws(S3Error) {
        let parts = header.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        let sizeText = parts[0]
        guard (1...16).contains(sizeText.count), let size = UInt64(String(decoding: sizeText, as: UTF8.self), radix: 16) else {
            throw .incompleteBody
        }
        guard size <= UInt64(maximumChunkSize) else {
            throw .invalidArgument("An aws-chunked chunk of \(size) bytes exceeds the limit of \(maximumChunkSize).")
        }
        if signingKey != nil {
            let prefix = Array("chunk-signature=".utf8)
            guard let signature = parts.dropFirst().first(where: { $0.starts(with: prefix) })?.dropFirst(prefix.count),
                signature.count == 64
            else { throw .incompleteBody }
            chunkSignature = String(decoding: signature, as: UTF8.self).lowercased()
            chunk.reserveCapacity(min(Int(size), 1 << 20))
        }
        if size == 0 {
            if signingKey != nil { try verifyChunk() }
            state = .trailer
        } else {
            state = .data(remaining: Int(size))
        }
    }

    /// A trailer header (accepted, ignored) or the empty line that ends the body.
    private mutating func trailerLine(_ text: [UInt8]) throws(S3Error) {
        if text.isEmpty {
            state = .done
            return
        }
        trailerSize += text.count + 2
        guard trailerSize <= Self.maximumTrailerSize, text.contains(UInt8(ascii: ":")) else { throw .incompleteBody }
    }

    private mutating func verifyChunk() throws(S3Error) {
        guard let signingKey else { return }
        let expected = SigV4.chunkSignature(
            signingKey: signingKey, amzDate: amzDate, scope: scope, previous: previousSignature, chunkHash: SHA256.hash(chunk))
        guard HMACSHA256.isEqual(Array(expected.utf8), Array(chunkSignature.utf8)) else { throw .signatureDoesNotMatch }
        previousSignature = expected
    }
}
