import Foundation
import Testing

@testable import S3Protocol

struct BucketNameTests {
    @Test func s3NamingRules() {
        for valid in ["abc", "my-bucket.example", "a1b", String(repeating: "a", count: 63), "192.168.5.x"] {
            #expect(BucketName.isValid(valid), "\(valid)")
        }
        for invalid in ["ab", String(repeating: "a", count: 64), "My-Bucket", "-abc", "abc-", ".abc", "a..b", "a_b", "192.168.5.4",
            "xn--abc", "abc-s3alias", "sthree-abc", "abc--ol-s3", "ab c", "abé"]
        {
            #expect(!BucketName.isValid(invalid), "\(invalid)")
        }
        #expect(throws: S3Error.invalidBucketName("A")) { try BucketName.validate("A") }
    }

    @Test func objectKeyLength() throws {
        try ObjectKey.validate(String(repeating: "é", count: 512))
        do {
            try ObjectKey.validate(String(repeating: "é", count: 513))
            Issue.record("a 1026-byte key was accepted")
        } catch {
            #expect(error.code == "KeyTooLongError")
        }
        #expect(throws: S3Error.self) { try ObjectKey.validate("") }
    }
}

struct S3AddressTests {
    @Test func pathStyle() throws {
        #expect(try S3Address.parse(host: "localhost:9000", rawPath: "/", domain: "s3.local") == (nil, nil))
        #expect(try S3Address.parse(host: "localhost", rawPath: "/bucket", domain: nil) == ("bucket", nil))
        #expect(try S3Address.parse(host: "localhost", rawPath: "/bucket/", domain: nil) == ("bucket", nil))
        #expect(try S3Address.parse(host: nil, rawPath: "/b/a//c/", domain: nil) == ("b", "a//c/"))
        #expect(try S3Address.parse(host: nil, rawPath: "/b/caf%C3%A9%20%2F+x", domain: nil) == ("b", "café /+x"))
        #expect(try S3Address.parse(host: "s3.local", rawPath: "/b/k", domain: "s3.local") == ("b", "k"))
    }

    @Test func virtualHostStyle() throws {
        #expect(try S3Address.parse(host: "My.Bucket.S3.local:9000", rawPath: "/dir/key", domain: "s3.local") == ("my.bucket", "dir/key"))
        #expect(try S3Address.parse(host: "bucket.s3.local", rawPath: "/", domain: "s3.local") == ("bucket", nil))
        #expect(try S3Address.parse(host: "bucket.s3.local", rawPath: "//x", domain: "s3.local") == ("bucket", "/x"))
        #expect(try S3Address.parse(host: "[::1]:9000", rawPath: "/b/k", domain: "s3.local") == ("b", "k"))
        #expect(try S3Address.parse(host: "evils3.local", rawPath: "/b/k", domain: "s3.local") == ("b", "k"))
    }

    @Test func badEscapesAreRefused() {
        #expect(throws: S3Error.invalidURI) { try S3Address.parse(host: nil, rawPath: "/b/%zz", domain: nil) }
        #expect(throws: S3Error.invalidURI) { try S3Address.parse(host: nil, rawPath: "/b/%ff", domain: nil) }
        #expect(throws: S3Error.invalidURI) { try S3Address.parse(host: nil, rawPath: "b/k", domain: nil) }
    }
}

struct HTTPDateTests {
    static let date = Date(timeIntervalSince1970: 1_255_369_830.123)  // 2009-10-12T17:50:30.123Z

    @Test func formats() {
        #expect(HTTPDate.iso8601(Self.date) == "2009-10-12T17:50:30.123Z")
        #expect(HTTPDate.rfc1123(Self.date) == "Mon, 12 Oct 2009 17:50:30 GMT")
        #expect(HTTPDate.amzDate(Self.date) == "20091012T175030Z")
        #expect(HTTPDate.amzDay(Self.date) == "20091012")
        #expect(HTTPDate.rfc1123(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.iso8601(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test func parses() {
        let whole = Date(timeIntervalSince1970: 1_255_369_830)
        #expect(HTTPDate.parseAmzDate("20091012T175030Z") == whole)
        #expect(HTTPDate.parseRFC1123("Mon, 12 Oct 2009 17:50:30 GMT") == whole)
        #expect(HTTPDate.parseRFC1123("Monday, 12-Oct-09 17:50:30 GMT") == whole)
        #expect(HTTPDate.parseRFC1123("Mon Oct 12 17:50:30 2009") == whole)
        #expect(HTTPDate.parseRFC1123(HTTPDate.rfc1123(whole)) == whole)
        for bad in ["", "Mon, 32 Oct 2009 17:50:30 GMT", "Mon, 29 Feb 2009 00:00:00 GMT", "Mon, 12 Foo 2009 17:50:30 GMT", "12 Oct 2009"] {
            #expect(HTTPDate.parseRFC1123(bad) == nil, "\(bad)")
        }
        for bad in ["20091012T175030", "2009101XT175030Z", "20091312T175030Z", "20091012T245030Z"] {
            #expect(HTTPDate.parseAmzDate(bad) == nil, "\(bad)")
        }
        // Round trip over a range of instants, before and after 1970.
        for seconds in stride(from: -2_000_000_000, to: 4_000_000_000, by: 77_777_777) {
            let instant = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(HTTPDate.parseAmzDate(HTTPDate.amzDate(instant)) == instant)
        }
    }
}
