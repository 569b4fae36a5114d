import Foundation
import Testing

@testable import S3Gateway

/// Which files the gateway may release: only those no live object names, and only once
/// they have been unused for the quiet time (a put that stored one again is never undercut).
@Suite struct ReferenceCounterTests {
    static func entry(_ name: String, _ caps: [String], deleted: Bool = false) -> ObjectEntry {
        ObjectEntry(name: name, deleted: deleted, parts: caps.map { .init(cap: $0, size: 1) })
    }

    @Test func aFileSharedByTwoKeysIsReleasedOnlyWhenBothAreGone() {
        let counter = ReferenceCounter(quiet: 0)
        let one = Self.entry("one", ["f"]), two = Self.entry("two", ["f"])
        counter.changed(from: nil, to: one)
        counter.changed(from: nil, to: two)
        counter.changed(from: one, to: Self.entry("one", [], deleted: true))
        #expect(counter.releasable().isEmpty)
        counter.changed(from: two, to: Self.entry("two", [], deleted: true))
        #expect(counter.releasable() == ["f"])
        #expect(counter.releasable().isEmpty, "released once")
    }

    @Test func aRecentlyStoredFileWaitsForTheQuietTime() {
        let counter = ReferenceCounter(quiet: 60)
        counter.touch("f")
        #expect(counter.releasable(now: Date()).isEmpty)
        #expect(counter.releasable(now: Date().addingTimeInterval(61)) == ["f"])
    }

    @Test func anUploadsPartsAreHeldUntilDropped() {
        let counter = ReferenceCounter(quiet: 0)
        counter.touch("part", holding: 1)
        #expect(counter.releasable().isEmpty)
        counter.drop("part")
        #expect(counter.releasable() == ["part"])
    }
}
