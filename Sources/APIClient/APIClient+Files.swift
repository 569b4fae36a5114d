import APIModel
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

extension APIClient {
    /// What `POST /v1/files` answers (the API's document, named here for callers of `upload`).
    public typealias StoredFile = APIModel.StoredFile

    /// Streams bytes from `read` to `POST /v1/files`. `read` fills a buffer and returns how
    /// many bytes it wrote, 0 at the end. Memory stays at a few buffers: each write waits
    /// for the connection to take the previous ones. `inTree`: a file of a tree being stored
    /// (`p2p put -r`), removed with it (`?source=tree`).
    public func upload(
        length: UInt64?, inTree: Bool = false, read: @escaping @Sendable (UnsafeMutableRawBufferPointer) throws -> Int,
        progress: @escaping @Sendable (UInt64) -> Void = { _ in }
    ) async throws -> StoredFile {
        let uri = inTree ? "/v1/files?source=tree" : "/v1/files"
        return try await streaming(.POST, uri) { outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: uri)
            addHeaders(&head)
            if let length { head.headers.add(name: "Content-Length", value: "\(length)") } else { head.headers.add(name: "Transfer-Encoding", value: "chunked") }
            try await outbound.write(.head(head))
            var sent: UInt64 = 0
            // A few buffers taken in turn: by the time one comes round again the connection
            // has sent it, so its memory is reused. A fresh megabyte per read cost the kernel
            // zeroing new pages, 40 % of this process's CPU during a put (clear_page_erms).
            // One the connection still holds is not touched: `clear` then gives it new storage.
            var buffers = (0..<Self.uploadBuffers).map { _ in ByteBufferAllocator().buffer(capacity: 1 << 20) }
            for turn in 0... {
                let count = try buffers[turn % buffers.count].clearAndRead(read)
                if count == 0 { break }
                try await outbound.write(.body(.byteBuffer(buffers[turn % buffers.count])))
                sent += UInt64(count)
                progress(sent)
            }
            try await outbound.write(.end(nil))
        } response: { status, headers, body in
            var collected: [UInt8] = []
            for try await buffer in body where collected.count < 1 << 20 { collected += buffer.readableBytesView }
            return try decodeAnswer(StoredFile.self, status: status, body: collected)
        }
    }

    /// Upload buffers in turn (each 1 MiB).
    static let uploadBuffers = 4

    /// Streams `GET /v1/files/{cap}` into `write`; `onLength` learns the size first. Throws
    /// unless the whole announced length arrived: a cut-off transfer is an error, never a short file.
    public func download(
        capability: String, onLength: @escaping @Sendable (UInt64) -> Void = { _ in },
        write: @escaping @Sendable (ByteBuffer) throws -> Void
    ) async throws -> UInt64 {
        let path = "/v1/files/" + (capability.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? capability)
        return try await streaming(.GET, path) { outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            addHeaders(&head)
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
        } response: { status, headers, body in
            guard (200..<300).contains(status) else {
                var collected: [UInt8] = []
                for try await buffer in body where collected.count < 1 << 16 { collected += buffer.readableBytesView }
                _ = try decodeAnswer([String: String].self, status: status, body: collected)
                throw APIClientError.failed(status: status, message: "HTTP \(status)")
            }
            guard let expected = headers.first(name: "Content-Length").flatMap({ UInt64($0) }) else {
                throw APIClientError.badResponse(address: address, reason: "no Content-Length")
            }
            onLength(expected)
            var received: UInt64 = 0
            for try await buffer in body {
                received += UInt64(buffer.readableBytes)
                try write(buffer)
            }
            guard received == expected else {
                throw APIClientError.badResponse(address: address, reason: "transfer cut off after \(received) of \(expected) bytes")
            }
            return received
        }
    }

    /// `range` of a file's bytes (`GET /v1/files/{cap}` with `Range`), verified by the peer
    /// like every read; throws unless exactly those bytes arrived. `range` must lie within the file.
    public func read(capability: String, range: Range<UInt64>) async throws -> [UInt8] {
        guard !range.isEmpty else { return [] }
        let path = "/v1/files/" + (capability.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? capability)
        let address = address
        return try await streaming(.GET, path) { outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            addHeaders(&head)
            head.headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound - 1)")
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
        } response: { status, headers, body in
            guard status == 206 || status == 200 else {
                var collected: [UInt8] = []
                for try await buffer in body where collected.count < 1 << 16 { collected += buffer.readableBytesView }
                _ = try decodeAnswer([String: String].self, status: status, body: collected)
                throw APIClientError.failed(status: status, message: "HTTP \(status)")
            }
            // A 200 is the whole file (a range the peer chose not to serve); the range is cut from it.
            let skip = status == 200 ? range.lowerBound : 0
            let wanted = Int(range.upperBound - range.lowerBound)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(wanted)
            var position: UInt64 = 0
            for try await buffer in body {
                let count = buffer.readableBytes
                let start = position, end = position + UInt64(count)
                position = end
                guard end > skip, bytes.count < wanted else { continue }
                let from = Int(max(start, skip) - start)
                let take = min(count - from, wanted - bytes.count)
                buffer.withUnsafeReadableBytes { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[from..<from + take])) }
            }
            guard bytes.count == wanted else {
                throw APIClientError.badResponse(address: address, reason: "range cut off after \(bytes.count) of \(wanted) bytes")
            }
            return bytes
        }
    }

    /// `GET /v1/files`: the files this peer stored as their owner.
    public func ownedFiles() async throws -> OwnedFiles {
        let response = try await request(.GET, "/v1/files")
        return try decodeAnswer(OwnedFiles.self, status: response.status, body: response.body)
    }

    /// `DELETE /v1/files/{cap}`: drops this owner's references to a file.
    public func remove(capability: String) async throws -> RemovedFile {
        let encoded = capability.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? capability
        let response = try await request(.DELETE, "/v1/files/\(encoded)")
        return try decodeAnswer(RemovedFile.self, status: response.status, body: response.body)
    }

    /// `POST /v1/dirs`: stores a directory whose entries are already stored; its capability.
    /// `isRoot`: the root of the tree being stored (`?root=1`): a tree of its own for `p2p rm`.
    public func storeDirectory(_ document: DirectoryDocument, isRoot: Bool = false) async throws -> StoredFile {
        let response = try await request(.POST, isRoot ? "/v1/dirs?root=1" : "/v1/dirs", body: Array(try JSONEncoder().encode(document)))
        return try decodeAnswer(StoredFile.self, status: response.status, body: response.body)
    }

    /// `GET /v1/dirs/{cap}`: a directory's entries, without any file's contents.
    public func directory(capability: String) async throws -> DirectoryDocument {
        let encoded = capability.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? capability
        let response = try await request(.GET, "/v1/dirs/\(encoded)")
        return try decodeAnswer(DirectoryDocument.self, status: response.status, body: response.body)
    }

    /// `GET /v1/dirs/{cap}?format=listing`: a directory's listing in its own binary encoding
    /// (docs/formats.md), to decode with `DirectoryListing(decoding:)`.
    public func directoryListing(capability: String) async throws -> [UInt8] {
        let encoded = capability.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? capability
        return try await request(.GET, "/v1/dirs/\(encoded)?format=listing").body
    }

    /// `GET /v1/files/{cap}/chunks`.
    public func locate(capability: String) async throws -> [UInt8] {
        let encoded = capability.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? capability
        return try await request(.GET, "/v1/files/\(encoded)/chunks").body
    }

    private func addHeaders(_ head: inout HTTPRequestHead) {
        head.headers.add(name: "Host", value: address.description)
        head.headers.add(name: "Authorization", value: "Bearer \(token)")
        head.headers.add(name: "Connection", value: "close")
    }

    private func decodeAnswer<T: Decodable>(_ type: T.Type, status: Int, body: [UInt8]) throws -> T {
        let response = APIClientResponse(status: status, headers: [], body: body)
        switch status {
        case 200..<300:
            do {
                return try JSONDecoder().decode(type, from: Data(body))
            } catch {
                throw APIClientError.badResponse(address: address, reason: "cannot decode \(T.self): \(error)")
            }
        case 401: throw APIClientError.refusedToken(address: address)
        default: throw APIClientError.failed(status: status, message: response.errorMessage)
        }
    }

    /// One streamed exchange: `send` writes the request while `response` reads the answer.
    private func streaming<T: Sendable>(
        _ method: HTTPMethod, _ path: String,
        send: @escaping @Sendable (NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>) async throws -> Void,
        response: @escaping @Sendable (Int, HTTPHeaders, ResponseBodyParts) async throws -> T
    ) async throws -> T {
        let channel = try await openChannel()
        let address = address
        return try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    // A server may answer before reading everything (an error); its answer still counts.
                    try? await send(outbound)
                    return nil
                }
                group.addTask {
                    var iterator = inbound.makeAsyncIterator()
                    guard case .head(let head)? = try await iterator.next() else {
                        throw APIClientError.badResponse(address: address, reason: "connection closed before a response")
                    }
                    return try await response(Int(head.status.code), head.headers, ResponseBodyParts(iterator: iterator))
                }
                while let result = try await group.next() {
                    if let result {
                        group.cancelAll()
                        return result
                    }
                }
                throw APIClientError.badResponse(address: address, reason: "no response")
            }
        }
    }
}

/// The body parts of a response, as byte buffers, ending at `.end`.
public struct ResponseBodyParts: AsyncSequence, @unchecked Sendable {
    public typealias Element = ByteBuffer
    var iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        public mutating func next() async throws -> ByteBuffer? {
            while let part = try await inner.next() {
                switch part {
                case .body(let buffer): return buffer
                case .end: return nil
                case .head: continue
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: iterator) }
}

extension ByteBuffer {
    /// Empties the buffer and fills it by one `read` of up to 1 MiB; how many bytes came.
    fileprivate mutating func clearAndRead(_ read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        clear()
        return try writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { try read($0) }
    }
}
