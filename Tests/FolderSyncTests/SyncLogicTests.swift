import Codecs
@testable import FolderKeys
import FolderSync
import Testing

struct VersionVectorTests {
    @Test func ordersAndMerges() {
        let a = VersionVector().incremented(by: 1)
        let b = a.incremented(by: 2)
        let c = a.incremented(by: 3)
        #expect(b.compare(a) == .greater)
        #expect(a.compare(b) == .lesser)
        #expect(b.compare(c) == .concurrent)
        #expect(b.compare(b) == .equal)
        let merged = b.merged(with: c)
        #expect(merged.compare(b) == .greater && merged.compare(c) == .greater)
        // A new version is newer than everything seen, whoever made it.
        #expect(merged.incremented(by: 1).compare(merged) == .greater)
    }
}

struct IgnoreRulesTests {
    let rules = IgnoreRules(parsing: """
        # build output
        *.tmp
        /build/
        docs/**/draft-*.md
        logs/
        !logs/keep.log
        cache/**
        **/secret?.txt
        [Tt]humbs.db
        """)

    @Test func matchesTheGitignoreSubset() {
        #expect(rules.isIgnored("a.tmp", isDirectory: false))
        #expect(rules.isIgnored("deep/down/a.tmp", isDirectory: false))
        #expect(!rules.isIgnored("a.tmpx", isDirectory: false))
        #expect(rules.isIgnored("build", isDirectory: true))
        #expect(rules.isIgnored("build/x.o", isDirectory: false))
        #expect(!rules.isIgnored("src/build", isDirectory: true), "a leading / anchors to the root")
        #expect(!rules.isIgnored("build", isDirectory: false), "a trailing / matches directories only")
        #expect(rules.isIgnored("docs/draft-1.md", isDirectory: false), "**/ matches zero directories")
        #expect(rules.isIgnored("docs/a/b/draft-2.md", isDirectory: false))
        #expect(!rules.isIgnored("docs/a/final.md", isDirectory: false))
        #expect(rules.isIgnored("cache/x/y", isDirectory: false))
        #expect(rules.isIgnored("a/b/secret1.txt", isDirectory: false))
        #expect(!rules.isIgnored("a/b/secret12.txt", isDirectory: false))
        #expect(rules.isIgnored("Thumbs.db", isDirectory: false) && rules.isIgnored("thumbs.db", isDirectory: false))
        #expect(rules.matches("logs", isDirectory: true))
        #expect(!rules.matches("x/.keep", isDirectory: false))
    }

    @Test func negationReincludesAndTheSyncsOwnFilesAreAlwaysIgnored() {
        let negated = IgnoreRules(parsing: "*.log\n!important.log\n")
        #expect(negated.isIgnored("a.log", isDirectory: false))
        #expect(!negated.isIgnored("important.log", isDirectory: false))
        #expect(IgnoreRules.none.isIgnored("dir/" + IgnoreRules.temporaryPrefix + "abc", isDirectory: false))
        #expect(!IgnoreRules.none.isIgnored("dir/file", isDirectory: false))
    }
}

struct ConflictNameTests {
    @Test func followsSyncthingsConvention() {
        // 2026-11-26 21:09:30 UTC
        let seconds: Int64 = 1_795_727_370
        #expect(ConflictName.make(for: "docs/report.txt", secondsSince1970: seconds, device: "ABCDEFG")
            == "docs/report.sync-conflict-20261126-210930-ABCDEFG.txt")
        #expect(ConflictName.make(for: "Makefile", secondsSince1970: 0, device: "X") == "Makefile.sync-conflict-19700101-000000-X")
        #expect(ConflictName.make(for: ".bashrc", secondsSince1970: 0, device: "X") == ".bashrc.sync-conflict-19700101-000000-X")
        #expect(ConflictName.isConflictCopy("a/b.sync-conflict-19700101-000000-X.txt"))
        #expect(!ConflictName.isConflictCopy("a/b.txt"))
    }
}

struct FolderFormatTests {
    @Test func indexRoundTripsAndRefusesUnsafePaths() throws {
        let version = VersionVector().incremented(by: 42)
        let index = FolderIndex(device: Array(repeating: 9, count: 32), entries: [
            IndexEntry(path: "b/file", kind: .file, mode: 0o640, modifiedNanoseconds: 1_234_567_890_123, size: 5,
                       capability: "p2p1:x", version: version, modifiedBy: 42),
            IndexEntry(path: "a", kind: .directory, mode: 0o755, version: version),
            IndexEntry(path: "link", kind: .symlink, symlinkTarget: "../elsewhere", version: version),
            IndexEntry(path: "gone", kind: .file, deleted: true, version: version),
        ])
        #expect(try FolderIndex(decoding: index.encoded()) == index)
        // An unsafe entry is refused with its reason; the rest of the index still syncs.
        for unsafe in ["../escape", "/absolute", "a//b", "a/./b", "", "a/.p2pignore", ".p2pfolder"] {
            var bad = index
            bad.entries[0].path = unsafe
            let decoded = try FolderIndex(decoding: bad.encoded())
            #expect(decoded.entries == Array(index.entries.dropFirst()))
            #expect(decoded.refused.map(\.path) == [unsafe])
        }
        #expect(throws: FolderSyncError.self) { try FolderIndex(decoding: Array(index.encoded().dropLast())) }
    }

    @Test func tokensParseStrictlyAndKeepAnnouncementsPrivate() throws {
        let token = try FolderToken.generate()
        #expect(try FolderToken(parsing: token.description + "\n") == token)
        #expect(throws: FolderSyncError.self) { try FolderToken(parsing: "p2p1:AAAA") }
        #expect(throws: FolderSyncError.self) { try FolderToken(parsing: "p2pfolder1:not-base32!") }
        #expect(throws: FolderSyncError.self) { try FolderToken(parsing: String(token.description.dropLast(4))) }
        #expect(try FolderToken(parsing: token.description.uppercased().replacingOccurrences(of: "P2PFOLDER2:", with: "p2pfolder2:")) == token)
        // Every one-character typo is caught by the checksum (or the trailing bits).
        var text = Array(token.description)
        let position = FolderToken.prefix.count + 20
        text[position] = text[position] == "a" ? "b" : "a"
        #expect(throws: FolderSyncError.invalidToken("checksum does not match: it was mistyped or altered")) {
            try FolderToken(parsing: String(text))
        }
        // A token made before the checksum is refused as input but still read from the home.
        let unchecked = "p2pfolder1:" + Base32.encode(token.secret)
        #expect(throws: FolderSyncError.self) { try FolderToken(parsing: unchecked) }
        #expect(try FolderToken(stored: unchecked) == token)
        #expect(try FolderToken(stored: token.description) == token)

        let signer = Array(repeating: UInt8(1), count: 32)
        let announcement = IndexAnnouncement(indexCapability: "p2p1:abc", entryCount: 3, publishedMilliseconds: 99)
        let sealed = try announcement.sealed(token: token, signer: signer)
        #expect(try IndexAnnouncement(opening: sealed, token: token, signer: signer) == announcement)
        #expect(!sealed.contains(subsequence: Array("p2p1:abc".utf8)))
        #expect(throws: FolderSyncError.self) { try IndexAnnouncement(opening: sealed, token: try FolderToken.generate(), signer: signer) }
        #expect(throws: FolderSyncError.self) {
            try IndexAnnouncement(opening: sealed, token: token, signer: Array(repeating: 2, count: 32))
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<$0 + subsequence.count]) == subsequence }
    }
}
