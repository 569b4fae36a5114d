import Codecs
import APIModel
import Content
import Foundation
import HTTPTypes
import Hummingbird
import OpenSSLKit
import S3Protocol

/// CreateMultipartUpload, UploadPart, UploadPartCopy, ListParts, AbortMultipartUpload,
/// CompleteMultipartUpload, ListMultipartUploads. Each part is a file in the network as
/// soon as it is acknowledged; completing writes one entry naming them in order.
extension S3Responder {
    /// S3's smallest part, but for the last.
    static let minimumPartSize: UInt64 = 5 << 20

    func createUpload(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        try request.checkMetadata()
        let id = Hex.encode(try SecureRandom.bytes(count: 16))
        let upload: MultipartUploads.Upload
        do {
            upload = try await uploads.create(bucket: bucket, key: key, headers: request.storedHeaders, metadata: request.userMetadata, id: id)
        } catch MultipartUploadsError.tooMany {
            throw S3Error.slowDown
        }
        var xml = XMLWriter()
        xml.open("InitiateMultipartUploadResult", namespace: XMLWriter.s3Namespace)
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("UploadId", upload.id)
        xml.close("InitiateMultipartUploadResult")
        return Self.xmlResponse(xml)
    }

    func uploadPart(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        let upload = try await existingUpload(request, bucket: bucket, key: key)
        guard let text = request.query["partNumber"], let number = Int(text), CompleteMultipartUploadRequest.partNumbers.contains(number) else {
            throw S3Error.invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
        }
        let part: MultipartUploads.Part
        if request.header("x-amz-copy-source") != nil {
            part = try await copyPart(request, number: number)
        } else {
            let expectedMD5 = try Self.contentMD5(request)
            let stored = try await realm.network.store(request.body, as: .object)
            let etag = request.body.digest.finalize()
            if let expectedMD5, expectedMD5 != etag { throw S3Error.badDigest }
            part = .init(number: number, cap: stored.capability.description, size: stored.size, etag: etag, modified: S3Realm.milliseconds())
        }
        realm.references.touch(part.cap, holding: 1)
        do {
            if let replaced = try await uploads.add(part, to: upload.id) { realm.references.drop(replaced.cap) }
        } catch MultipartUploadsError.noSuchUpload {
            realm.references.drop(part.cap)
            throw S3Error.noSuchUpload(upload.id)
        }
        guard request.header("x-amz-copy-source") != nil else { return Self.empty(.ok, headers: [.eTag: "\"\(part.etag)\""]) }
        var xml = XMLWriter()
        xml.open("CopyPartResult", namespace: XMLWriter.s3Namespace)
        xml.element("LastModified", HTTPDate.iso8601(Date(milliseconds: part.modified)))
        xml.element("ETag", "\"\(part.etag)\"")
        xml.close("CopyPartResult")
        return Self.xmlResponse(xml)
    }

    /// UploadPartCopy: the source range is read and stored as the part.
    private func copyPart(_ request: S3Request, number: Int) async throws -> MultipartUploads.Part {
        let (sourceBucket, sourceKey) = try Self.copySource(request)
        guard request.accessKey.allows(sourceBucket) else { throw S3Error.accessDenied }
        guard try await realm.bucket(sourceBucket) != nil else { throw S3Error.noSuchBucket(sourceBucket) }
        let source = try await object(sourceBucket, sourceKey)
        try Self.evaluateCopyConditions(request, source)
        var range: Range<UInt64> = 0..<source.size
        if let header = request.header("x-amz-copy-source-range") {
            guard case .partial(let part) = ByteRange.resolve(header, size: source.size) else {
                throw S3Error.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
            }
            range = part
        }
        let digest = BodyDigest()
        let network = realm.network
        let parts = source.parts, copied = range
        let bytes = AsyncThrowingStream<[UInt8], Error> { continuation in
            let task = Task {
                do {
                    try await ObjectReader.read(parts, range: copied, network: network) { slice in
                        continuation.yield(Array(slice))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        let digesting = bytes.map { chunk -> [UInt8] in
            digest.add(chunk)
            return chunk
        }
        let stored = try await network.store(UncheckedSendable(digesting), as: .object)
        return .init(
            number: number, cap: stored.capability.description, size: stored.size, etag: digest.finalize(),
            modified: S3Realm.milliseconds())
    }

    func listParts(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        let upload = try await existingUpload(request, bucket: bucket, key: key)
        let maxParts = try request.integer("max-parts", in: 0...1000, default: 1000)
        let marker = try request.integer("part-number-marker", in: 0...10_000, default: 0)
        let parts = upload.parts.values.sorted { $0.number < $1.number }.filter { $0.number > marker }
        let page = parts.prefix(maxParts)
        var xml = XMLWriter()
        xml.open("ListPartsResult", namespace: XMLWriter.s3Namespace)
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("UploadId", upload.id)
        Self.writeOwner(&xml, "Initiator")
        Self.writeOwner(&xml, "Owner")
        xml.element("StorageClass", "STANDARD")
        xml.element("PartNumberMarker", marker)
        xml.element("NextPartNumberMarker", page.last?.number ?? marker)
        xml.element("MaxParts", maxParts)
        xml.element("IsTruncated", parts.count > page.count)
        for part in page {
            xml.open("Part")
            xml.element("PartNumber", part.number)
            xml.element("LastModified", HTTPDate.iso8601(Date(milliseconds: part.modified)))
            xml.element("ETag", "\"\(part.etag)\"")
            xml.element("Size", Int(part.size))
            xml.close("Part")
        }
        xml.close("ListPartsResult")
        return Self.xmlResponse(xml)
    }

    func abortUpload(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        let upload = try await existingUpload(request, bucket: bucket, key: key)
        if let removed = try await uploads.remove(upload.id) {
            for part in removed.parts.values { realm.references.drop(part.cap) }
        }
        return Self.empty(.noContent)
    }

    func completeUpload(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request), key = try request.requireKey()
        let upload = try await existingUpload(request, bucket: bucket, key: key)
        let listed = try CompleteMultipartUploadRequest.parse(
            try await request.body.collect(limit: CompleteMultipartUploadRequest.maximumBodySize))
        guard !listed.isEmpty else { throw S3Error.malformedXML }
        var chosen: [MultipartUploads.Part] = []
        for (index, item) in listed.enumerated() {
            if index > 0, item.partNumber <= listed[index - 1].partNumber { throw S3Error.invalidPartOrder }
            guard let part = upload.parts[item.partNumber],
                part.etag == CompleteMultipartUploadRequest.unquotedETag(item.etag).lowercased()
            else { throw S3Error.invalidPart }
            chosen.append(part)
        }
        for part in chosen.dropLast() where part.size < Self.minimumPartSize { throw S3Error.entityTooSmall }
        let md5 = MD5()
        for part in chosen { md5.update(Hex.decode(part.etag) ?? []) }
        let etag = Hex.encode(md5.finalize()) + "-\(chosen.count)"
        let entry = try await realm.index(bucket).write(ObjectEntry(
            name: key, size: chosen.reduce(0) { $0 + $1.size }, etag: etag, modified: S3Realm.milliseconds(),
            headers: upload.headers, metadata: upload.metadata, parts: chosen.map { .init(cap: $0.cap, size: $0.size) }))
        if let removed = try await uploads.remove(upload.id) {
            for part in removed.parts.values { realm.references.drop(part.cap) }
        }
        var xml = XMLWriter()
        xml.open("CompleteMultipartUploadResult", namespace: XMLWriter.s3Namespace)
        xml.element("Location", "/\(bucket)/\(key)")
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("ETag", "\"\(entry.etag)\"")
        xml.close("CompleteMultipartUploadResult")
        return Self.xmlResponse(xml)
    }

    func listUploads(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request)
        let prefix = request.query["prefix"] ?? ""
        let maxUploads = try request.integer("max-uploads", in: 0...1000, default: 1000)
        let keyMarker = request.query["key-marker"] ?? ""
        let all = await uploads.list(bucket: bucket).filter { $0.key.hasPrefix(prefix) && (keyMarker.isEmpty || $0.key > keyMarker) }
        let page = all.prefix(maxUploads)
        var xml = XMLWriter()
        xml.open("ListMultipartUploadsResult", namespace: XMLWriter.s3Namespace)
        xml.element("Bucket", bucket)
        xml.element("KeyMarker", keyMarker)
        xml.element("UploadIdMarker", request.query["upload-id-marker"] ?? "")
        xml.element("NextKeyMarker", page.last?.key ?? "")
        xml.element("NextUploadIdMarker", page.last?.id ?? "")
        xml.element("Prefix", prefix)
        xml.element("MaxUploads", maxUploads)
        xml.element("IsTruncated", all.count > page.count)
        for upload in page {
            xml.open("Upload")
            xml.element("Key", upload.key)
            xml.element("UploadId", upload.id)
            Self.writeOwner(&xml, "Initiator")
            Self.writeOwner(&xml, "Owner")
            xml.element("StorageClass", "STANDARD")
            xml.element("Initiated", HTTPDate.iso8601(Date(milliseconds: upload.initiated)))
            xml.close("Upload")
        }
        xml.close("ListMultipartUploadsResult")
        return Self.xmlResponse(xml)
    }

    private func existingUpload(_ request: S3Request, bucket: String, key: String) async throws -> MultipartUploads.Upload {
        let id = request.query["uploadId"] ?? ""
        guard let upload = await uploads.upload(id), upload.bucket == bucket, upload.key == key else { throw S3Error.noSuchUpload(id) }
        return upload
    }

    static func writeOwner(_ xml: inout XMLWriter, _ element: String) {
        xml.open(element)
        xml.element("ID", owner.id)
        xml.element("DisplayName", owner.name)
        xml.close(element)
    }
}

/// A value the compiler cannot prove Sendable, handed to one task that alone uses it.
struct UncheckedSendable<Base: AsyncSequence>: AsyncSequence, @unchecked Sendable {
    typealias Element = Base.Element
    let base: Base
    init(_ base: Base) { self.base = base }
    func makeAsyncIterator() -> Base.AsyncIterator { base.makeAsyncIterator() }
}
