import Codecs
import Foundation
import Hummingbird
import NIOCore
import OpenSSLKit
import S3Protocol

/// A request body as the byte arrays the file encoder reads, checked against how it was
/// signed: a declared SHA-256 is compared at the end, an aws-chunked body is decoded and
/// each chunk's signature checked as it arrives. A body that fails throws an `S3Error` from
/// its last read, before anything that read it can commit, so a bad body changes nothing.
/// Also counts the bytes and computes their MD5 (the ETag) on the way.
struct S3Body: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    enum Encoding: Sendable {
        case plain(sha256: String?)
        case chunked(AWSChunkedDecoder)
    }

    let body: RequestBody
    let encoding: Encoding
    /// The decoded length the client declared (`x-amz-decoded-content-length` or `Content-Length`).
    let declaredLength: UInt64?
    let digest: BodyDigest

    struct AsyncIterator: AsyncIteratorProtocol {
        var source: RequestBody.AsyncIterator
        var encoding: Encoding
        var sha256: SHA256?
        let declaredLength: UInt64?
        let digest: BodyDigest
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            while !finished {
                guard let buffer = try await source.next() else {
                    finished = true
                    try finish()
                    return nil
                }
                var bytes = Array(buffer.readableBytesView)
                if case .chunked(var decoder) = encoding {
                    bytes = try decoder.feed(bytes[...])
                    encoding = .chunked(decoder)
                } else {
                    sha256?.update(bytes)
                }
                guard !bytes.isEmpty else { continue }
                digest.add(bytes)
                return bytes
            }
            return nil
        }

        private mutating func finish() throws {
            switch encoding {
            case .chunked(let decoder):
                try decoder.finish()
            case .plain(let expected):
                if let expected, let sha256 {
                    guard Hex.encode(sha256.finalize()) == expected.lowercased() else { throw S3Error.contentSHA256Mismatch }
                }
            }
            if let declaredLength, declaredLength != digest.count { throw S3Error.incompleteBody }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        var sha256: SHA256?
        if case .plain(let expected) = encoding, expected != nil { sha256 = SHA256() }
        return AsyncIterator(source: body.makeAsyncIterator(), encoding: encoding, sha256: sha256, declaredLength: declaredLength, digest: digest)
    }

    /// The whole body, at most `limit` bytes (XML request documents).
    func collect(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            guard bytes.count + chunk.count <= limit else { throw S3Error.entityTooLarge }
            bytes += chunk
        }
        return bytes
    }
}

/// The MD5 and length of the bytes a body yielded.
final class BodyDigest: @unchecked Sendable {
    // Touched only by the one task that reads the body, then read after it finished.
    private let md5 = MD5()
    private(set) var count: UInt64 = 0

    func add(_ bytes: [UInt8]) {
        md5.update(bytes)
        count += UInt64(bytes.count)
    }

    /// MD5 hex of everything added; call once, after the body is read.
    func finalize() -> String {
        Hex.encode(md5.finalize())
    }
}
