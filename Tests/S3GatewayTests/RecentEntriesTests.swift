import Foundation
import Testing

@testable import S3Gateway

/// The recent entries of a map record keep each entry's JSON from when it was written; the
/// record made from them must read back as the one `JSONEncoder` makes whole.
@Suite struct RecentEntriesTests {
    @Test func aRecordSplicedFromKeptEncodingsDecodesAsTheWholeOne() throws {
        var recent = RecentEntries<ObjectEntry>()
        for name in ["b", "a\"quoted\"", "ü/ñ", "b"] {
            try recent.append(ObjectEntry(name: name, size: 0, etag: "e-\(name)"))
        }
        // "b" written twice: its later entry replaces the first, at the end.
        #expect(recent.names == ["a\"quoted\"", "ü/ñ", "b"])
        #expect(recent.bytes == recent.entries.map { try! JSONEncoder().encode($0).count }.reduce(0, +))

        let head = MapRecordPayload<ObjectEntry>(pages: ["p1", "p2"], pageList: nil, deltas: ["d1"])
        let spliced = try MapRecordPayload<ObjectEntry>.decode(try head.encoded(recent: recent.jsonArray))
        let whole = try MapRecordPayload<ObjectEntry>.decode(
            try MapRecordPayload(pages: ["p1", "p2"], deltas: ["d1"], recent: recent.entries).encoded())
        #expect(spliced.pages == whole.pages && spliced.deltas == whole.deltas && spliced.pageList == whole.pageList)
        #expect(spliced.recent.map(\.name) == whole.recent.map(\.name))
        #expect(spliced.recent.map(\.etag) == ["e-a\"quoted\"", "e-ü/ñ", "e-b"])

        let empty = try MapRecordPayload<ObjectEntry>.decode(try head.encoded(recent: RecentEntries<ObjectEntry>().jsonArray))
        #expect(empty.recent.isEmpty)

        recent.removeAll { $0.name == "b" }
        #expect(recent.names == ["a\"quoted\"", "ü/ñ"])
        #expect(recent.bytes == recent.entries.map { try! JSONEncoder().encode($0).count }.reduce(0, +))
    }
}
