import Foundation
import HTTPTypes
import Hummingbird
import S3Protocol

/// ListObjectsV2 and ListObjects: pages of the bucket's live keys in S3 order, with prefix,
/// delimiter, markers, continuation tokens and `encoding-type=url`. The index is in memory
/// on every gateway: a listing reads no object.
extension S3Responder {
    func listObjects(_ request: S3Request, version: Int) async throws -> Response {
        let bucket = try await existingBucket(request)
        let query = request.query
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let maxKeys = try request.integer("max-keys", in: 0...1000, default: 1000)
        let encodeURL: Bool
        switch query["encoding-type"] {
        case nil: encodeURL = false
        case "url": encodeURL = true
        default: throw S3Error.invalidArgument("Invalid Encoding Method specified in Request")
        }
        var after: String?
        if version == 2 {
            if let token = query["continuation-token"] {
                guard let decoded = Data(base64Encoded: token).flatMap({ String(data: $0, encoding: .utf8) }) else {
                    throw S3Error.invalidArgument("The continuation token provided is incorrect")
                }
                after = decoded
            } else {
                after = query["start-after"].flatMap { $0.isEmpty ? nil : $0 }
            }
        } else {
            after = query["marker"].flatMap { $0.isEmpty ? nil : $0 }
        }
        let index = try await realm.index(bucket)
        let page = await index.page(prefix: prefix, delimiter: delimiter, after: after, maxKeys: maxKeys)
        let text = { (value: String) in encodeURL ? ListingPage<ObjectEntry>.encodeURL(value) : value }

        var xml = XMLWriter()
        xml.open("ListBucketResult", namespace: XMLWriter.s3Namespace)
        xml.element("Name", bucket)
        xml.element("Prefix", text(prefix))
        if let delimiter { xml.element("Delimiter", text(delimiter)) }
        xml.element("MaxKeys", maxKeys)
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", page.isTruncated)
        if version == 2 {
            xml.element("KeyCount", page.contents.count + page.commonPrefixes.count)
            if let token = query["continuation-token"] { xml.element("ContinuationToken", token) }
            if let startAfter = query["start-after"] { xml.element("StartAfter", text(startAfter)) }
            if page.isTruncated, let next = page.nextMarker {
                xml.element("NextContinuationToken", Data(next.utf8).base64EncodedString())
            }
        } else {
            xml.element("Marker", text(query["marker"] ?? ""))
            if page.isTruncated, delimiter != nil, let next = page.nextMarker { xml.element("NextMarker", text(next)) }
        }
        let fetchOwner = version == 1 || query["fetch-owner"] == "true"
        for (key, entry) in page.contents {
            xml.open("Contents")
            xml.element("Key", text(key))
            xml.element("LastModified", HTTPDate.iso8601(entry.lastModified))
            xml.element("ETag", "\"\(entry.etag)\"")
            xml.element("Size", Int(entry.size))
            if fetchOwner { Self.writeOwner(&xml, "Owner") }
            xml.element("StorageClass", "STANDARD")
            xml.close("Contents")
        }
        for commonPrefix in page.commonPrefixes {
            xml.open("CommonPrefixes")
            xml.element("Prefix", text(commonPrefix))
            xml.close("CommonPrefixes")
        }
        xml.close("ListBucketResult")
        return Self.xmlResponse(xml)
    }
}
