import Testing

@testable import S3Protocol

struct XMLWriterTests {
    @Test func escapesMarkupAndControlCharacters() {
        var writer = XMLWriter()
        writer.open("ListBucketResult", namespace: XMLWriter.s3Namespace)
        writer.element("Key", "a&b<c>\"d'e\u{01}f\tg\nh\ri\u{1F}é")
        writer.element("MaxKeys", 1000)
        writer.element("IsTruncated", false)
        writer.close("ListBucketResult")
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(
            text == #"<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
                + "<Key>a&amp;b&lt;c&gt;&quot;d&apos;e&#x1;f\tg\nh&#xD;i&#x1F;é</Key><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>")
    }

    @Test func whatTheWriterEscapesTheParserRestores() throws {
        let key = "a&b<c>\"d'e\u{01}f\tg\nh\ri\r\nj\u{7F}k😀"
        var writer = XMLWriter()
        writer.open("Delete")
        writer.open("Object")
        writer.element("Key", key)
        writer.close("Object")
        writer.close("Delete")
        #expect(try DeleteObjectsRequest.parse(writer.bytes).keys == [key])
    }

    @Test func errorBody() {
        let error = S3Error.noSuchKey("photos/a&b.jpg")
        #expect(error.status == 404)
        #expect(
            String(decoding: error.xml(requestID: "r1"), as: UTF8.self)
                == #"<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Resource>photos/a&amp;b.jpg</Resource><RequestId>r1</RequestId></Error>"#)
    }
}

struct XMLParserTests {
    static func code(_ text: String, limit: Int = 1 << 20) -> String? {
        do {
            _ = try S3XMLParser.parse(Array(text.utf8), limit: limit)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func readsElementsTextEntitiesAndNamespaces() throws {
        let text = """
            \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <s3:Root xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/" a='1'>
              <Item id="x">&lt;&amp;&gt;&quot;&apos;&#65;&#x42;<![CDATA[<raw&>]]></Item>
              <Empty/>
              <!-- skipped --><Item>two</Item>
            </s3:Root>
            """
        let root = try S3XMLParser.parse(Array(text.utf8), limit: 4096)
        #expect(root.name == "Root")
        #expect(root.children("Item").map(\.text) == ["<&>\"'AB<raw&>", "two"])
        #expect(root.child("Empty") == XMLNode(name: "Empty"))
        #expect(root.child("Missing") == nil)
    }

    @Test func refusesWhatRequestBodiesNeverNeed() {
        #expect(Self.code(#"<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>"#) == "MalformedXML")
        #expect(Self.code(#"<r>&x;</r>"#) == "MalformedXML")
        #expect(Self.code(#"<r><a></r></a>"#) == "MalformedXML")
        #expect(Self.code(#"<r><a></r>"#) == "MalformedXML")
        #expect(Self.code(#"<r></r><r></r>"#) == "MalformedXML")
        #expect(Self.code(#"text<r></r>"#) == "MalformedXML")
        #expect(Self.code(#"<r>&#0;</r>"#) == "MalformedXML")
        #expect(Self.code(#"<r>&#xD800;</r>"#) == "MalformedXML")
        #expect(Self.code(#"<r a="1></r>"#) == "MalformedXML")
        #expect(Self.code("") == "MalformedXML")
        #expect(Self.code(#"<r>"#) == "MalformedXML")
        #expect(Self.code(#"<r></r>"#, limit: 6) == "MalformedXML")
        #expect(Self.code(#"<r></r>"#, limit: 7) == nil)
    }

    @Test func nestingIsBoundedAt64Levels() {
        func nested(_ depth: Int) -> String {
            String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        }
        #expect(Self.code(nested(64)) == nil)
        #expect(Self.code(nested(65)) == "MalformedXML")
        #expect(Self.code(nested(100_000), limit: 1 << 20) == "MalformedXML")
    }
}

struct RequestBodyTests {
    @Test func completeMultipartUpload() throws {
        let body = """
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Part><ETag>"a54357aff0632cce46d942af68356b38"</ETag><PartNumber>1</PartNumber></Part>
              <Part><PartNumber> 3 </PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag></Part>
            </CompleteMultipartUpload>
            """
        let parts = try CompleteMultipartUploadRequest.parse(Array(body.utf8))
        #expect(parts.map(\.partNumber) == [1, 3])
        #expect(parts.map(\.etag) == ["\"a54357aff0632cce46d942af68356b38\"", "\"0c78aef83f66abc1fa1e8477f296d394\""])
        #expect(CompleteMultipartUploadRequest.unquotedETag(parts[1].etag) == "0c78aef83f66abc1fa1e8477f296d394")
        #expect(CompleteMultipartUploadRequest.unquotedETag("abc") == "abc")
    }

    @Test func completeMultipartUploadRefusals() {
        func code(_ parts: String) -> String? {
            do {
                _ = try CompleteMultipartUploadRequest.parse(Array("<CompleteMultipartUpload>\(parts)</CompleteMultipartUpload>".utf8))
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code("") == "MalformedXML")
        #expect(code("<Part><PartNumber>1</PartNumber></Part>") == "MalformedXML")
        #expect(code("<Part><PartNumber>x</PartNumber><ETag>e</ETag></Part>") == "MalformedXML")
        #expect(code("<Part><PartNumber>0</PartNumber><ETag>e</ETag></Part>") == "InvalidArgument")
        #expect(code("<Part><PartNumber>10001</PartNumber><ETag>e</ETag></Part>") == "InvalidArgument")
        #expect(code("<Part><PartNumber>2</PartNumber><ETag>e</ETag></Part><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>") == "InvalidPartOrder")
        #expect(code("<Part><PartNumber>10000</PartNumber><ETag>e</ETag></Part>") == nil)
    }

    @Test func deleteObjects() throws {
        let body = "<Delete><Quiet>true</Quiet><Object><Key> spaced key </Key><VersionId>v</VersionId></Object><Object><Key>a/b</Key></Object></Delete>"
        let request = try DeleteObjectsRequest.parse(Array(body.utf8))
        #expect(request.keys == [" spaced key ", "a/b"])
        #expect(request.quiet)
        #expect(try DeleteObjectsRequest.parse(Array("<Delete><Object><Key>k</Key></Object></Delete>".utf8)).quiet == false)
    }

    @Test func deleteObjectsRefusesMoreThan1000() throws {
        func body(_ count: Int) -> [UInt8] {
            Array(("<Delete>" + String(repeating: "<Object><Key>k</Key></Object>", count: count) + "</Delete>").utf8)
        }
        #expect(try DeleteObjectsRequest.parse(body(1000)).keys.count == 1000)
        #expect(throws: S3Error.malformedXML) { try DeleteObjectsRequest.parse(body(2000)) }
        #expect(throws: S3Error.malformedXML) { try DeleteObjectsRequest.parse(body(0)) }
        #expect(throws: S3Error.malformedXML) { try DeleteObjectsRequest.parse(Array("<Delete><Object></Object></Delete>".utf8)) }
        #expect(throws: S3Error.malformedXML) { try DeleteObjectsRequest.parse(Array("<Remove><Object><Key>k</Key></Object></Remove>".utf8)) }
    }

    @Test func createBucketConfiguration() throws {
        #expect(try CreateBucketConfiguration.parse([]) == nil)
        #expect(try CreateBucketConfiguration.parse(Array(" \n".utf8)) == nil)
        let body = #"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"#
        #expect(try CreateBucketConfiguration.parse(Array(body.utf8)) == "eu-west-1")
        #expect(try CreateBucketConfiguration.parse(Array("<CreateBucketConfiguration/>".utf8)) == nil)
        #expect(throws: S3Error.malformedXML) { try CreateBucketConfiguration.parse(Array("<Other/>".utf8)) }
    }
}
