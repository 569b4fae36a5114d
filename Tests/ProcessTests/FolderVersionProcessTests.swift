import APIModel
import Codecs
import Foundation
import OpenSSLKit
import TestSupport
import Testing

/// Versions of a synced folder with real processes (docs/sync.md, "Versions"; docs/gc.md,
/// "Folder versions"): a file rewritten 50 times keeps every version for the retention, a
/// restore brings one back on every device, and past the retention the stores hold the
/// current version's chunks only. Retention, grace and sweep pause are shortened.
@Suite(.serialized) struct FolderVersionProcessTests {
    static let retention = 90.0
    static let fileSize = 16 << 20
    static let rewrites = 50

    @Test func aFileRewritten50TimesKeepsItsVersionsForTheRetentionThenOnlyTheCurrentOne() async throws {
        let cluster = try ProcessCluster(
            peers: 3, extraInit: ["--gc-grace", "3s"], peerInit: ["--gc-interval", "1s"], environment: ["P2P_SYNC_POLL": "2s"])
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let trees = (0..<3).map { FolderTree(root: cluster.root + "/folder\($0)") }
        for tree in trees { try FileManager.default.createDirectory(atPath: tree.root, withIntermediateDirectories: true) }
        let retention = "\(Int(Self.retention))s"
        let created = try cluster.p2p(0, ["sync", "add", trees[0].root, "--retention", retention])
        try #require(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for index in 1..<3 {
            let joined = try cluster.p2p(index, ["sync", "add", trees[index].root, "--token", token, "--retention", retention])
            try #require(joined.status == 0, "\(joined.stderr)")
        }
        let bad = try cluster.p2p(1, ["sync", "add", cluster.root, "--retention", "forever"])
        #expect(bad.status == 2 && bad.stderr.contains("--retention"), "\(bad.stderr)")

        // 51 versions on device 0, each scanned before the next is written.
        let file = trees[0].root + "/big.bin"
        var digests: [String] = []
        let firstReplaced = Date()
        for _ in 0...Self.rewrites {
            let bytes = try SecureRandom.bytes(count: Self.fileSize)
            // Written beside the folder and renamed in: a scan never sees half a version.
            let staging = cluster.root + "/staging.bin"
            try Data(bytes).write(to: URL(fileURLWithPath: staging))
            try #require(rename(staging, file) == 0)
            digests.append(Hex.encode(SHA256.hash(bytes)))
            let scanned = try cluster.p2p(0, ["sync", "rescan", trees[0].root])
            try #require(scanned.status == 0, "\(scanned.stderr)")
        }
        let listing = try cluster.p2p(0, ["sync", "versions", file, "--json"])
        try #require(listing.status == 0, "\(listing.stderr)")
        let versions = try JSONDecoder().decode(FolderAPIDocuments.Versions.self, from: Data(listing.stdout.utf8))
        #expect(versions.versions.first?.supersededMilliseconds == nil)
        if Date().timeIntervalSince(firstReplaced) < Self.retention - 10 {
            #expect(versions.versions.count == Self.rewrites + 1, "\(versions.versions.count) versions listed")
        }
        let table = try cluster.p2p(0, ["sync", "versions", file])
        #expect(table.status == 0 && table.stdout.contains("current") && table.stdout.contains("REPLACED"), "\(table.stdout)")
        #expect(try cluster.p2p(0, ["sync", "versions", cluster.root + "/elsewhere"]).status == 2)

        // Every peer holds every kept version (N = 3 of 3 peers): nothing went early.
        let everything = UInt64(Self.rewrites + 1) * UInt64(Self.fileSize)
        var held: [UInt64] = []
        let allKept = await Daemon.eventually(timeout: .seconds(60)) {
            guard let used = try? await usedBytes(cluster) else { return false }
            held = used
            return used.allSatisfy { $0 >= everything }
        }
        #expect(allKept, "used \(held), every version \(everything)")

        // Device 1, once it has the newest version, restores the file as it was when an old
        // version was written (a device behind would make the restore a concurrent edit: a
        // conflict copy keeps both).
        #expect(await Daemon.eventually(timeout: .seconds(60)) {
            (try? Data(contentsOf: URL(fileURLWithPath: trees[1].root + "/big.bin"))).map { Hex.encode(SHA256.hash([UInt8]($0))) } == digests.last
        })
        // Device 0 lists every version, newest first: version k of 0...50 is entry 50 - k.
        var numbered: [String: Int] = [:]
        for (offset, version) in versions.versions.enumerated() { numbered[version.capability] = Self.rewrites - offset }
        let onDevice1 = try cluster.p2p(1, ["sync", "versions", trees[1].root + "/big.bin", "--json"])
        let known = try JSONDecoder().decode(FolderAPIDocuments.Versions.self, from: Data(onDevice1.stdout.utf8)).versions
        // The newest version device 1 kept among the first 41.
        let pick = try #require(known.first { (numbered[$0.capability] ?? .max) <= 40 }, "device 1 kept \(known.count) versions")
        let target = try #require(numbered[pick.capability])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions.insert(.withFractionalSeconds)
        let at = formatter.string(from: Date(timeIntervalSince1970: Double(pick.modifiedNanoseconds) / 1e9 + 0.001))
        let restored = try await eventuallyRun(cluster, 1, ["sync", "restore", trees[1].root + "/big.bin", "--at", at])
        #expect(restored.status == 0 && restored.stdout.contains("restored"), "\(restored.stderr)")
        #expect(try cluster.p2p(1, ["sync", "restore", trees[1].root + "/never.bin"]).status == 1)
        let everywhere = await Daemon.eventually(timeout: .seconds(90)) {
            trees.allSatisfy { tree in
                (try? Data(contentsOf: URL(fileURLWithPath: tree.root + "/big.bin"))).map { Hex.encode(SHA256.hash([UInt8]($0))) } == digests[target]
            }
        }
        #expect(everywhere, "the restored version did not reach every device")
        let restoredAt = Date()

        // Past the retention (and the grace, and sweeps), each store holds the current
        // version — the restored one — and little else (index pages).
        var levels: [UInt64] = []
        let reclaimed = await Daemon.eventually(timeout: .seconds(Self.retention + 90)) {
            guard let used = try? await usedBytes(cluster) else { return false }
            levels = used
            return used.allSatisfy { Double($0) <= Double(Self.fileSize) * 1.05 }
        }
        #expect(reclaimed, "used bytes \(levels) \(Date().timeIntervalSince(restoredAt)) s after the restore")
        #expect(levels.allSatisfy { $0 >= UInt64(Self.fileSize) })
        let after = try cluster.p2p(2, ["sync", "versions", trees[2].root + "/big.bin", "--json"])
        let left = try JSONDecoder().decode(FolderAPIDocuments.Versions.self, from: Data(after.stdout.utf8))
        #expect(left.versions.count == 1, "\(left.versions.count) versions left")
        // And it still reads back whole from the network, on a device that did not write it.
        let cap = try #require(left.versions.first?.capability)
        let read = cluster.root + "/read-back"
        let got = try cluster.p2p(2, ["get", cap, "-o", read])
        #expect(got.status == 0, "\(got.stderr)")
        let readBack = try Data(contentsOf: URL(fileURLWithPath: read))
        #expect(Hex.encode(SHA256.hash([UInt8](readBack))) == digests[target])
    }

    /// Runs a `p2p` command until it succeeds (the restoring device may not have pulled the
    /// versions yet), or returns its last failure.
    private func eventuallyRun(_ cluster: ProcessCluster, _ index: Int, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        var last = try cluster.p2p(index, arguments)
        _ = await Daemon.eventually(timeout: .seconds(60)) {
            if last.status == 0 { return true }
            last = (try? cluster.p2p(index, arguments)) ?? last
            return last.status == 0
        }
        return last
    }

    private func usedBytes(_ cluster: ProcessCluster) async throws -> [UInt64] {
        var used: [UInt64] = []
        for index in 0..<3 {
            used.append(try await cluster.client(index).status().peers.first(where: \.isSelf)?.usedBytes ?? 0)
        }
        return used
    }
}
