import APIModel
import Content
import Foundation
import Hummingbird
import Peer

/// `POST /v1/files`, `GET /v1/files` (what this owner stored), `GET /v1/files/{cap}` (with
/// `Range`), `DELETE /v1/files/{cap}`, `GET /v1/files/{cap}/chunks`, and directories:
/// `POST /v1/dirs` (a `DirectoryDocument`) and `GET /v1/dirs/{cap}` (`?format=listing`: the
/// binary listing).
enum FileRoutes {
    static func add(to router: Router<BasicRequestContext>, source: any FileSource) {
        router.post("/v1/files") { request, _ -> Response in
            let encoded: EncodedFile
            do {
                encoded = try await source.store(ByteArrays(body: request.body), source: try Self.ownerSource(request))
            } catch let error as DataPathError {
                // No capability: chunks already stored stay, unowned, until their lease ends.
                throw error.isOutOfSpace ? APIError.insufficientStorage("\(error)") : APIError.unavailable("\(error)")
            }
            let body = try JSONEncoder().encode(StoredFile(cap: encoded.capability.description, size: encoded.size))
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body + [0x0A])))
        }

        router.get("/v1/files") { _, _ -> Response in
            try JSONResponse.make(try await source.ownedFileList())
        }

        router.delete("/v1/files/:cap") { _, context -> Response in
            let capability = try parseCapability(context.parameters.get("cap") ?? "")
            let removed: RemovedFile?
            do {
                removed = try await source.remove(capability)
            } catch let refusal as PeerNode.RemovalRefusal {
                throw APIError.conflict("\(refusal)")
            }
            guard let removed else {
                throw APIError.resourceNotFound("this peer does not own this file (it lists what it stored: GET /v1/files)")
            }
            return try JSONResponse.make(removed)
        }

        router.get("/v1/files/:cap") { request, context -> Response in
            let capability = try parseCapability(context.parameters.get("cap") ?? "")
            let info = try await fileInfo(capability, source: source)
            var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes"]
            let status: HTTPResponse.Status
            let length: UInt64
            let range: Range<UInt64>?
            switch ByteRange.resolve(request.headers[.range], size: info.size) {
            case .unsatisfiable:
                throw APIError.rangeNotSatisfiable(size: info.size)
            case .full:
                (status, length, range) = (.ok, info.size, nil)
            case .partial(let part):
                (status, length, range) = (.partialContent, part.upperBound - part.lowerBound, part)
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(info.size)"
            }
            headers[.contentLength] = "\(length)"
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(clamping: length)) { writer in
                // A failure after the headers went out (a chunk no peer has, a hash that does
                // not match) aborts the connection: the client sees a short body, never a wrong one.
                try await source.read(capability, range: range) { slice in
                    try await writer.write(ByteBuffer(bytes: slice))
                }
                try await writer.finish(nil)
            })
        }

        router.post("/v1/dirs") { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maximumDirectoryDocument)
            } catch {
                throw APIError.badRequest("a directory document is at most \(maximumDirectoryDocument >> 20) MiB")
            }
            let document: DirectoryDocument
            do {
                document = try JSONDecoder().decode(DirectoryDocument.self, from: Data(body.readableBytesView))
            } catch {
                throw APIError.badRequest("not a directory document: \(error)")
            }
            let encoded: EncodedFile
            do {
                encoded = try await source.storeDirectory(try document.listing(), isRoot: request.uri.queryParameters.get("root") == "1")
            } catch let error as DataPathError {
                throw error.isOutOfSpace ? APIError.insufficientStorage("\(error)") : APIError.unavailable("\(error)")
            }
            let stored = try JSONEncoder().encode(StoredFile(cap: encoded.capability.description, size: encoded.size))
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: stored + [0x0A])))
        }

        router.get("/v1/dirs/:cap") { request, context -> Response in
            let capability = try parseCapability(context.parameters.get("cap") ?? "")
            let listing: DirectoryListing
            do {
                listing = try await source.directory(capability)
            } catch ContentError.wrongContentKind {
                throw APIError.badRequest("this capability is a file, not a directory (p2p get CAP reads it)")
            } catch DataPathError.chunkUnavailable, ContentError.chunkNotFound {
                throw APIError.resourceNotFound("no peer holds this directory's listing")
            }
            if request.uri.queryParameters.get("format") == "listing" {
                // The listing's own encoding (docs/formats.md): what a mount reads, without JSON.
                return Response(
                    status: .ok, headers: [.contentType: "application/octet-stream"],
                    body: .init(byteBuffer: ByteBuffer(bytes: listing.encoded())))
            }
            return try JSONResponse.make(DirectoryDocument(listing))
        }

        router.get("/v1/files/:cap/chunks") { _, context -> Response in
            let capability = try parseCapability(context.parameters.get("cap") ?? "")
            _ = try await fileInfo(capability, source: source)
            let located = try await source.locate(capability)
            let report = ChunkLocations(chunks: located.map { ChunkLocations.Chunk(id: $0.0.description, holders: $0.1) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(report) + [0x0A])))
        }
    }

    /// The largest `POST /v1/dirs` body: about 200,000 entries.
    static let maximumDirectoryDocument = 64 << 20

    /// A capability from a path parameter; 400 when it does not parse.
    static func parseCapability(_ text: String) throws -> Capability {
        do {
            return try Capability(parsing: text.utf8.contains(UInt8(ascii: "%")) ? text.removingPercentEncoding ?? text : text)
        } catch {
            throw APIError.badRequest("malformed capability: \(error)")
        }
    }

    /// The ledger source of a stored file: `?source=tree` for a file of a tree being stored
    /// (`p2p put -r`), a plain put otherwise.
    private static func ownerSource(_ request: Request) throws -> String {
        switch request.uri.queryParameters.get("source") {
        case nil, "put": PeerNode.putSource
        case "tree": PeerNode.treeFileSource
        case let other?: throw APIError.badRequest("unknown source \(other.debugDescription): put or tree")
        }
    }

    private static func fileInfo(_ capability: Capability, source: any FileSource) async throws -> FileInfo {
        do {
            return try await source.info(capability)
        } catch DataPathError.chunkUnavailable, ContentError.chunkNotFound {
            throw APIError.resourceNotFound("no peer holds this file's manifest")
        }
    }
}

/// A request body as the byte arrays the encoder reads.
struct ByteArrays: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let body: RequestBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var inner: RequestBody.AsyncIterator
        mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await inner.next() else { return nil }
            return Array(buffer: buffer)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: body.makeAsyncIterator()) }
}
