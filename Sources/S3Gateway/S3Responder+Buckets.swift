import Foundation
import HTTPTypes
import Hummingbird
import S3Protocol

/// ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning.
extension S3Responder {
    static let owner = (id: "p2pstore", name: "p2pstore")

    func listBuckets(_ request: S3Request) async throws -> Response {
        var xml = XMLWriter()
        xml.open("ListAllMyBucketsResult", namespace: XMLWriter.s3Namespace)
        xml.open("Owner")
        xml.element("ID", Self.owner.id)
        xml.element("DisplayName", Self.owner.name)
        xml.close("Owner")
        xml.open("Buckets")
        for bucket in try await realm.buckets() where request.accessKey.allows(bucket.name) {
            xml.open("Bucket")
            xml.element("Name", bucket.name)
            xml.element("CreationDate", HTTPDate.iso8601(Date(milliseconds: bucket.created)))
            xml.close("Bucket")
        }
        xml.close("Buckets")
        xml.close("ListAllMyBucketsResult")
        return Self.xmlResponse(xml)
    }

    func createBucket(_ request: S3Request) async throws -> Response {
        let bucket = try request.requireBucket()
        let region = try CreateBucketConfiguration.parse(try await request.body.collect(limit: CreateBucketConfiguration.maximumBodySize)) ?? ""
        guard region.isEmpty || region == configuration.region else {
            throw S3Error(
                code: "IllegalLocationConstraintException",
                message: "The \(region) location constraint is incompatible for the region specific endpoint this request was sent to.",
                status: 400)
        }
        guard try await realm.createBucket(bucket, region: region) else { throw S3Error.bucketAlreadyOwnedByYou(bucket) }
        return Self.empty(.ok, headers: [.location: "/\(bucket)"])
    }

    func headBucket(_ request: S3Request) async throws -> Response {
        _ = try await existingBucket(request)
        return Self.empty(.ok, headers: [.init("x-amz-bucket-region")!: configuration.region])
    }

    func deleteBucket(_ request: S3Request) async throws -> Response {
        let bucket = try await existingBucket(request)
        guard await uploads.list(bucket: bucket).isEmpty, try await realm.deleteBucket(bucket) else {
            throw S3Error.bucketNotEmpty(bucket)
        }
        return Self.empty(.noContent)
    }

    func bucketLocation(_ request: S3Request) async throws -> Response {
        let bucket = try await realm.bucket(try existingBucket(request))
        var xml = XMLWriter()
        // The default region answers an empty constraint, as S3 does for us-east-1.
        let region = bucket?.region ?? ""
        xml.element("LocationConstraint", region)
        return Self.xmlResponse(xml)
    }

    func bucketVersioning(_ request: S3Request) async throws -> Response {
        _ = try await existingBucket(request)
        var xml = XMLWriter()
        xml.open("VersioningConfiguration", namespace: XMLWriter.s3Namespace)
        xml.close("VersioningConfiguration")
        return Self.xmlResponse(xml)
    }

    /// The request's bucket, which must exist.
    func existingBucket(_ request: S3Request) async throws -> String {
        let bucket = try request.requireBucket()
        guard try await realm.bucket(bucket) != nil else { throw S3Error.noSuchBucket(bucket) }
        return bucket
    }
}

extension Date {
    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
